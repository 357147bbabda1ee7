"""Moving the test database along the migration graph, for the tests of data migrations."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` (a list of (app, migration name or None)); the executor holds the state there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest():
    """Every app's newest migration: the targets that bring the database back to the code's schema."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
