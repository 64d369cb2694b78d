from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:59:06:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "one score per evaluator, bid and area; one quality ranking per commissioner and provider"
)

INDEXES = {
    "pilot_score_one_per_evaluator": 'ON "pilot_score" ("bid_id", "area_code", "evaluator")',
    "provider_quality_one_per_pair": 'ON "provider_quality" ("commissioner", "provider")',
    "assessment_one_per_bid_and_area": 'ON "assessment" ("bid_id", "area_code")',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        assert engine is not None
        for name, target in INDEXES.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} {target}")

    async def drop_indexes():
        engine = engine_finder()
        assert engine is not None
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
