from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:11:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "a package reference is unique on its commissioner's waiting list"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenders", description=DESCRIPTION)

    async def one_reference_per_commissioner():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS package_one_reference_per_commissioner "
            'ON "package" ("commissioner", "reference")'
        )

    async def drop_one_reference_per_commissioner():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS package_one_reference_per_commissioner")

    manager.add_raw(one_reference_per_commissioner)
    manager.add_raw_backwards(drop_one_reference_per_commissioner)
    return manager
