"""A question's marks (UserQuestion) are reachable from it as `marks`, for the library to join
them (issue #22). Django's state only: no statement runs, no row changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0012_drop_indexes_led_by_others"),
    ]

    operations = [
        migrations.AlterField(
            model_name="userquestion",
            name="question",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="marks",
                to="quizzes.question",
            ),
        ),
    ]
