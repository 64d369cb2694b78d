from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open application per provider, lot and commissioner; one open block"

# Partial unique indexes work on both engines; SQLite cannot ADD CONSTRAINT.
INDEXES = {
    "admission_one_open": (
        'ON "admission" ("provider", "lot", "commissioner") WHERE "status" = \'applied\''
    ),
    "admission_area_once": 'ON "admission_area" ("admission", "area")',
    "provider_block_one_open": (
        'ON "provider_block" ("commissioner", "provider") WHERE "unblocked_at" IS NULL'
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
