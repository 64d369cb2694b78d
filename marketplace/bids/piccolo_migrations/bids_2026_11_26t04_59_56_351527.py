from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T04:59:56:351527"
VERSION = "1.38.0"
DESCRIPTION = "the receipt version of a bid: 2 keyed (HMAC), 1 for receipts made before"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bids", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Bid",
        tablename="bid",
        column_name="receipt_version",
        db_column_name="receipt_version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 1,
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
