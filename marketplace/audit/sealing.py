"""Sealing the audit log in batches, and verifying the chain of seals (see README.md here)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from piccolo.columns.combination import WhereRaw

from marketplace.audit.anchors import anchor_new_seals, check_anchors
from marketplace.audit.chain import (
    GENESIS_HASH,
    BrokenLink,
    chain_hash,
    describe_event,
    event_digest,
)
from marketplace.audit.tables import AuditEvent, AuditEventDigest, AuditSeal
from marketplace.config import get_settings
from marketplace.db import is_postgres, write_transaction

# pg_advisory_xact_lock key held by the one sealer at work ("audi" in ASCII).
SEALER_LOCK_KEY = 0x61756469
# How many events a verifier reads at a time; and how many ids go into one IN (...).
VERIFY_BATCH = 5000
_IN_CHUNK = 1000
# Not "id > the last sealed id": on PostgreSQL a lower id can commit after a higher one is sealed.
_UNSEALED = WhereRaw(
    "NOT EXISTS (SELECT 1 FROM audit_event_digest d WHERE d.event_id = audit_event.id)"
)
T = TypeVar("T")
log = logging.getLogger("marketplace.audit")


def _chunks(items: Sequence[T], size: int = _IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def seal_audit_log(max_events: int = 5000) -> int:
    """Seal up to `max_events` events not sealed yet, oldest id first, into one new seal chained
    to the latest, then anchor it (and any seal not anchored yet) in the archive; returns how
    many events were sealed (0 when there was nothing to seal). An archive that cannot be written
    is logged, not raised: the seal stands, and its anchor is written at a later run."""
    sealed = await _seal(max_events)
    try:
        await anchor_new_seals()
    except Exception:
        log.exception("The audit seals could not be anchored in the archive; will retry")
    return sealed


async def _seal(max_events: int) -> int:
    async with write_transaction():
        if is_postgres():
            # Two sealers would both chain to the same latest seal; SQLite's IMMEDIATE
            # transaction already serialises them.
            await AuditSeal.raw("SELECT pg_advisory_xact_lock({})", SEALER_LOCK_KEY)
        events = (
            await AuditEvent.select().where(_UNSEALED).order_by(AuditEvent.id).limit(max_events)
        )
        if not events:
            return 0
        latest = (
            await AuditSeal.select(AuditSeal.hash).order_by(AuditSeal.id, ascending=False).first()
        )
        previous_hash = latest["hash"] if latest else GENESIS_HASH
        digests = [event_digest(event) for event in events]
        seal = AuditSeal(
            sealed_at=datetime.now(UTC),
            previous_hash=previous_hash,
            hash=chain_hash(previous_hash, digests),
            event_count=len(events),
        )
        await seal.save()
        rows = [
            AuditEventDigest(event_id=event["id"], seal=seal.id, digest=digest)
            for event, digest in zip(events, digests, strict=True)
        ]
        for chunk in _chunks(rows):
            await AuditEventDigest.insert(*chunk)
    return len(events)


@dataclass(frozen=True)
class VerifyResult:
    """What `marketplace audit verify` found: ok, or the first broken link."""

    ok: bool
    message: str
    sealed_events: int = 0
    seals: int = 0
    unsealed_events: int = 0
    unanchored_seals: int = 0


async def _seal_groups() -> AsyncIterator[list[dict[str, Any]]]:
    """Seals in id order, in groups holding about VERIFY_BATCH events together."""
    after = 0
    while (
        seals := await AuditSeal.select()
        .where(AuditSeal.id > after)
        .order_by(AuditSeal.id)
        .limit(500)
    ):
        group: list[dict[str, Any]] = []
        total = 0
        for seal in seals:
            if group and total + seal["event_count"] > VERIFY_BATCH:
                yield group
                group, total = [], 0
            group.append(seal)
            total += seal["event_count"]
        yield group
        after = seals[-1]["id"]


async def _digests_of(seal_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    by_seal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = await (
        AuditEventDigest.select()
        .where(AuditEventDigest.seal.is_in(seal_ids))
        .order_by(AuditEventDigest.seal, AuditEventDigest.event_id)
    )
    for row in rows:
        by_seal[row["seal"]].append(row)
    return by_seal


async def _events_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    events: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for event in await AuditEvent.select().where(AuditEvent.id.is_in(list(chunk))):
            events[event["id"]] = event
    return events


def _check_seal(
    seal: dict[str, Any],
    previous: dict[str, Any] | None,
    digests: list[dict[str, Any]],
    events: dict[int, dict[str, Any]],
) -> None:
    previous_hash = previous["hash"] if previous else GENESIS_HASH
    if seal["previous_hash"] != previous_hash:
        after = f"follow seal {previous['id']}" if previous else "start the chain"
        raise BrokenLink(f"seal {seal['id']} does not {after}")
    for row in digests:
        event = events.get(row["event_id"])
        if event is None:
            raise BrokenLink(f"event {row['event_id']} (sealed in seal {seal['id']}) was removed")
        if event_digest(event) != row["digest"]:
            raise BrokenLink(f"{describe_event(event)} was changed after it was sealed")
    hash_ = chain_hash(previous_hash, (row["digest"] for row in digests))
    if len(digests) != seal["event_count"] or hash_ != seal["hash"]:
        raise BrokenLink(f"seal {seal['id']}'s hash does not match its events")


async def _check_no_event_sealed_twice() -> None:
    # The primary key forbids it; this catches a schema that was changed to allow it.
    twice = await AuditEventDigest.raw(
        "SELECT event_id, MIN(seal) AS first, MAX(seal) AS second FROM audit_event_digest "
        "GROUP BY event_id HAVING COUNT(*) > 1 ORDER BY event_id LIMIT 1"
    )
    if twice:
        row = twice[0]
        raise BrokenLink(
            f"event {row['event_id']} is sealed twice, in seal {row['first']} and seal {row['second']}"
        )


async def verify_audit_log() -> VerifyResult:
    """Recompute every event's digest and every seal's hash, in order, then check the seals
    against their anchors in the archive; report the first link that does not hold, or that all
    is well with the counts."""
    previous: dict[str, Any] | None = None
    seals = sealed = 0
    checked: list[dict[str, Any]] = []
    try:
        await _check_no_event_sealed_twice()
        async for group in _seal_groups():
            by_seal = await _digests_of([seal["id"] for seal in group])
            ids = [row["event_id"] for rows in by_seal.values() for row in rows]
            events = await _events_by_id(ids)
            for seal in group:
                _check_seal(seal, previous, by_seal.get(seal["id"], []), events)
                previous = seal
                seals += 1
                sealed += seal["event_count"]
                checked.append(_link_of(seal))
        unanchored = await check_anchors(checked, one_log=get_settings().production)
    except BrokenLink as exc:
        return VerifyResult(ok=False, message=str(exc), sealed_events=sealed, seals=seals)

    unsealed = await AuditEvent.count().where(_UNSEALED)
    message = f"ok: {sealed} events in {seals} seals"
    if seals > unanchored:
        message += ", as anchored in the archive"
    if unanchored:
        message += f"; {unanchored} newest seals not anchored yet"
    if unsealed:
        message += f"; {unsealed} recent events not sealed yet"
    return VerifyResult(
        ok=True,
        message=message,
        sealed_events=sealed,
        seals=seals,
        unsealed_events=unsealed,
        unanchored_seals=unanchored,
    )


def _link_of(seal: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "previous_hash", "hash", "sealed_at")
    return {name: seal[name] for name in keep}
