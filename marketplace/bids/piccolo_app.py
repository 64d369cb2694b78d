import os

from piccolo.conf.apps import AppConfig

from marketplace.bids.tables import (
    Bid,
    BidAttachment,
    CallOffKey,
    Decline,
    Opening,
    OpeningApproval,
)

APP_CONFIG = AppConfig(
    app_name="bids",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[CallOffKey, Bid, Opening, OpeningApproval, BidAttachment, Decline],
    migration_dependencies=["marketplace.tenders.piccolo_app", "marketplace.accounts.piccolo_app"],
    commands=[],
)
