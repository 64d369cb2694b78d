"""Password hashing with argon2id (run in a worker thread: it is deliberately slow)."""

from __future__ import annotations

import os

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marketplace.config import get_settings


def _make_hasher() -> PasswordHasher:
    """argon2id with RFC 9106's low-memory profile; the test suite may ask for a cheap
    argon2id (development mode only) because it hashes hundreds of passwords."""

    if (
        os.environ.get("MARKETPLACE_CHEAP_PASSWORD_HASHING") == "1"
        and not get_settings().production
    ):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


_hasher = _make_hasher()
# Verified against when the email is unknown, so that both answers take as long.
_UNKNOWN_USER_HASH = _hasher.hash("no such user: this hash only spends the same time")

MIN_PASSWORD_LENGTH = 12


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def password_matches(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify)
