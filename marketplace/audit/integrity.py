"""Whether the events a page shows are as they were sealed: each event's digest recomputed and
compared with the one sealed, and each of their seals' hashes recomputed from its digests and
its link to the seal before it checked. The whole log is checked by `verify_audit_log`."""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.audit.chain import GENESIS_HASH, chain_hash, event_digest
from marketplace.audit.tables import AuditEvent, AuditEventDigest, AuditSeal

INTACT = "intact"
CHANGED = "changed"
UNSEALED = "unsealed"


async def _seals_hold(seal_ids: set[int]) -> dict[int, bool]:
    """For each seal: its hash is its digests' chain from the previous seal's hash, and that
    previous hash is the hash of the seal before it."""
    holds: dict[int, bool] = {}
    for seal_id in sorted(seal_ids):
        seal = await AuditSeal.select().where(AuditSeal.id == seal_id).first()
        before = (
            await AuditSeal.select(AuditSeal.hash)
            .where(AuditSeal.id < seal_id)
            .order_by(AuditSeal.id, ascending=False)
            .first()
        )
        digests = await (
            AuditEventDigest.select(AuditEventDigest.digest)
            .where(AuditEventDigest.seal == seal_id)
            .order_by(AuditEventDigest.event_id)
        )
        previous = before["hash"] if before else GENESIS_HASH
        holds[seal_id] = (
            seal is not None
            and seal["previous_hash"] == previous
            and seal["event_count"] == len(digests)
            and chain_hash(previous, (row["digest"] for row in digests)) == seal["hash"]
        )
    return holds


async def events_integrity(event_ids: Iterable[int]) -> dict[int, str]:
    """Each event's state: `intact` (sealed and unchanged, in a seal that holds), `changed`
    (its content or its seal no longer match), or `unsealed` (newer than the last seal)."""
    ids = list(event_ids)
    if not ids:
        return {}
    events = {row["id"]: row for row in await AuditEvent.select().where(AuditEvent.id.is_in(ids))}
    sealed = {
        row["event_id"]: row
        for row in await AuditEventDigest.select().where(AuditEventDigest.event_id.is_in(ids))
    }
    holds = await _seals_hold({row["seal"] for row in sealed.values()})
    states = {}
    for event_id in ids:
        row = sealed.get(event_id)
        if row is None:
            states[event_id] = UNSEALED
        elif (
            event_id in events
            and event_digest(events[event_id]) == row["digest"]
            and holds[row["seal"]]
        ):
            states[event_id] = INTACT
        else:
            states[event_id] = CHANGED
    return states
