from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T10:23:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "one pricing per commissioner and lot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenders", description=DESCRIPTION)

    async def one_pricing_per_lot():
        # A composite unique index works on both engines; SQLite cannot ADD CONSTRAINT.
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS pricing_one_per_lot ON "pricing" ("commissioner", "lot")'
        )

    async def drop_one_pricing_per_lot():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS pricing_one_per_lot")

    manager.add_raw(one_pricing_per_lot)
    manager.add_raw_backwards(drop_one_pricing_per_lot)
    return manager
