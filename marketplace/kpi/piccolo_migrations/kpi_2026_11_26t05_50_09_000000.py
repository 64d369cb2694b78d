from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T05:50:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "one KPI measure per reference, one return per quarter, one reminder a day"

INDEXES = {
    "kpi_measure_one_per_reference": 'ON "kpi_measure" ("lot", "reference")',
    "kpi_return_one_per_quarter": (
        'ON "kpi_return" ("commissioner", "lot", "provider", "year", "quarter")'
    ),
    "kpi_answer_one_per_measure": 'ON "kpi_answer" ("kpi_return", "measure")',
    "kpi_reminder_one_a_day": 'ON "kpi_reminder" ("kpi_return", "day")',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="kpi", description=DESCRIPTION)

    async def create_indexes():
        for name, definition in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} {definition}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
