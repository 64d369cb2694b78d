from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T23:11:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "awarded care written before the care domain: its commissioner, call-off, kind, area, status and hours"

# Correlated subqueries work on both engines. Care with a recorded start is active; the rest
# awaits its start. The hours now are the hours awarded (nothing varied them yet).
BACKFILL = """
UPDATE "awarded_care" SET
    "call_off" = (SELECT l."call_off" FROM "award_line" l WHERE l."id" = "awarded_care"."award_line"),
    "commissioner" = (
        SELECT c."commissioner" FROM "award_line" l JOIN "call_off" c ON c."id" = l."call_off"
        WHERE l."id" = "awarded_care"."award_line"
    ),
    "kind" = (
        SELECT c."kind" FROM "award_line" l JOIN "call_off" c ON c."id" = l."call_off"
        WHERE l."id" = "awarded_care"."award_line"
    ),
    "area" = (SELECT p."area" FROM "package" p WHERE p."id" = "awarded_care"."package"),
    "current_weekly_hours" = "weekly_hours",
    "status" = CASE WHEN "actual_start" IS NULL THEN 'awaiting_start' ELSE 'active' END
WHERE "call_off" IS NULL
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)

    async def backfill():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(BACKFILL)

    manager.add_raw(backfill)
    return manager
