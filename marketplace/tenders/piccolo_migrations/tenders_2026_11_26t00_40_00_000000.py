from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a call-off's sourcing scope: framework (as before) or wider"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenders", description=DESCRIPTION)
    manager.add_column(
        table_class_name="CallOff",
        tablename="call_off",
        column_name="sourcing",
        db_column_name="sourcing",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "framework",
            "null": False,
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
