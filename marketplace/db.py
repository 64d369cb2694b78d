"""Database engines and the one way services open a write transaction.

SQLite's default DEFERRED transactions lose updates when two of them read and then write, so every
write transaction on SQLite is IMMEDIATE (it takes the write lock at BEGIN). PostgreSQL transactions
use row locks instead, taken with `for_update()` where a service reads what it will change.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast
from urllib.parse import unquote, urlparse
from uuid import UUID

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from marketplace.config import get_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def engine_from_url(url: str) -> Engine:
    """Make a Piccolo engine for `postgresql://...` or `sqlite:///path`."""
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        return PostgresEngine(config={"dsn": url})
    if parsed.scheme == "sqlite" and url.startswith("sqlite:///"):
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy reads them.
        return SQLiteEngine(
            path=unquote(url[len("sqlite:///") :]), timeout=SQLITE_BUSY_TIMEOUT_SECONDS
        )
    raise ValueError(
        f"DATABASE_URL must start with postgresql:// or sqlite:///, not {parsed.scheme!r}"
    )


_engine: Engine | None = None


def current_engine() -> Engine:
    """The engine every table of the marketplace is bound to."""
    global _engine
    if _engine is None:
        _engine = engine_from_url(get_settings().database_url)
    return _engine


def use_engine(engine: Engine) -> None:
    """Make `engine` the current one (marketplace.binding points every table at it)."""
    global _engine
    _engine = engine


def is_postgres(engine: Engine | None = None) -> bool:
    return (engine or current_engine()).engine_type == "postgres"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """Open the unit of work: IMMEDIATE on SQLite, a plain transaction on PostgreSQL.

    Nested calls join the outer transaction.
    """
    engine = current_engine()
    if engine.current_transaction.get() is not None:
        yield engine.current_transaction.get()
        return
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn
    else:
        async with _PostgresTransaction(cast(PostgresEngine, engine)) as txn:
            yield txn


@dataclass(frozen=True)
class Statement:
    """One hand-written write (INSERT or UPDATE, no RETURNING) and its values: `{}` marks each."""

    sql: str
    values: tuple[Any, ...]


async def write_together(*statements: Statement) -> None:
    """Run these writes in the caller's transaction (or one of their own), in order. On
    PostgreSQL they go as one statement, in one round trip: each but the last a data-modifying
    WITH query, which PostgreSQL runs exactly once and to the end whether or not it is read (the
    writes must not touch the same row: they all see the statement's one snapshot). On SQLite,
    in the process, one by one."""
    if not statements:
        return
    engine = current_engine()
    async with write_transaction():
        if not is_postgres(engine):
            for statement in statements:
                await engine.run_querystring(QueryString(statement.sql, *statement.values))
            return
        *first, last = statements
        sql = ""
        if first:
            sql = "WITH " + ", ".join(
                f"w{index} AS ({statement.sql.strip()})" for index, statement in enumerate(first)
            )
        values = [value for statement in statements for value in statement.values]
        await engine.run_querystring(QueryString(f"{sql}\n{last.sql.strip()}", *values))


def in_transaction() -> bool:
    """Whether a transaction is open in this task (a write_transaction() would join it)."""
    return current_engine().current_transaction.get() is not None


class _PostgresTransaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, made safe against a server that goes away mid-way
    (a restart, a failover, a dropped connection). Piccolo's own returns the connection to the
    pool and forgets the transaction only when BEGIN, COMMIT and ROLLBACK all succeed: a failed
    one left the pool a connection short for good (so after enough failures every request waited
    for a connection that never came back) and left the transaction set for later queries of the
    same task. Here the connection always goes back (a broken one is discarded by the pool), the
    transaction is always forgotten, and the error that broke the transaction is the one raised."""

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is None:
                if not self._committed and not self._rolled_back:
                    await self.commit()
            elif not self._rolled_back:
                try:
                    await self.rollback()
                except Exception:
                    # The connection is unusable (the server ended it): nothing to roll back,
                    # PostgreSQL does that itself; the original error says what happened.
                    with contextlib.suppress(Exception):
                        self.connection.terminate()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back()
        return exception is None

    async def _give_back(self) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            with contextlib.suppress(Exception):
                await self.connection.close()


def for_update(query: Any) -> Any:
    """Lock the selected rows until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the database's write lock)."""
    if is_postgres():
        return query.lock_rows("UPDATE")
    return query


# Bound parameters in one statement: under the limits of SQLite (32,766) and asyncpg (32,767).
MAX_PARAMETERS = 32_000


async def insert_rows(
    table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows (values in the order of `columns`) set-based, in the caller's
    transaction if there is one, without a Piccolo object per row: on PostgreSQL one statement
    whatever the number of rows (`INSERT ... SELECT * FROM unnest(...)`, an array a column); on
    SQLite (and for a single row) multi-row INSERTs, as few as SQLite's limit on bound
    parameters allows (one for a few thousand rows)."""
    if not rows:
        return
    async with write_transaction():
        if is_postgres() and len(rows) > 1:  # one row (a bid's receipt): VALUES, as ever
            types = [table._meta.get_column_by_name(name).column_type for name in columns]
            arrays = ", ".join(f"{{}}::{column_type}[]" for column_type in types)
            await table.raw(
                f"{_insert_head(table, columns)}SELECT * FROM unnest({arrays})",  # noqa: S608
                *[list(values) for values in zip(*rows, strict=True)],
            )
            return
        await _insert_values(table, columns, rows)


def _insert_head(table: type[Table], columns: Sequence[str]) -> str:
    # Names from the code, never from input; every value is bound.
    names = ", ".join(_quoted(name) for name in columns)
    return f"INSERT INTO {_quoted(table._meta.tablename)} ({names}) "


async def _insert_values(
    table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[Any]], suffix: str = ""
) -> None:
    """Multi-row INSERTs (`suffix` after each: an ON CONFLICT clause), as few as the limit on a
    statement's bound values allows."""
    one_row = "(" + ", ".join(["{}"] * len(columns)) + ")"
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    for first in range(0, len(rows), per_statement):
        chunk = rows[first : first + per_statement]
        await table.raw(
            f"{_insert_head(table, columns)}VALUES {', '.join([one_row] * len(chunk))}{suffix}",
            *[value for row in chunk for value in row],
        )


async def upsert(row: Any, keys: tuple[Any, ...], values: list[Any]) -> None:
    """Insert `row`, or where a row with the same `keys` (columns of a unique index) exists,
    set its `values` columns from `row` instead: one atomic statement on both engines."""
    await type(row).insert(row).on_conflict(target=keys, action="DO UPDATE", values=values)


async def upsert_all(rows: list[Any], keys: tuple[Any, ...], values: list[Any]) -> None:
    """`upsert` of each of these rows of one table (no two with the same `keys`), in as few
    statements as `insert_all` (and, like it, for tables whose key is not a serial)."""
    if not rows:
        return
    target = ", ".join(_quoted(column._meta.db_column_name) for column in keys)
    updates = ", ".join(
        f"{_quoted(column._meta.db_column_name)} = excluded.{_quoted(column._meta.db_column_name)}"
        for column in values
    )
    await _insert(rows, f" ON CONFLICT ({target}) DO UPDATE SET {updates}")


# Values the drivers take as they are; any other is converted as Piccolo's own inserts do.
_PLAIN_VALUES = (str, int, float, Decimal, UUID, datetime, date, type(None))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def insert_all(rows: list[Any]) -> None:
    """Insert these rows of one table in as few statements as the engines' limit on a
    statement's values allows (one statement for up to ~1,500 rows of 20 columns), written
    directly rather than built by Piccolo row by row (the close inserts thousands). For tables
    whose primary key is given (not a serial)."""
    await _insert(rows, "")


async def _insert(rows: list[Any], conflict: str) -> None:
    if not rows:
        return
    table = type(rows[0])
    columns = table._meta.columns
    values = []
    for row in rows:
        given = []
        for column in columns:
            value = getattr(row, column._meta.name)
            plain = isinstance(value, _PLAIN_VALUES) and not isinstance(value, Enum)
            given.append(value if plain else convert_to_sql_value(value, column))
        values.append(given)
    names = [column._meta.db_column_name for column in columns]
    await _insert_values(table, names, values, conflict)


_pool_users = 0
# Two starters at once (two arq workers in one process) must not both create a pool: the one
# assigned second would replace the first while its connections are out, and releasing them then
# fails ("Pool.release() received invalid connection").
_pool_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _pool_lock() -> asyncio.Lock:
    """This event loop's lock on the pool (a lock belongs to one loop; tests run several)."""
    loop = asyncio.get_running_loop()
    lock = _pool_locks.get(loop)
    if lock is None:
        lock = _pool_locks[loop] = asyncio.Lock()
    return lock


async def start_engine() -> None:
    """Open the PostgreSQL connection pool (shared by everything in this process that asks)."""
    global _pool_users
    engine = current_engine()
    async with _pool_lock():
        _pool_users += 1
        if isinstance(engine, PostgresEngine) and engine.pool is None:
            await engine.start_connection_pool(**pool_options())


async def _reset_connection(connection: Any) -> None:
    """What a connection needs before the pool hands it out again. The app takes no advisory
    locks, opens no cursors, listens to nothing and sets nothing for the session, so asyncpg's
    full reset (a round trip on every release, so on every query outside a transaction) is
    needed only to end a transaction left open."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def pool_options() -> dict[str, Any]:
    """How every process of the app pools its PostgreSQL connections."""
    return {"min_size": 1, "max_size": 20, "reset": _reset_connection}


async def stop_engine() -> None:
    """Close the pool when the last user of it in this process stops."""
    global _pool_users
    engine = current_engine()
    async with _pool_lock():
        _pool_users = max(0, _pool_users - 1)
        if _pool_users == 0 and isinstance(engine, PostgresEngine) and engine.pool is not None:
            await engine.close_connection_pool()
