from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T23:11:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open enablement bar per commissioner and provider"

INDEXES = {
    "enablement_bar_one_open": (
        'ON "enablement_bar" ("commissioner", "provider") WHERE "lifted_at" IS NULL'
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="admissions", description=DESCRIPTION)

    async def create_indexes():
        for name, definition in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} {definition}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
