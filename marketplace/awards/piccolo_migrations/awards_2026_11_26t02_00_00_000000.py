from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "an evaluation keeps the quality scores it decided with; the award's re-ranking time is "
    "recorded apart from the evaluated time"
)


def _params(**params: object) -> dict[str, object]:
    return {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **params,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Evaluation",
        tablename="evaluation",
        column_name="reranked_at",
        db_column_name="reranked_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(),
        schema=None,
    )
    manager.add_column(
        table_class_name="Assessment",
        tablename="assessment",
        column_name="evaluated_quality_score",
        db_column_name="evaluated_quality_score",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=16),
        schema=None,
    )
    manager.add_column(
        table_class_name="Assessment",
        tablename="assessment",
        column_name="evaluated_quality",
        db_column_name="evaluated_quality",
        column_class_name="Text",
        column_class=Text,
        params=_params(),
        schema=None,
    )
    return manager
