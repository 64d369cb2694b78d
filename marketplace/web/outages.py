"""Which backing service an error says is out of reach: the database (PostgreSQL stopped,
restarting or refusing connections; SQLite locked past its busy timeout), the document archive
(S3), the job queue (Redis) or the mail relay. Such a failure is answered 503 with a sentence
saying what is down and to try again, never 500 (docs/operations.md, "When a dependency fails")."""

from __future__ import annotations

import sqlite3
import traceback

import asyncpg
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Every answer's sentence, by dependency: what cannot be reached and what the user should do.
SENTENCES = {
    "database": (
        "The database is not answering just now, so your request was not completed. "
        "Try again in a minute."
    ),
    "archive": (
        "The document archive is not answering just now, so your request was not completed and "
        "no document was stored. Try again in a few minutes."
    ),
    "queue": (
        "The job queue is not answering just now, so your request was not completed. "
        "Try again in a few minutes."
    ),
    "mail": (
        "The mail relay is not answering just now, so your request was not completed. "
        "Try again in a few minutes."
    ),
}
RETRY_AFTER_SECONDS = 30
# Where an operating-system connection error came from, by the package that raised it.
_PACKAGES = {"asyncpg": "database", "botocore": "archive", "redis": "queue", "aiosmtplib": "mail"}


def _database_unreachable(exc: BaseException) -> bool:
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError  # the connection broke or was never made
        | asyncpg.exceptions.OperatorInterventionError  # shutting down, or starting up
        | asyncpg.exceptions.TooManyConnectionsError,
    ):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return "closed" in str(exc)  # a pooled connection the server has gone away from
    if isinstance(exc, asyncpg.exceptions.InternalClientError):
        # A connection still reading the server's farewell ("terminating connection") when
        # it was used: the server went away under it.
        return "another operation" in str(exc)
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def _archive_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, BotocoreConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return int(status) >= 500
    return False


def _raised_by(exc: BaseException) -> str | None:
    """The dependency whose client library raised this OS-level error, if one of them did."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        for package, name in _PACKAGES.items():
            if f"/{package}/" in frame.filename:
                return name
    return None


def unreachable_dependency(exc: BaseException) -> str | None:
    """The dependency `exc` (or an error it was raised from) says cannot be reached, or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _database_unreachable(current):
            return "database"
        if _archive_unreachable(current):
            return "archive"
        if isinstance(current, RedisConnectionError | RedisTimeoutError):
            return "queue"
        if isinstance(current, ConnectionError | TimeoutError) and (found := _raised_by(current)):
            return found
        current = current.__cause__ or current.__context__
    return None
