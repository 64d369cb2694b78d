import os

from piccolo.conf.apps import AppConfig

from marketplace.kpi.tables import KpiAnswer, KpiMeasure, KpiReminder, KpiReturn

APP_CONFIG = AppConfig(
    app_name="kpi",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[KpiMeasure, KpiReturn, KpiAnswer, KpiReminder],
    migration_dependencies=[
        "marketplace.accounts.piccolo_app",
        "marketplace.archive.piccolo_app",
        "marketplace.tenders.piccolo_app",
    ],
    commands=[],
)
