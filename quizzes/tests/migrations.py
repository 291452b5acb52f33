"""For tests of a data migration: the database at an earlier migration, with its models
as they were, and back at the latest afterwards whatever happens."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@contextmanager
def migrated_back_to(target):
    """The database migrated back to `target`; yields that state's apps (historical
    models) and, on leaving, migrates forward to every app's latest migration."""
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(target)
        yield executor.loader.project_state(target).apps
    finally:
        latest = MigrationExecutor(connection)
        latest.migrate(latest.loader.graph.leaf_nodes())


def migrate_to(target) -> None:
    """Run the migrations up to `target` (a fresh executor sees the state migrate left)."""
    MigrationExecutor(connection).migrate(target)
