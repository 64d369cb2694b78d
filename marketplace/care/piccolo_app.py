import os

from piccolo.conf.apps import AppConfig

from marketplace.care.tables import CareEvent, EnablementOutcome, HoursVariation, StartCorrection

# AwardedCare itself is migrated by the awards app, where its history began.
APP_CONFIG = AppConfig(
    app_name="care",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[HoursVariation, StartCorrection, EnablementOutcome, CareEvent],
    migration_dependencies=["marketplace.awards.piccolo_app"],
    commands=[],
)
