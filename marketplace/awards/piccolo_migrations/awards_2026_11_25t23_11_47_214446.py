from piccolo.apps.migrations.auto.migration_manager import (
    AlterColumnCollection,
    MigrationManager,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Numeric
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import UUID
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table


class Area(Table, tablename="area", schema=None):
    id = UUID(
        default=UUID4(),
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


class CallOff(Table, tablename="call_off", schema=None):
    id = UUID(
        default=UUID4(),
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


class Organisation(Table, tablename="organisation", schema=None):
    id = UUID(
        default=UUID4(),
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-11-25T23:11:47:214446"
VERSION = "1.38.0"
DESCRIPTION = (
    "awarded care after the award: its commissioner, call-off, kind, area, status, current hours, "
    "start, hand-back, end and enablement result; a package may be awarded again (not unique)"
)

# SQLite cannot drop the UNIQUE written into awarded_care's CREATE TABLE (Piccolo's alter_column
# would run ALTER TABLE ... DROP CONSTRAINT): there the table is rebuilt without it, first, and
# the alter is left out. PostgreSQL runs the alter below (DROP CONSTRAINT awarded_care_package_key,
# CREATE INDEX awarded_care_package). The alter stays in the manager so that Piccolo's schema
# snapshot, from which --auto works out later migrations, knows the column is no longer unique.
SQLITE_REBUILD = [
    """CREATE TABLE "awarded_care_rebuilt" ("id" UUID PRIMARY KEY NOT NULL DEFAULT None,
    "award_line" UUID REFERENCES "award_line" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null,
    "package" UUID REFERENCES "package" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null,
    "provider" UUID REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null,
    "hourly_rate_pence" INTEGER NOT NULL DEFAULT 0, "weekly_hours" NUMERIC(7, 2) NOT NULL DEFAULT 0,
    "promised_mobilisation_date" DATE DEFAULT null, "actual_start" DATE DEFAULT null,
    "awarded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    """INSERT INTO "awarded_care_rebuilt" ("id", "award_line", "package", "provider",
    "hourly_rate_pence", "weekly_hours", "promised_mobilisation_date", "actual_start", "awarded_at")
    SELECT "id", "award_line", "package", "provider", "hourly_rate_pence", "weekly_hours",
    "promised_mobilisation_date", "actual_start", "awarded_at" FROM "awarded_care"
    """,
    'DROP TABLE "awarded_care"',
    'ALTER TABLE "awarded_care_rebuilt" RENAME TO "awarded_care"',
    'CREATE INDEX awarded_care_award_line ON "awarded_care" ("award_line")',
    'CREATE INDEX awarded_care_provider ON "awarded_care" ("provider")',
    'CREATE INDEX awarded_care_package ON "awarded_care" ("package")',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)

    async def package_no_longer_unique_on_sqlite():
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type != "sqlite":
            return
        for statement in SQLITE_REBUILD:
            await engine.run_ddl(statement)
        # Done above; Piccolo's ALTER COLUMN does not exist on SQLite.
        manager.alter_columns = AlterColumnCollection()

    # Raw steps run before the columns are added and altered.
    manager.add_raw(package_no_longer_unique_on_sqlite)

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="area",
        db_column_name="area",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Area,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="call_off",
        db_column_name="call_off",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": CallOff,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="commissioner",
        db_column_name="commissioner",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Organisation,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="current_weekly_hours",
        db_column_name="current_weekly_hours",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": None,
            "digits": (7, 2),
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="enablement_recorded_at",
        db_column_name="enablement_recorded_at",
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="enablement_result",
        db_column_name="enablement_result",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="end_reason",
        db_column_name="end_reason",
        column_class_name="Text",
        column_class=Text,
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="ended_at",
        db_column_name="ended_at",
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="handed_back_at",
        db_column_name="handed_back_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="kind",
        db_column_name="kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "cluster",
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="last_care_date",
        db_column_name="last_care_date",
        column_class_name="Date",
        column_class=Date,
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="late_start",
        db_column_name="late_start",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="start_recorded_at",
        db_column_name="start_recorded_at",
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

    manager.add_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="status",
        db_column_name="status",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "awaiting_start",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="AwardedCare",
        tablename="awarded_care",
        column_name="package",
        db_column_name="package",
        params={"unique": False, "index": True},
        old_params={"unique": True, "index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
