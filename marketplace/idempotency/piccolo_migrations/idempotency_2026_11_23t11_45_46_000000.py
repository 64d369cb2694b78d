from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:45:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "one response per user and Idempotency-Key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="idempotency", description=DESCRIPTION)

    async def one_response_per_key():
        # A composite unique index works on both engines; SQLite cannot ADD CONSTRAINT. It is what
        # stops two simultaneous requests with one key from both going ahead.
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS idempotent_response_one_per_key "
            'ON "idempotent_response" ("user_id", "key")'
        )

    async def drop_one_response_per_key():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS idempotent_response_one_per_key")

    manager.add_raw(one_response_per_key)
    manager.add_raw_backwards(drop_one_response_per_key)
    return manager
