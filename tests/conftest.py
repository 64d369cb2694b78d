"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, against real services.

`make test` starts PostgreSQL, Redis, S3 (moto server) and the SMTP sink with infra/services.sh
and exports where they are (DATABASE_URL, REDIS_URL, S3_ENDPOINT_URL, SMTP_URL). Each test then
gets its own empty, migrated database on the engine it is parametrised with.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

# Shared machines are noisy: property tests are judged on their properties, never on their speed.
hypothesis.settings.register_profile(
    "marketplace", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("marketplace")

SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "SMTP_URL")
# Kept under a name the app never reads, so that pytest-xdist's worker processes (started after
# this module has taken the variables away) find the services too.
_KEPT = "MARKETPLACE_TESTS_SERVICE_"
_SERVICES: dict[str, str] = {
    name: os.environ.get(name) or os.environ.get(_KEPT + name, "") for name in SERVICE_VARIABLES
}
os.environ.update({_KEPT + name: url for name, url in _SERVICES.items()})
# The app under test must not pick these up by accident: each test says what it uses.
for _name in (*SERVICE_VARIABLES, "S3_BUCKET", "MARKETPLACE_ENV"):
    os.environ.pop(_name, None)
# argon2id still, with cheap parameters: the suite hashes hundreds of passwords.
os.environ["MARKETPLACE_CHEAP_PASSWORD_HASHING"] = "1"


def service_url(name: str) -> str:
    url = _SERVICES.get(name)
    if not url:
        pytest.fail(
            f"{name} is not set: run the tests with `make test`, or start the services with "
            '`eval "$(infra/services.sh start)"` first'
        )
    if name == "REDIS_URL":
        return redis_url()
    return url


def redis_url(offset: int = 0) -> str:
    """A Redis database of this pytest process's own: `make test` runs several processes
    (pytest-xdist) against one Redis, and queues or counters must not cross between them.
    Process gwN uses databases 2N+2 and 2N+3 (offset 1); a run without xdist uses 0 and 1."""
    base = _SERVICES.get("REDIS_URL") or service_url("REDIS_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    first = 2 * int(worker.removeprefix("gw")) + 2 if worker.startswith("gw") else 0
    return base.rsplit("/", 1)[0] + f"/{first + offset}"


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """The domains wired together as the web process and the worker wire them."""
    from marketplace.wiring import wire

    wire()


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("var")
    os.environ["MARKETPLACE_VAR_DIR"] = str(path)
    return path


@pytest.fixture(autouse=True)
def fresh_settings(var_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from marketplace.config import reset_settings
    from marketplace.web.limits import forget_counters

    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(var_dir))
    reset_settings()
    forget_counters()
    yield
    reset_settings()


def _test_database_name() -> str:
    # One database per pytest process, so that runs side by side never share one.
    return f"marketplace_test_{os.getpid()}"


async def recreate_postgres_database(admin_url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def run_in_own_loop(coroutine: Any) -> Any:
    """Run a coroutine to completion from sync code, even when a loop is already running here."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _migrate(engine: Any) -> None:
    from marketplace.binding import bind_engine
    from marketplace.migrate import migrate

    bind_engine(engine)
    run_in_own_loop(migrate())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    _migrate(SQLiteEngine(path=str(path)))
    return path


async def drop_postgres_database(admin_url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin_url = service_url("DATABASE_URL")
    name = _test_database_name()
    run_in_own_loop(recreate_postgres_database(admin_url, name))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    _migrate(PostgresEngine(config={"dsn": url}))
    yield url
    run_in_own_loop(drop_postgres_database(admin_url, name))


async def _empty_postgres(engine: PostgresEngine) -> None:
    import asyncpg

    from marketplace.binding import all_tables

    names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
    connection = await asyncpg.connect(engine.config["dsn"])
    try:
        # The audit tables' triggers refuse TRUNCATE; `replica` skips ordinary triggers, for this
        # connection only (the tests' database user is a superuser).
        await connection.execute("SET session_replication_role = replica")
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """An empty, migrated database on the engine named by the parameter; yields the engine name."""
    from marketplace.binding import bind_engine
    from marketplace.config import reset_settings
    from marketplace.db import engine_from_url

    if request.param == "sqlite":
        path = tmp_path / "marketplace.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    engine = engine_from_url(url)
    if isinstance(engine, PostgresEngine):
        await _empty_postgres(engine)
    bind_engine(engine)
    yield request.param


@pytest.fixture
async def client(db: str) -> AsyncIterator[Any]:
    """The whole ASGI app (static files in front of Litestar) in this test's event loop, with a
    cookie-keeping client. (The lifespan's connection pool is left out: it would be a second way
    to reach the database; the browser tests run the app under uvicorn with its lifespan.)"""
    import httpx

    from marketplace.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local"
    ) as test_client:
        yield test_client


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An SMTP sink in this process that the app sends to (SMTP_URL), keeping every message."""
    from marketplace.config import reset_settings
    from tests.support_mail import Sink

    mail = Sink().start()
    monkeypatch.setenv("SMTP_URL", mail.url)
    reset_settings()
    yield mail
    mail.stop()


# The fuzzing figures (tests/fuzz/figures.py) are counted in whichever process ran the tests:
# each pytest-xdist worker hands its own to the controller, which prints the sum once.
def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.fuzz.figures import FIGURES

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzzing_figures"] = FIGURES.as_data()


def pytest_testnodedown(node: Any, error: Any) -> None:
    from tests.fuzz.figures import FIGURES

    data = getattr(node, "workeroutput", {}).get("fuzzing_figures")
    if data:
        FIGURES.add(data)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from tests.fuzz.figures import FIGURES

    lines = FIGURES.lines()
    if lines and not hasattr(config, "workeroutput"):
        terminalreporter.section("fuzzing figures")
        for line in lines:
            terminalreporter.write_line(line)
