from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey
from piccolo.engine import engine_finder

ID = "2026-11-26T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the opportunity feed's indexes: open call-offs by deadline, invitations by call-off and provider"

# The feed (marketplace/tenders/opportunities/feed.py) pages a provider's invitations to open
# call-offs by (deadline, id): PostgreSQL either walks the open call-offs in that order and
# looks each invitation up by (call-off, provider), or reads the provider's invitations and each
# call-off by its key, whichever its statistics say is cheaper for that provider. The index on
# (call-off, provider) serves every lookup by call-off too, so the one on the call-off alone goes.
INDEXES = {
    "call_off_status_deadline_id": 'ON "call_off" ("status", "deadline", "id")',
    "invitation_call_off_provider": 'ON "invitation" ("call_off", "provider")',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenders", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Invitation",
        tablename="invitation",
        column_name="call_off",
        db_column_name="call_off",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    async def create_indexes():
        for name, definition in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} {definition}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
