import os

from piccolo.conf.apps import AppConfig

from marketplace.quality.tables import QualityRecord

APP_CONFIG = AppConfig(
    app_name="quality",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[QualityRecord],
    migration_dependencies=["marketplace.accounts.piccolo_app", "marketplace.archive.piccolo_app"],
    commands=[],
)
