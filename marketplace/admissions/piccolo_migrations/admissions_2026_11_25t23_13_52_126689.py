from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T23:13:52:126689"
VERSION = "1.38.0"
DESCRIPTION = "the tender evaluation score recorded at admission"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="admissions", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Admission",
        tablename="admission",
        column_name="tender_score",
        db_column_name="tender_score",
        column_class_name="Integer",
        column_class=Integer,
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
