"""How invitees answered a call-off, as tendering shows it and the quality ranking judges it:
the turn-downs tallied (count and reasons, never who; the bids domain keeps them, above this one,
so the composition root hands its reader in at start-up, marketplace/wiring.py), and the
invitations whose deadline has passed, which are the ones an answer is expected to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from uuid import UUID

from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.status import CallOffStatus
from marketplace.tenders.tables import Invitation

# call-off -> its declines as (reason, its words, the text for "other")
DeclineReader = Callable[[list[UUID]], Awaitable[dict[UUID, list[tuple[str, str, str | None]]]]]
_decline_reader: DeclineReader | None = None


def read_declines_with(reader: DeclineReader) -> None:
    global _decline_reader
    _decline_reader = reader


async def decline_tallies(call_off_ids: list[UUID]) -> dict[UUID, schemas.Declines]:
    """Each call-off's turn-downs: how many, how many for each reason, and the words of each
    "other" reason, in the order given."""
    if _decline_reader is None:
        raise RuntimeError("No decline reader: call marketplace.wiring.wire() at start-up")
    found = await _decline_reader(call_off_ids)
    tallies = {}
    for call_off_id in call_off_ids:
        declines = found.get(call_off_id, [])
        counts: dict[str, schemas.DeclineReason] = {}
        for reason, words, _ in declines:
            known = counts.get(reason)
            counts[reason] = schemas.DeclineReason(reason, words, known.count + 1 if known else 1)
        tallies[call_off_id] = schemas.Declines(
            count=len(declines),
            reasons=list(counts.values()),
            other_texts=[text for _, _, text in declines if text],
        )
    return tallies


async def invitations_closed_since(
    commissioner_id: UUID, provider_ids: Iterable[UUID], since: datetime, now: datetime
) -> list[tuple[UUID, UUID]]:
    """(provider, call-off) for each invitation of these providers to the commissioner's
    call-offs whose deadline fell in [since, now), cancelled call-offs left out: an answer (a
    bid or a decline) was due to each, and none can still come."""
    providers = list(provider_ids)
    if not providers:
        return []
    rows = await Invitation.select(Invitation.provider, Invitation.call_off).where(
        Invitation.provider.is_in(providers)
        & (Invitation.call_off.commissioner == commissioner_id)
        & (Invitation.call_off.deadline >= since)
        & (Invitation.call_off.deadline < now)
        & (Invitation.call_off.status != CallOffStatus.CANCELLED)
    )
    return [(row["provider"], row["call_off"]) for row in rows]
