import os

from piccolo.conf.apps import AppConfig

from marketplace.admissions.tables import (
    Admission,
    AdmissionArea,
    AdmissionDocument,
    Block,
    EnablementBar,
)

APP_CONFIG = AppConfig(
    app_name="admissions",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Admission, AdmissionArea, AdmissionDocument, Block, EnablementBar],
    migration_dependencies=[
        "marketplace.accounts.piccolo_app",
        "marketplace.tenders.piccolo_app",
        "marketplace.archive.piccolo_app",
    ],
    commands=[],
)
