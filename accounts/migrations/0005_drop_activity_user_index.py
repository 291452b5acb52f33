"""The roll-up's user loses its index of one column: activity_unique_day leads with it
(issue #22). Schema only, the constraint stays: see quizzes 0012.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from prepsite.migration_operations import drop_foreign_key_index


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_profile_schedule_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        drop_foreign_key_index(
            migrations.AlterField(
                model_name="dailyactivity",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="daily_activity",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="accounts_dailyactivity",
            column="user_id",
            index="accounts_dailyactivity_user_id_c451e926",
        ),
    ]
