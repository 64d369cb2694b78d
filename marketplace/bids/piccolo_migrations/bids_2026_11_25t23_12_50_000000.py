from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T23:12:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "one decline per provider and call-off"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bids", description=DESCRIPTION)

    async def one_decline_per_provider():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS bid_decline_one_per_provider "
            'ON "bid_decline" ("call_off", "provider")'
        )

    async def drop_one_decline_per_provider():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS bid_decline_one_per_provider")

    manager.add_raw(one_decline_per_provider)
    manager.add_raw_backwards(drop_one_decline_per_provider)
    return manager
