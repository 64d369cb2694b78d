"""Anchoring the seals outside the database: every seal's hash, with its events' digests, is
written once to the write-once archive, and `verify` checks the chain against those anchors (see
README.md here). The archive sits above the audit log, so the composition root hands its anchor
store down (`keep_anchors_in`, marketplace/wiring.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from piccolo.columns.combination import WhereRaw

from marketplace.audit.chain import (
    GENESIS_HASH,
    AnchorName,
    BrokenLink,
    anchor_body,
    anchored_digests,
    describe_event,
)
from marketplace.audit.tables import AuditAnchor, AuditEvent, AuditEventDigest, AuditSeal
from marketplace.db import write_transaction

# A seal without an anchor is reported as "not anchored yet" for so long after it was sealed (the
# sealer anchors it straight after sealing, and again at each run while the archive is down).
ANCHOR_GRACE = timedelta(minutes=10)
_BATCH = 100
T = TypeVar("T")
_UNANCHORED = WhereRaw("NOT EXISTS (SELECT 1 FROM audit_anchor a WHERE a.seal = audit_seal.id)")


@dataclass(frozen=True)
class StoredAnchor:
    """One anchor as the archive lists it: its name, and where to read it."""

    name: str
    location: str
    version_id: str | None = None


class AnchorStore(Protocol):
    where: str  # in words, for reports: "the archive bucket …", "the local archive folder …"

    async def write(self, name: str, body: bytes) -> None:
        """Write the anchor once, locked for the archive's retention; writing the same body
        under the same name again changes nothing."""
        ...

    async def list(self) -> list[StoredAnchor]:
        """Every anchor in the archive (every version of it, on S3)."""
        ...

    async def read(self, anchor: StoredAnchor) -> bytes: ...


_store_factory: Callable[[], AnchorStore] | None = None


def keep_anchors_in(factory: Callable[[], AnchorStore]) -> None:
    """Called by the composition root: where the anchors are kept (the archive's store)."""
    global _store_factory
    _store_factory = factory


def anchor_store() -> AnchorStore:
    if _store_factory is None:
        raise RuntimeError("the audit log has no anchor store: call marketplace.wiring.wire()")
    return _store_factory()


async def _digests(seal_id: int) -> list[dict[str, Any]]:
    return list(
        await AuditEventDigest.select(AuditEventDigest.event_id, AuditEventDigest.digest)
        .where(AuditEventDigest.seal == seal_id)
        .order_by(AuditEventDigest.event_id)
    )


async def anchor_new_seals() -> int:
    """Write every seal not anchored yet to the archive, oldest first; returns how many. Called by
    the sealer after each seal has committed (an anchor never names a seal that was rolled back)."""
    store = anchor_store()
    total = 0
    while seals := await AuditSeal.select().where(_UNANCHORED).order_by(AuditSeal.id).limit(_BATCH):
        for seal in seals:
            name = AnchorName(seal["id"], seal["previous_hash"], seal["hash"])
            await store.write(str(name), anchor_body(seal, await _digests(seal["id"])))
            async with write_transaction():
                await AuditAnchor.insert(
                    AuditAnchor(seal=seal["id"], anchored_at=datetime.now(UTC))
                ).on_conflict(target=AuditAnchor.seal, action="DO NOTHING")
            total += 1
    return total


@dataclass(frozen=True)
class _Anchored:
    name: AnchorName
    stored: StoredAnchor


async def _readable(reading: Awaitable[T], store: AnchorStore) -> T:
    try:
        return await reading
    except Exception as exc:  # whatever the archive's client raises: reported, not a crash
        raise BrokenLink(f"the anchors in {store.where} could not be read ({exc})") from exc


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


async def _what_differs(seal: dict[str, Any], anchored: _Anchored, store: AnchorStore) -> str:
    """The first event whose digest in the database is not the one its anchor holds."""
    sealed = anchored_digests(await _readable(store.read(anchored.stored), store))
    current = {row["event_id"]: row["digest"] for row in await _digests(seal["id"])}
    for event_id in sorted(sealed.keys() | current.keys()):
        if sealed.get(event_id) == current.get(event_id):
            continue
        event = await AuditEvent.select().where(AuditEvent.id == event_id).first()
        named = describe_event(event) if event else f"event {event_id}"
        if event_id not in current:
            return f"{named} was sealed in it but the database's seal no longer holds it"
        if event_id not in sealed:
            return f"{named} is in the database's seal but was not sealed in it"
        return (
            f"{named} is not what was sealed (its digest is {current[event_id][:12]}… in the "
            f"database, {sealed[event_id][:12]}… in the anchor)"
        )
    return "the seal's hash differs from the anchored one"


def _first_seal_candidates(
    seal: dict[str, Any], following: list[_Anchored], anchors: list[_Anchored]
) -> list[_Anchored]:
    # The archive may hold other logs' first seals (a test's, a previous installation's): one of
    # them is this log's only when it is the only first seal there.
    if seal["previous_hash"] != GENESIS_HASH:
        return following
    firsts = {a.name: a for a in anchors if a.name.previous_hash == GENESIS_HASH}
    return list(firsts.values()) if len(firsts) == 1 else []


async def check_anchors(
    seals: list[dict[str, Any]], *, one_log: bool, now: datetime | None = None
) -> int:
    """Check the database's seals (in id order, their chain already verified) against the anchors
    in the archive; raise BrokenLink naming the first seal and anchor that differ, a seal anchored
    in the archive but missing from the database, or a seal long without an anchor. Returns how
    many of the newest seals are not anchored yet (within ANCHOR_GRACE). With `one_log` (in
    production) the archive must hold this log's anchors only: another first seal, or anchors
    while the database has no seal, mean the log was started again or removed."""
    now = now or datetime.now(UTC)
    store = anchor_store()
    anchors = [
        _Anchored(name, stored)
        for stored in await _readable(store.list(), store)
        if (name := AnchorName.parse(stored.name)) is not None
    ]
    by_previous: dict[str, list[_Anchored]] = defaultdict(list)
    for anchor in anchors:
        by_previous[anchor.name.previous_hash].append(anchor)
    if one_log:
        _check_one_log(seals, anchors, store)
    missing: list[dict[str, Any]] = []
    for seal in seals:
        following = [
            a for a in by_previous.get(seal["previous_hash"], []) if a.name.seal_id == seal["id"]
        ]
        hashes = {a.name.hash for a in following}
        # Every log's first seal follows the genesis hash: other first seals are other logs'.
        first = seal["previous_hash"] == GENESIS_HASH
        if seal["hash"] in hashes and (first or len(hashes) == 1):
            if missing:  # the sealer anchors in order: one left behind is not "not yet"
                raise _missing(missing[0], store)
            continue
        if len(hashes) > 1 and not first:
            raise BrokenLink(
                f"seal {seal['id']} has {len(hashes)} different anchors in {store.where} "
                f"({', '.join(sorted({a.stored.location for a in following}))}): it was "
                "rewritten and anchored again"
            )
        candidates = _first_seal_candidates(seal, following, anchors)
        if candidates:
            anchored = candidates[0]
            differs = await _what_differs(seal, anchored, store)
            raise BrokenLink(
                f"seal {seal['id']} (sealed at {_when(seal['sealed_at'])}) is not the one "
                f"anchored in {store.where} as {anchored.stored.location}: {differs}"
            )
        if now - _aware(seal["sealed_at"]) > ANCHOR_GRACE:
            raise _missing(seal, store)
        missing.append(seal)
    if seals:
        last = seals[-1]
        after = [a for a in by_previous.get(last["hash"], []) if a.name.seal_id > last["id"]]
        if after:
            removed = min(after, key=lambda a: a.name.seal_id)
            raise BrokenLink(
                f"seal {removed.name.seal_id} is anchored in {store.where} as "
                f"{removed.stored.location}, after seal {last['id']}, but the database has no such "
                "seal: the newest seals were removed"
            )
    return len(missing)


def _check_one_log(
    seals: list[dict[str, Any]], anchors: list[_Anchored], store: AnchorStore
) -> None:
    if not seals and anchors:
        raise BrokenLink(
            f"the database has no seal, but {store.where} holds {len({a.name for a in anchors})} "
            "anchors: the log was removed"
        )
    firsts = {a.name: a.stored.location for a in anchors if a.name.previous_hash == GENESIS_HASH}
    if len(firsts) > 1:
        raise BrokenLink(
            f"{store.where} holds {len(firsts)} different first seals "
            f"({', '.join(sorted(firsts.values()))}): the log was started again, its first seal "
            "rewritten or the whole log replaced"
        )


def _missing(seal: dict[str, Any], store: AnchorStore) -> BrokenLink:
    return BrokenLink(
        f"seal {seal['id']} (sealed at {_when(seal['sealed_at'])}) has no anchor in "
        f"{store.where}: its anchor is missing"
    )
