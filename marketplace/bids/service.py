"""Use cases of bids: submit or replace a sealed bid, read one's own, withdraw it. The server's
clock decides the deadline, under the call-off's row lock (IMMEDIATE transaction on SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from marketplace.accounts.service import active_user_emails
from marketplace.audit.service import event_statement, record
from marketplace.bids import schemas
from marketplace.bids.attachment_queries import attachments_of
from marketplace.bids.keys import (
    call_off_data_key,
    data_keys_of,
    digest_words,
    known_data_key,
    remember_data_key,
)
from marketplace.bids.rules import bid_content_errors, limits_of, never_compliant
from marketplace.bids.sealing import (
    RECEIPT_KEYED,
    canonical_bid_content,
    keyed_bid_digest,
    open_bid,
    receipt_key,
    seal_bid,
)
from marketplace.bids.tables import Bid, BidAttachment
from marketplace.config import get_settings
from marketplace.db import Statement, in_transaction, write_together, write_transaction
from marketplace.errors import FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.notifications.outbox import email_statement
from marketplace.principal import Principal
from marketplace.tenders.call_offs.bidding import BiddingTerms, bidding_envelope, lock_for_bidding
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS
from marketplace.tenders.opportunities.feed import call_off_summaries
from marketplace.web.sentences import moment_words


class DeadlinePassed(WrongState):
    pass


def provider_of(actor: Principal) -> UUID:
    """The bidder: a provider's user, or a guest supplier through its guest pass (docs/design.md
    3.5; only its call-off's guest pages make such a principal)."""
    return actor.bidder_organisation(NotAllowed("Only providers bid"))


def _content(bid: schemas.BidSubmission) -> dict[str, Any]:
    content: dict[str, Any] = msgspec.to_builtins(bid)
    return content


async def _sealing_key(call_off_id: UUID) -> bytes:
    key = await call_off_data_key(call_off_id, create=True)
    assert key is not None
    return key


def check_open(terms: BiddingTerms, moment: datetime, doing: str) -> None:
    if terms.status not in OPEN_FOR_BIDS:
        raise WrongState(f"Bids can no longer be {doing}: the call-off is {terms.status}")
    if moment >= terms.deadline:
        raise DeadlinePassed(
            f"The deadline ({moment_words(terms.deadline)}) has passed: "
            f"bids can no longer be {doing}"
        )


async def audit_refusal(actor: Principal, action: str, call_off_id: UUID, reason: str) -> None:
    """Audit a refused submission or withdrawal, in its own transaction (the refused one rolls back)."""
    async with write_transaction():
        await record(
            actor,
            action,
            "call_off",
            call_off_id,
            organisation_id=actor.organisation_id,
            details={"reason": reason},
        )


def _never_compliant(
    terms: BiddingTerms, bid: schemas.BidSubmission, moment: datetime
) -> list[FieldError]:
    """What the bid can never be compliant with (docs/design.md 4.5), refused now rather than
    excluded at opening; the envelope is read only when a rate is priced against it."""
    priced = bid.hourly_rate_pence is not None or bid.areas
    envelope, hours = bidding_envelope(terms) if priced else (None, Decimal(0))
    limits = limits_of(terms.kind, terms.terms, terms.max_hourly_rate_pence, envelope, hours)
    today = moment.astimezone(ZoneInfo(get_settings().timezone)).date()
    return never_compliant(terms.kind, limits, bid, today)


# The hot path of the deadline rush, hand-written (no query building).
# The provider's own bid on the call-off (if any) and whether it declined it, in one round trip.
_OWN_BID = """
SELECT (SELECT id FROM bid WHERE call_off = {} AND provider = {}) AS id,
       (SELECT version FROM bid WHERE call_off = {} AND provider = {}) AS version,
       EXISTS (SELECT 1 FROM bid_decline WHERE call_off = {} AND provider = {}) AS declined
"""
_INSERT_BID = """
INSERT INTO bid (id, call_off, provider, version, status, sealed_content, digest, receipt_version,
                 received_at, withdrawn_at, integrity, gate_failures)
VALUES ({}, {}, {}, {}, 'submitted', {}, {}, {}, {}, NULL, NULL, NULL)
"""
_REPLACE_BID = """
UPDATE bid SET version = {}, status = 'submitted', sealed_content = {}, digest = {},
               receipt_version = {}, received_at = {}, withdrawn_at = NULL
WHERE id = {}
"""


async def submit_bid(
    actor: Principal, call_off_id: UUID, bid: schemas.BidSubmission
) -> schemas.Receipt:
    """Submit, or replace with a new version, this provider's sealed bid before the deadline;
        the receipt (server time, the canonical content's HMAC under the version's receipt key, and
    that key for the bidder alone) is returned, and emailed without the key."""
    provider_id = provider_of(actor)
    # Our own transaction commits when the block ends (a caller's may still roll back).
    commits_here = not in_transaction()
    try:
        async with write_transaction():
            terms = await lock_for_bidding(call_off_id, provider_id)
            if terms is None:
                raise NotFound("No such call-off")
            received_at = datetime.now(UTC)
            check_open(terms, received_at, "submitted")
            [own] = await Bid.raw(_OWN_BID, *(call_off_id, provider_id) * 3)
            if own["declined"]:
                raise WrongState(
                    "You declined this call-off: a declined call-off cannot be bid for"
                )
            errors = bid_content_errors(terms.kind, terms.terms, terms.invited_area_codes, bid)
            named = {error.field for error in errors}
            errors += [
                error
                for error in _never_compliant(terms, bid, received_at)
                if error.field not in named  # an area not invited is said once
            ]
            if errors:
                raise RuleBroken(
                    "The bid cannot be accepted: " + "; ".join(e.message for e in errors), errors
                )
            existing = own if own["id"] is not None else None
            version = existing["version"] + 1 if existing else 1
            # SQLite gives a subquery's UUID as text.
            bid_id = UUID(str(existing["id"])) if existing else uuid4()
            content = _content(bid)
            data_key = known_data_key(call_off_id) or await _sealing_key(call_off_id)
            digest = keyed_bid_digest(receipt_key(data_key, bid_id, version), content)
            sealed = seal_bid(
                data_key,
                canonical_bid_content(content),
                call_off_id,
                provider_id,
                version,
            )
            # The bid, its audit event and its receipt emails: one round trip (write_together).
            writes: list[Statement] = []
            if existing:
                writes.append(
                    Statement(
                        _REPLACE_BID, (version, sealed, digest, RECEIPT_KEYED, received_at, bid_id)
                    )
                )
            else:
                writes.append(
                    Statement(
                        _INSERT_BID,
                        (
                            bid_id,
                            call_off_id,
                            provider_id,
                            version,
                            sealed,
                            digest,
                            RECEIPT_KEYED,
                            received_at,
                        ),
                    )
                )
            receipt = schemas.Receipt(
                bid_id=bid_id,
                version=version,
                received_at=received_at,
                digest=digest,
                **digest_words(data_key, bid_id, version, RECEIPT_KEYED),
            )
            writes.append(
                event_statement(
                    actor,
                    "submit_bid" if version == 1 else "replace_bid",
                    "bid",
                    bid_id,
                    # Filed under the bidder: the commissioner learns nothing of a bid, not even
                    # who bid or its receipt digest, from the audit log before opening.
                    organisation_id=actor.organisation_id,
                    details={
                        "call_off_id": str(call_off_id),
                        "version": version,
                        "digest": digest,
                        "received_at": received_at.isoformat(),
                    },
                )
            )
            for email in await active_user_emails([provider_id]):
                _, statement = email_statement(
                    email,
                    "bid_receipt",
                    {
                        "title": terms.title,
                        "call_off_id": str(call_off_id),
                        "bid_id": str(bid_id),
                        "version": version,
                        "received_at": received_at.isoformat(),
                        "digest": digest,
                        "keyed": True,  # the key is not emailed: the outbox is a database table
                        "guest": actor.is_guest,
                    },
                )
                writes.append(statement)
            await write_together(*writes)
    except (DeadlinePassed, WrongState) as exc:
        await audit_refusal(actor, "refused_bid", call_off_id, exc.detail)
        raise
    except RuleBroken as exc:
        # Incomplete or never compliant (422): audited by its codes and fields only, not its
        # sentences (which quote the rate or the envelope), filed under the bidder like the bid.
        codes = "; ".join(f"{e.code} ({e.field})" for e in exc.errors) or "rule_broken"
        await audit_refusal(actor, "refused_bid_content", call_off_id, codes)
        raise
    if commits_here:
        remember_data_key(call_off_id, data_key)  # committed: the next bid need not read it
    return receipt


async def own_bid(actor: Principal, call_off_id: UUID) -> schemas.OwnBid:
    """This provider's bid in the call-off, opened for it alone (never for anyone else)."""
    provider_id = provider_of(actor)
    row = (
        await Bid.select()
        .where((Bid.call_off == call_off_id) & (Bid.provider == provider_id))
        .first()
    )
    if row is None:
        raise NotFound("You have no bid in this call-off")
    content = None
    key = await call_off_data_key(call_off_id)
    if row["status"] == "submitted":
        if key is None:
            raise NotFound("No such bid")
        plaintext = open_bid(
            key, bytes(row["sealed_content"]), call_off_id, provider_id, row["version"]
        )
        content = msgspec.json.decode(plaintext, type=schemas.BidSubmission)
    return schemas.OwnBid(
        bid_id=row["id"],
        call_off_id=call_off_id,
        status=row["status"],
        version=row["version"],
        received_at=row["received_at"],
        digest=row["digest"],
        withdrawn_at=row["withdrawn_at"],
        content=content,
        attachments=await attachments_of(call_off_id, provider_id, row["id"]),
        **digest_words(key, row["id"], row["version"], row["receipt_version"]),
    )


async def withdraw_bid(actor: Principal, call_off_id: UUID) -> schemas.Withdrawal:
    """Withdraw this provider's bid before the deadline; its sealed content is erased."""
    provider_id = provider_of(actor)
    try:
        async with write_transaction():
            terms = await lock_for_bidding(call_off_id, provider_id)
            if terms is None:
                raise NotFound("No such call-off")
            moment = datetime.now(UTC)
            check_open(terms, moment, "withdrawn")
            row = (
                await Bid.select(Bid.id, Bid.status)
                .where((Bid.call_off == call_off_id) & (Bid.provider == provider_id))
                .first()
            )
            if row is None or row["status"] != "submitted":
                raise NotFound("You have no bid to withdraw in this call-off")
            await Bid.update(
                {Bid.status: "withdrawn", Bid.withdrawn_at: moment, Bid.sealed_content: b""}
            ).where(Bid.id == row["id"])
            # Its attachments go with it (their sealed bytes stay write-once in the archive).
            await BidAttachment.update({BidAttachment.removed_at: moment}).where(
                (BidAttachment.bid == row["id"]) & BidAttachment.removed_at.is_null()
            )
            await record(
                actor,
                "withdraw_bid",
                "bid",
                row["id"],
                # Filed under the bidder: the commissioner learns nothing of a bid, not even
                # who bid or its receipt digest, from the audit log before opening.
                organisation_id=actor.organisation_id,
                details={"call_off_id": str(call_off_id)},
            )
    except (DeadlinePassed, WrongState) as exc:
        await audit_refusal(actor, "refused_withdrawal", call_off_id, exc.detail)
        raise
    return schemas.Withdrawal(bid_id=row["id"], withdrawn_at=moment)


async def my_bids(actor: Principal) -> list[schemas.MyBid]:
    """This provider's bids, newest first, each with its receipt and its call-off's state."""
    provider_id = provider_of(actor)
    rows = await Bid.select(
        Bid.id,
        Bid.call_off,
        Bid.status,
        Bid.version,
        Bid.received_at,
        Bid.digest,
        Bid.receipt_version,
        Bid.withdrawn_at,
    ).where(Bid.provider == provider_id)
    call_offs = await call_off_summaries([row["call_off"] for row in rows])
    data_keys = await data_keys_of([row["call_off"] for row in rows])
    bids = [
        schemas.MyBid(
            call_off_id=row["call_off"],
            title=call_offs[row["call_off"]].title,
            kind=call_offs[row["call_off"]].kind,
            call_off_status=call_offs[row["call_off"]].status,
            deadline=call_offs[row["call_off"]].deadline,
            status=row["status"],
            version=row["version"],
            received_at=row["received_at"],
            digest=row["digest"],
            withdrawn_at=row["withdrawn_at"],
            **digest_words(
                data_keys.get(UUID(str(row["call_off"]))),
                row["id"],
                row["version"],
                row["receipt_version"],
            ),
        )
        for row in rows
        if row["call_off"] in call_offs
    ]
    return sorted(bids, key=lambda bid: bid.received_at, reverse=True)
