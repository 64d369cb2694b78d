import os

from piccolo.conf.apps import AppConfig

from marketplace.archive.tables import Document

APP_CONFIG = AppConfig(
    app_name="archive",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Document],
    migration_dependencies=["marketplace.accounts.piccolo_app"],
    commands=[],
)
