"""Claiming an Idempotency-Key before a request runs, and keeping (or letting go of) its answer."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from marketplace.db import write_transaction
from marketplace.idempotency.rules import (
    KEY_LIFETIME,
    Outcome,
    RequestSeen,
    StoredResponse,
    outcome_for,
)
from marketplace.idempotency.tables import IdempotentResponse

_UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    row_id: UUID | None = None  # the pending row, when the request may proceed
    stored: StoredResponse | None = None


def _stored(row: dict[str, Any]) -> StoredResponse:
    return StoredResponse(
        request=RequestSeen(row["method"], row["path"], row["request_fingerprint"]),
        created_at=row["created_at"],
        status_code=row["status_code"],
        headers=[(name, value) for name, value in json.loads(row["response_headers"])],
        body=bytes(row["response_body"] or b""),
    )


async def _find(user_id: UUID, key: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await IdempotentResponse.select()
        .where((IdempotentResponse.user_id == user_id) & (IdempotentResponse.key == key))
        .first()
    )
    return row


async def claim_key(user_id: UUID, key: str, request: RequestSeen) -> Claim:
    """Record a pending response for (user, key) in its own transaction, so that a second request
    with the key finds it; or say what the existing record means for this request."""
    now = datetime.now(UTC)
    row_id = uuid4()
    try:
        async with write_transaction():
            row = await _find(user_id, key)
            outcome = outcome_for(_stored(row) if row else None, request, now)
            if outcome != "proceed":
                return Claim(outcome, stored=_stored(row) if row else None)
            if row is not None:  # expired: the key is free again
                await IdempotentResponse.delete().where(IdempotentResponse.id == row["id"])
            await IdempotentResponse.insert(
                IdempotentResponse(
                    id=row_id,
                    user_id=user_id,
                    key=key,
                    method=request.method,
                    path=request.path,
                    request_fingerprint=request.fingerprint,
                    created_at=now,
                )
            )
    except _UNIQUE_VIOLATIONS:
        # Another request with this key claimed it between our read and our insert.
        row = await _find(user_id, key)
        if row is None:
            return Claim("in_progress")
        stored = _stored(row)
        outcome = outcome_for(stored, request, now)
        return Claim("in_progress" if outcome == "proceed" else outcome, stored=stored)
    return Claim("proceed", row_id=row_id)


async def record_response(
    row_id: UUID, status_code: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Complete a pending record with the response its request got."""
    async with write_transaction():
        await IdempotentResponse.update(
            {
                IdempotentResponse.status_code: status_code,
                IdempotentResponse.response_headers: json.dumps(headers),
                IdempotentResponse.response_body: body,
            }
        ).where(IdempotentResponse.id == row_id)


async def release_key(row_id: UUID) -> None:
    """Forget a pending record whose request failed, so that a corrected retry can proceed."""
    async with write_transaction():
        await IdempotentResponse.delete().where(IdempotentResponse.id == row_id)


async def forget_expired_keys(now: datetime | None = None) -> int:
    """Delete the responses kept for keys older than their lifetime (the upkeep's sweep: an
    expired key is free again anyway, so this only keeps the table small); returns how many."""
    cutoff = (now or datetime.now(UTC)) - KEY_LIFETIME
    old = IdempotentResponse.created_at <= cutoff
    # Counted first, outside a write transaction: most sweeps find nothing and take no lock.
    expired = await IdempotentResponse.count().where(old)
    if expired:
        async with write_transaction():
            await IdempotentResponse.delete().where(old)
    return int(expired)
