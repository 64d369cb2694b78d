import os

from piccolo.conf.apps import AppConfig

from marketplace.reference.tables import Area, Lot, Postcode, Pricing
from marketplace.tenders.tables import (
    CallOff,
    CallOffArea,
    CallOffDocument,
    CallOffPackage,
    ContingencyDigest,
    ContingencySettings,
    GuestPass,
    Invitation,
    OffFrameworkPlacement,
    Package,
)

APP_CONFIG = AppConfig(
    app_name="tenders",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Lot,
        Area,
        Postcode,
        Pricing,
        Package,
        CallOff,
        CallOffArea,
        CallOffPackage,
        Invitation,
        GuestPass,
        CallOffDocument,
        ContingencySettings,
        ContingencyDigest,
        OffFrameworkPlacement,
    ],
    migration_dependencies=["marketplace.accounts.piccolo_app"],
    commands=[],
)
