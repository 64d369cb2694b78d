"""Binding every table of every app to the engine: the app, the worker and the command at
start-up, and the tests when they switch engines. Above the domains: it knows all their tables."""

from __future__ import annotations

from collections.abc import Iterable

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.table import Table

from marketplace import db
from marketplace.piccolo_conf import APP_REGISTRY


def all_tables() -> list[type[Table]]:
    """Every table of every marketplace app, in dependency order."""
    tables: list[type[Table]] = []
    for app_config in APP_REGISTRY.app_configs.values():
        tables.extend(app_config.table_classes)
    return tables


def bind_engine(engine: Engine, tables: Iterable[type[Table]] | None = None) -> None:
    """Point every table at `engine` (the app at start-up, and tests switching engines)."""
    db.use_engine(engine)
    bound: list[type[Table]] = [*(tables if tables is not None else all_tables()), Migration]
    for table in bound:
        table._meta.db = engine
