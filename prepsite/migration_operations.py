"""Operations that migrations share."""

from django.db import migrations


def drop_foreign_key_index(
    alter_field: migrations.AlterField, *, table: str, column: str, index: str
):
    """`alter_field` (a foreign key gaining db_index=False) as the one statement it needs:
    DROP INDEX. Django's own AlterField would also drop the foreign key's constraint and
    add it again, which checks every row of the table under a lock that stops writes (or,
    on SQLite, copies the whole table). The name is the one Django gave the index, the same
    on either database."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[alter_field],
        database_operations=[
            migrations.RunSQL(
                # Not IF EXISTS: a name that is not Django's fails the migration loudly.
                f'DROP INDEX "{index}"',
                reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
            )
        ],
    )
