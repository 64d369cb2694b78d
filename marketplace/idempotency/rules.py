"""What a request carrying an Idempotency-Key gets: the rules, with no database in sight."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = timedelta(hours=24)
# Unsafe methods only: GET and friends are idempotent already.
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY = re.compile(r"[\x20-\x7e]{1,255}")

Outcome = Literal["proceed", "replay", "different_request", "in_progress"]


@dataclass(frozen=True)
class RequestSeen:
    """What makes two requests "the same": method, path (with query) and the body's digest."""

    method: str
    path: str
    fingerprint: str


@dataclass(frozen=True)
class StoredResponse:
    request: RequestSeen
    created_at: datetime
    status_code: int | None  # None while the first request is still in progress
    headers: list[tuple[str, str]]
    body: bytes


def is_valid_key(key: str) -> bool:
    """A key is 1 to 255 printable ASCII characters."""
    return _KEY.fullmatch(key) is not None


def fingerprint(body: bytes) -> str:
    """The SHA-256 of the request body, as hex."""
    return hashlib.sha256(body).hexdigest()


def has_expired(stored: StoredResponse, now: datetime) -> bool:
    """A key is remembered for 24 hours; after that it is free to be used again."""
    return stored.created_at <= now - KEY_LIFETIME


def outcome_for(stored: StoredResponse | None, request: RequestSeen, now: datetime) -> Outcome:
    """A new key proceeds; a repeat of the same request gets the first response back; a key
    reused for another request is refused, and so is a repeat while the first is unfinished."""
    if stored is None or has_expired(stored, now):
        return "proceed"
    if stored.request != request:
        return "different_request"
    if stored.status_code is None:
        return "in_progress"
    return "replay"
