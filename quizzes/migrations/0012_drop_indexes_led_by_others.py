"""Foreign keys that an index or a unique constraint of their table already leads with lose
their index of one column (issue #22).

Schema only: no row changes, and the foreign keys' constraints stay (see
prepsite.migration_operations). The index that leads with the same column serves every
lookup the dropped one did, a delete's cascade included; and each grade wrote all of them:
an answer had eight indexes and now has five, a card four instead of five.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from prepsite.migration_operations import drop_foreign_key_index


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0011_question_status_topic_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="answer",
                name="question",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="answers",
                    to="quizzes.question",
                ),
            ),
            table="quizzes_answer",
            column="question_id",
            index="quizzes_answer_question_id_7e471477",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="answer",
                name="session",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="answers",
                    to="quizzes.practicesession",
                ),
            ),
            table="quizzes_answer",
            column="session_id",
            index="quizzes_answer_session_id_5cf770f5",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="answer",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="answers",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="quizzes_answer",
            column="user_id",
            index="quizzes_answer_user_id_af3ede31",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="card",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="cards",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="quizzes_card",
            column="user_id",
            index="quizzes_card_user_id_42291c3d",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="keypointmemory",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="key_point_memories",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="quizzes_keypointmemory",
            column="user_id",
            index="quizzes_keypointmemory_user_id_a0743eca",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="practicesession",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="practice_sessions",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="quizzes_practicesession",
            column="user_id",
            index="quizzes_practicesession_user_id_e8c8bf97",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="userquestion",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="question_marks",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="quizzes_userquestion",
            column="user_id",
            index="quizzes_userquestion_user_id_5657dea5",
        ),
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="sessionitem",
                name="session",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="items",
                    to="quizzes.practicesession",
                ),
            ),
            table="quizzes_sessionitem",
            column="session_id",
            index="quizzes_sessionitem_session_id_5d025e15",
        ),
    ]
