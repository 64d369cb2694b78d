from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T00:20:57:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "one contingency digest per commissioner a day; the clocks of packages already offered start "
    "at the first publication of a call-off holding them"
)

_BACKFILL = (
    'UPDATE "package" SET first_offered_at = ('
    "SELECT MIN(c.published_at) FROM call_off_package cp JOIN call_off c ON c.id = cp.call_off "
    'WHERE cp.package = "package".id AND c.published_at IS NOT NULL), '
    "contingency_reason = CASE WHEN contingency_since IS NOT NULL THEN 'no_award' "
    "ELSE 'waiting' END "
    "WHERE status IN ('waiting', 'in_call_off') AND handed_back_at IS NULL "
    "AND first_offered_at IS NULL"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenders", description=DESCRIPTION)

    async def once_a_day_and_backfill():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS contingency_digest_once_a_day "
            'ON "contingency_digest" ("commissioner", "day")'
        )
        await engine.run_ddl(_BACKFILL)
        await engine.run_ddl(
            'UPDATE "package" SET contingency_reason = NULL WHERE first_offered_at IS NULL '
            "AND handed_back_at IS NULL"
        )
        await engine.run_ddl(
            "UPDATE \"package\" SET contingency_reason = 'handed_back' "
            "WHERE handed_back_at IS NOT NULL AND status IN ('waiting', 'in_call_off')"
        )

    async def drop_once_a_day():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS contingency_digest_once_a_day")

    manager.add_raw(once_a_day_and_backfill)
    manager.add_raw_backwards(drop_once_a_day)
    return manager
