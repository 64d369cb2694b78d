"""DATABASE_URL picks the engine."""

from __future__ import annotations

import warnings

import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from marketplace.db import engine_from_url


def test_sqlite_urls_read_relative_and_absolute_paths() -> None:
    relative = engine_from_url("sqlite:///var/marketplace.sqlite")
    absolute = engine_from_url("sqlite:////tmp/marketplace.sqlite")
    assert isinstance(relative, SQLiteEngine) and relative.path == "var/marketplace.sqlite"
    assert isinstance(absolute, SQLiteEngine) and absolute.path == "/tmp/marketplace.sqlite"


def test_postgres_urls_make_a_postgres_engine() -> None:
    with warnings.catch_warnings():
        # Piccolo asks the server for its version when the engine is made; none is needed here.
        warnings.simplefilter("ignore")
        engine = engine_from_url("postgresql://postgres@127.0.0.1:5432/marketplace")
    assert isinstance(engine, PostgresEngine)
    assert engine.config == {"dsn": "postgresql://postgres@127.0.0.1:5432/marketplace"}


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        engine_from_url("mysql://localhost/marketplace")
