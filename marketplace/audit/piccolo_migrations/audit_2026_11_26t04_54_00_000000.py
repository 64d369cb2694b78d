from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T04:54:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the anchors' bookkeeping is append-only (PostgreSQL trigger)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def refuse_changes():
        # Like the other audit tables (the function is the 2026-11-23T11:30 migration's).
        engine = engine_finder()
        if engine is None or engine.engine_type != "postgres":
            return
        await engine.run_ddl(
            'CREATE TRIGGER "audit_anchor_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE '
            'ON "audit_anchor" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()'
        )

    async def allow_changes():
        engine = engine_finder()
        if engine is None or engine.engine_type != "postgres":
            return
        await engine.run_ddl('DROP TRIGGER IF EXISTS "audit_anchor_append_only" ON "audit_anchor"')

    manager.add_raw(refuse_changes)
    manager.add_raw_backwards(allow_changes)
    return manager
