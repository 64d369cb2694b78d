from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T05:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one row per OCDS release id"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="transparency", description=DESCRIPTION)

    async def one_row_per_release():
        # A release id is published once: a unique index works on both engines.
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS ocds_release_one_id ON "ocds_release" ("release_id")'
        )

    async def drop_one_row_per_release():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS ocds_release_one_id")

    manager.add_raw(one_row_per_release)
    manager.add_raw_backwards(drop_one_row_per_release)
    return manager
