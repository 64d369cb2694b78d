from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T23:13:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "one version number per commissioner's quality weights"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)

    async def one_per_version():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS quality_weights_one_per_version "
            'ON "quality_weights" ("commissioner", "version")'
        )

    async def drop_one_per_version():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS quality_weights_one_per_version")

    manager.add_raw(one_per_version)
    manager.add_raw_backwards(drop_one_per_version)
    return manager
