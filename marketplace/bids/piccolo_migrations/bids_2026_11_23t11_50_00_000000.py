from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one approval per officer and call-off"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bids", description=DESCRIPTION)

    async def one_approval_per_officer():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS bid_opening_one_approval_per_officer "
            'ON "bid_opening_approval" ("call_off", "user_id")'
        )

    async def drop_one_approval_per_officer():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS bid_opening_one_approval_per_officer")

    manager.add_raw(one_approval_per_officer)
    manager.add_raw_backwards(drop_one_approval_per_officer)
    return manager
