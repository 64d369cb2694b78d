from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T00:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "when the provider accepted the lot's maximum prices (night rates included)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="admissions", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Admission",
        tablename="admission",
        column_name="maximum_prices_accepted_at",
        db_column_name="maximum_prices_accepted_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
