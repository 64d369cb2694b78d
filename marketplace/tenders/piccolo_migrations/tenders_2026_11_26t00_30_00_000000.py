from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "a lot's own rule (one provider per area); the pricing's optional maximum rates per service "
    "level and for night units"
)

PARAMS = {
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}
PRICING_RATES = (
    "max_complex_hourly_rate_pence",
    "max_highly_complex_hourly_rate_pence",
    "max_sleep_in_night_pence",
    "max_waking_night_hourly_rate_pence",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenders", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Lot",
        tablename="lot",
        column_name="one_provider_per_area",
        db_column_name="one_provider_per_area",
        column_class_name="Boolean",
        column_class=Boolean,
        params={"default": False, "null": False, **PARAMS},
        schema=None,
    )
    for name in PRICING_RATES:
        manager.add_column(
            table_class_name="Pricing",
            tablename="pricing",
            column_name=name,
            db_column_name=name,
            column_class_name="Integer",
            column_class=Integer,
            params={"default": None, "null": True, **PARAMS},
            schema=None,
        )

    return manager
