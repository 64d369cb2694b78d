import os

from piccolo.conf.apps import AppConfig

from marketplace.transparency.tables import OcdsRelease

APP_CONFIG = AppConfig(
    app_name="transparency",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OcdsRelease],
    migration_dependencies=[],
    commands=[],
)
