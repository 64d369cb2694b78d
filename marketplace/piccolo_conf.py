"""Piccolo configuration: the engine comes from DATABASE_URL (see marketplace.db)."""

from typing import Any

from piccolo.conf.apps import AppRegistry

from marketplace.db import current_engine

APP_REGISTRY = AppRegistry(
    apps=[
        "marketplace.accounts.piccolo_app",
        "marketplace.tenders.piccolo_app",
        "marketplace.audit.piccolo_app",
        "marketplace.archive.piccolo_app",
        "marketplace.notifications.piccolo_app",
        "marketplace.bids.piccolo_app",
        "marketplace.admissions.piccolo_app",
        "marketplace.quality.piccolo_app",
        "marketplace.idempotency.piccolo_app",
        "marketplace.awards.piccolo_app",
        "marketplace.care.piccolo_app",
        "marketplace.transparency.piccolo_app",
        "marketplace.kpi.piccolo_app",
    ]
)


def __getattr__(name: str) -> Any:
    # Resolved on every lookup so that Piccolo's migrations use the engine the app is bound to.
    if name == "DB":
        return current_engine()
    raise AttributeError(name)
