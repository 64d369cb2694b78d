"""The bids' side of closing and opening: at the close every bidder's provider gates are checked
again; an authorised officer's approval is counted towards the quorum; opening unwraps the
call-off's key, decrypts every bid and re-checks it against its receipt. The orchestration (close
at the deadline, open, evaluate, in one transaction) is the awards domain's (awards/closing.py)."""

from __future__ import annotations

import hmac
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.admissions.eligibility import providers_gate_failures
from marketplace.admissions.rules import encode_gate_failures
from marketplace.audit.service import record
from marketplace.bids import schemas
from marketplace.bids.attachment_queries import attachments_of, bids_with_attachments
from marketplace.bids.attachments import check_attachments
from marketplace.bids.contents import is_opened, opened_contents
from marketplace.bids.keys import call_off_data_key
from marketplace.bids.sealing import SealBroken, open_bid, receipt_digest
from marketplace.bids.tables import Bid, Opening, OpeningApproval
from marketplace.config import get_settings
from marketplace.db import write_transaction
from marketplace.errors import NotAllowed, NotFound, WrongState
from marketplace.principal import Principal
from marketplace.tenders.call_offs.bidding import ClosingCallOff, call_off_for_opening
from marketplace.tenders.call_offs.lifecycle import move_call_off
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS, CallOffStatus
from marketplace.web.sentences import moment_words


async def open_bids(call_off_id: UUID, commissioner_id: UUID, actor: Principal | None) -> None:
    """Decrypt every live bid and mark it intact or altered (inside the caller's transaction).
    The bids are read, and marked, in a constant number of statements: a close opens thousands."""
    data_key = await call_off_data_key(call_off_id)
    altered: list[UUID] = []
    if data_key is not None:
        bids = await Bid.select().where((Bid.call_off == call_off_id) & (Bid.status == "submitted"))
        with_attachments = await bids_with_attachments(call_off_id)
        intact_ids: list[UUID] = []
        for bid in bids:
            try:
                plaintext = open_bid(
                    data_key,
                    bytes(bid["sealed_content"]),
                    call_off_id,
                    bid["provider"],
                    bid["version"],
                )
                expected = receipt_digest(
                    bid["receipt_version"],
                    data_key,
                    bid["id"],
                    bid["version"],
                    msgspec.json.decode(plaintext),
                )
                intact = hmac.compare_digest(expected, bid["digest"])
            except SealBroken:
                intact = False
            # An attachment that no longer matches its receipt taints the whole bid.
            if bid["id"] in with_attachments:
                intact = await check_attachments(call_off_id, data_key, bid) and intact
            (intact_ids if intact else altered).append(bid["id"])
        await _mark(Bid.integrity, {"intact": intact_ids, "altered": altered})
    await Opening.insert(Opening(call_off=call_off_id, opened_at=datetime.now(UTC)))
    await record(
        actor,
        "open_bids",
        "call_off",
        call_off_id,
        organisation_id=commissioner_id,
        details={"altered_bids": [str(bid_id) for bid_id in altered]},
    )


# Bids marked in one statement per value and at most this many bids (SQLite's and asyncpg's
# limits on a statement's parameters are far above).
_MARKED_AT_ONCE = 5_000


async def _mark(column: Any, bids_by_value: dict[str, list[UUID]]) -> None:
    """Set `column` of each bid to the value it is listed under."""
    for value, bid_ids in bids_by_value.items():
        for first in range(0, len(bid_ids), _MARKED_AT_ONCE):
            chunk = bid_ids[first : first + _MARKED_AT_ONCE]
            await Bid.update({column: value}).where(Bid.id.is_in(chunk))


async def recheck_gates(closing: ClosingCallOff) -> int:
    """At closing, record against each live bid the provider gates its bidder now fails (a CQC
    rating may have dropped, a block may have been added); returns how many bidders fail one.
    Every bidder is checked at once, in a constant number of queries."""
    bids = await Bid.select(Bid.id, Bid.provider).where(
        (Bid.call_off == closing.call_off_id) & (Bid.status == "submitted")
    )
    failures = await providers_gate_failures(
        closing.commissioner_id,
        closing.lot_id,
        {bid["provider"]: closing.invited_area_ids.get(bid["provider"], []) for bid in bids},
        closing.kind,
        wider=closing.wider,
    )
    encoded: dict[str, list[UUID]] = defaultdict(list)
    for bid in bids:
        encoded[encode_gate_failures(failures[bid["provider"]])].append(bid["id"])
    await _mark(Bid.gate_failures, encoded)
    return sum(bool(failures[bid["provider"]]) for bid in bids)


async def close(closing: ClosingCallOff) -> None:
    """At the deadline (inside the caller's transaction, under the call-off's lock): re-check
    every bidder's provider gates, then close the call-off, recording how many bidders now fail
    one."""
    failing = await recheck_gates(closing)
    await move_call_off(
        closing.call_off_id,
        CallOffStatus.CLOSED,
        actor=None,
        action="close_call_off",
        details={"bidders_failing_gates": failing},
    )


async def approve(actor: Principal, call_off_id: UUID) -> bool:
    """An authorised officer (role opener) approves opening after the deadline (inside the
    caller's transaction); returns whether the call-off's quorum of different officers is met.
    In production each approving officer must have passed the second factor (a quorum of 2:
    two different officers, each with it)."""
    if actor.role != "opener" or actor.organisation_id is None:
        raise NotAllowed("Only an officer with the opener role may open bids")
    if get_settings().production and not actor.second_factor:
        # EU procurement directive Annex IV: only authorised persons open tenders.
        raise NotAllowed(
            "Opening bids needs two-factor sign-in: sign in again with the code from your "
            "authenticator app"
        )
    row = await call_off_for_opening(call_off_id, actor.organisation_id)
    if row is None:
        raise NotFound("No such call-off")
    now = datetime.now(UTC)
    if row["status"] in OPEN_FOR_BIDS or now < row["deadline"]:
        raise WrongState(
            f"Bids cannot be opened before the deadline ({moment_words(row['deadline'])})"
        )
    if await is_opened(call_off_id):
        raise WrongState("The bids of this call-off are already open")
    if row["status"] != CallOffStatus.CLOSED:
        raise WrongState(f"A {row['status']} call-off has no bids to open")
    if await OpeningApproval.exists().where(
        (OpeningApproval.call_off == call_off_id) & (OpeningApproval.user_id == actor.user_id)
    ):
        raise WrongState(
            "You have already approved opening: a second, different officer must approve"
        )
    await OpeningApproval.insert(
        OpeningApproval(call_off=call_off_id, user_id=actor.user_id, approved_at=now)
    )
    await record(
        actor,
        "approve_opening",
        "call_off",
        call_off_id,
        organisation_id=actor.organisation_id,
        details={"second_factor": actor.second_factor},
    )
    approvals = await OpeningApproval.count().where(OpeningApproval.call_off == call_off_id)
    return bool(approvals >= row["opening_quorum"])


async def opening_state(call_off_id: UUID) -> schemas.OpeningState:
    opening = await Opening.select(Opening.opened_at).where(Opening.call_off == call_off_id).first()
    approvals = await OpeningApproval.count().where(OpeningApproval.call_off == call_off_id)
    return schemas.OpeningState(
        opened=opening is not None,
        opened_at=opening["opened_at"] if opening else None,
        approvals=approvals,
    )


async def opened_bids(actor: Principal, call_off_id: UUID) -> list[schemas.OpenedBid]:
    """The commissioner's users read the bids once opened; before that every attempt is refused
    and audited."""
    commissioner_id = actor.commissioner_organisation(NotFound("No such call-off"))
    row = await call_off_for_opening(call_off_id, commissioner_id)
    if row is None:
        raise NotFound("No such call-off")
    if not await is_opened(call_off_id):
        async with write_transaction():
            await record(
                actor,
                "refused_read_sealed_bids",
                "call_off",
                call_off_id,
                organisation_id=actor.organisation_id,
            )
        raise WrongState("The bids are sealed until they are opened after the deadline")
    opened = await opened_contents(call_off_id)
    for bid in opened:
        bid.attachments = await attachments_of(call_off_id, bid.provider_id, bid.bid_id)
    return opened
