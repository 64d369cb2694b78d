import os

from piccolo.conf.apps import AppConfig

from marketplace.notifications.tables import OutboxEntry

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OutboxEntry],
    migration_dependencies=[],
    commands=[],
)
