from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T05:11:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "an outcome is read once per user"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)

    async def once_per_user():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS outcome_read_once_per_user "
            'ON "outcome_read" ("user", "call_off")'
        )

    async def drop_once_per_user():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS outcome_read_once_per_user")

    manager.add_raw(once_per_user)
    manager.add_raw_backwards(drop_once_per_user)
    return manager
