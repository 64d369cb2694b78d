import os

from piccolo.conf.apps import AppConfig

from marketplace.awards.tables import (
    Assessment,
    Award,
    AwardLine,
    Evaluation,
    OutcomeRead,
    PilotScore,
    ProviderQuality,
    QualityWeights,
    RankingReview,
    RankingReviewEntry,
)
from marketplace.care.tables import AwardedCare

APP_CONFIG = AppConfig(
    app_name="awards",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Evaluation,
        Assessment,
        PilotScore,
        ProviderQuality,
        Award,
        AwardLine,
        # The care domain's table (marketplace/care/tables.py): its migration history began here.
        AwardedCare,
        QualityWeights,
        RankingReview,
        RankingReviewEntry,
        OutcomeRead,
    ],
    migration_dependencies=[
        "marketplace.tenders.piccolo_app",
        "marketplace.accounts.piccolo_app",
        "marketplace.bids.piccolo_app",
    ],
    commands=[],
)
