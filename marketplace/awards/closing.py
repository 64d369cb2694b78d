"""Closing a call-off at its deadline and opening its sealed bids, then evaluating them, each in one
transaction: with a quorum of 1 the close opens the bids at once; with a quorum of 2 two different
authorised officers must each approve after the deadline, and the second approval opens them."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from marketplace.awards.award import settle_after_opening
from marketplace.bids import opening, schemas
from marketplace.db import write_transaction
from marketplace.errors import NotAllowed
from marketplace.principal import Principal
from marketplace.tenders.call_offs.bidding import due_for_closing, due_to_close


async def close_call_off(call_off_id: UUID) -> str:
    """The job scheduled at publication for the deadline (and the sweep's): close the call-off,
    and open and evaluate its bids when one officer suffices. Returns what happened."""
    async with write_transaction():
        closing = await due_to_close(call_off_id, datetime.now(UTC))
        if closing is None:
            return "not due"
        await opening.close(closing)
        if closing.opening_quorum == 1:
            await opening.open_bids(call_off_id, closing.commissioner_id, None)
            await settle_after_opening(call_off_id)
            return "opened"
    return "closed"


async def close_due_call_offs() -> int:
    """Close every call-off whose deadline passed without its scheduled job having run."""
    done = 0
    for call_off_id in await due_for_closing(datetime.now(UTC)):
        if await close_call_off(call_off_id) != "not due":
            done += 1
    return done


async def approve_opening(actor: Principal, call_off_id: UUID) -> schemas.OpeningState:
    """An authorised officer (role opener) approves opening after the deadline; the bids open, and
    are evaluated, when the call-off's quorum of different officers has approved."""
    await close_call_off(call_off_id)  # in case the deadline passed before the close job ran
    async with write_transaction():
        if await opening.approve(actor, call_off_id):
            commissioner_id = actor.commissioner_organisation(NotAllowed("Only openers open bids"))
            await opening.open_bids(call_off_id, commissioner_id, actor)
            await settle_after_opening(call_off_id)
    return await opening.opening_state(call_off_id)
