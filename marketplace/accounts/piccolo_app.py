import os

from piccolo.conf.apps import AppConfig

from marketplace.accounts.tables import (
    ApiToken,
    BrowserSession,
    CqcRatingChange,
    Organisation,
    RecoveryCode,
    TwoFactor,
    User,
)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Organisation,
        User,
        BrowserSession,
        ApiToken,
        CqcRatingChange,
        TwoFactor,
        RecoveryCode,
    ],
    migration_dependencies=[],
    commands=[],
)
