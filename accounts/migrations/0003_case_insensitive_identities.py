"""Usernames and email addresses unique without regard to case, in the database itself.

The log-in takes either in any case, so two accounts told apart only by case could not
both log in; the sign-up form checks, but two sign-ups at once both pass its check. These
unique indexes on LOWER(...) settle such a race (the loser's form comes back with a
message: accounts.services.IdentityTaken). auth.User is Django's model, so the indexes are
plain SQL that both SQLite and PostgreSQL understand. Empty emails (accounts made by
createsuperuser) are left out of the email index.

Accounts that already clash are reported, not merged: the migration stops and lists them,
for a person to rename or merge before migrating again.
"""

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import Lower


def clashes(User) -> list[str]:
    """One line per group of accounts that differ only in the case of a username or email."""
    lines = []
    for field in ("username", "email"):
        users = User.objects.exclude(**{field: ""}) if field == "email" else User.objects.all()
        groups = (
            users.annotate(folded=Lower(field))
            .values("folded")
            .annotate(accounts=Count("pk"))
            .filter(accounts__gt=1)
            .order_by("folded")
        )
        for group in groups:
            accounts = (
                User.objects.filter(**{f"{field}__iexact": group["folded"]})
                .order_by("pk")
                .values_list("pk", field)
            )
            listed = ", ".join(f"id {pk} ({value!r})" for pk, value in accounts)
            lines.append(f"{field} {group['folded']!r}: {listed}")
    return lines


def refuse_clashes(apps, schema_editor):
    found = clashes(apps.get_model("auth", "User"))
    if found:
        raise RuntimeError(
            "These accounts differ only in the case of their username or email address, "
            "so they cannot all log in. Rename or merge them (for example in "
            "`manage.py shell`), then run migrate again:\n  " + "\n  ".join(found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_session"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(refuse_clashes, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX accounts_user_username_ci ON auth_user (LOWER(username))",
            "DROP INDEX accounts_user_username_ci",
        ),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX accounts_user_email_ci ON auth_user (LOWER(email))"
            " WHERE email <> ''",
            "DROP INDEX accounts_user_email_ci",
        ),
    ]
