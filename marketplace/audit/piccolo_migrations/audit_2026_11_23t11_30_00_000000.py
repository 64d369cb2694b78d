from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the audit log is append-only (PostgreSQL triggers)"

AUDIT_TABLES = ("audit_event", "audit_seal", "audit_event_digest")

REFUSE = """
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _is_postgres() -> bool:
    engine = engine_finder()
    return engine is not None and engine.engine_type == "postgres"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def refuse_changes():
        # SQLite (development and tests) has no such guard: the chain still detects changes.
        if not _is_postgres():
            return
        engine = engine_finder()
        await engine.run_ddl(REFUSE)
        for table in AUDIT_TABLES:
            # Statement-level, so that an UPDATE or DELETE matching no row is refused as well;
            # TRUNCATE fires no row triggers.
            await engine.run_ddl(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE '
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()'
            )

    async def allow_changes():
        if not _is_postgres():
            return
        engine = engine_finder()
        for table in AUDIT_TABLES:
            await engine.run_ddl(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')
        await engine.run_ddl("DROP FUNCTION IF EXISTS audit_log_is_append_only()")

    manager.add_raw(refuse_changes)
    manager.add_raw_backwards(allow_changes)
    return manager
