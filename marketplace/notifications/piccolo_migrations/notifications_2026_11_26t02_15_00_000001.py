from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T02:15:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "emails written before the recipient column get it from their payload"

# The address an email entry was written to, from its JSON payload, in each engine's words.
FILL = {
    "postgres": "UPDATE outbox_entry SET recipient = lower(CAST(payload AS json) ->> 'to') "
    "WHERE job = 'send_email' AND recipient IS NULL",
    "sqlite": "UPDATE outbox_entry SET recipient = lower(json_extract(payload, '$.to')) "
    "WHERE job = 'send_email' AND recipient IS NULL",
}


async def fill_recipients() -> None:
    engine = engine_finder()
    await engine.run_ddl(FILL["postgres" if engine.engine_type == "postgres" else "sqlite"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)
    manager.add_raw(fill_recipients)
    return manager
