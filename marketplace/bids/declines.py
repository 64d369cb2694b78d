"""Turn-downs: an invited provider declines a published call-off before its deadline, with a
reason from the fixed list (docs/design.md 3.3). The commissioner learns the count and the
reasons, never who declined before the bids are opened; the ranking counts declines once the
deadline has passed (docs/design.md 4.8)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from marketplace.accounts.service import active_user_emails
from marketplace.audit.service import record
from marketplace.bids import schemas
from marketplace.bids.rules import DECLINE_REASONS, decline_errors
from marketplace.bids.service import DeadlinePassed, audit_refusal, provider_of
from marketplace.bids.tables import Bid, Decline
from marketplace.db import write_transaction
from marketplace.errors import NotFound, RuleBroken, WrongState
from marketplace.notifications.outbox import add_email
from marketplace.principal import Principal
from marketplace.reranking import rerank
from marketplace.tenders.call_offs.bidding import BiddingTerms, lock_for_bidding
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS
from marketplace.web.sentences import moment_words


def _present(row: dict[str, Any]) -> schemas.Decline:
    return schemas.Decline(
        call_off_id=row["call_off"],
        reason=row["reason"],
        reason_text=DECLINE_REASONS[row["reason"]],
        text=row["text"],
        declined_at=row["declined_at"],
    )


def _check_open(terms: BiddingTerms, moment: datetime) -> None:
    if terms.status not in OPEN_FOR_BIDS:
        raise WrongState(f"The call-off can no longer be declined: it is {terms.status}")
    if moment >= terms.deadline:
        raise DeadlinePassed(
            f"The deadline ({moment_words(terms.deadline)}) has passed: "
            "the call-off can no longer be declined"
        )


async def _refuse_if_answered(call_off_id: UUID, provider_id: UUID) -> None:
    declined = await own_decline_row(call_off_id, provider_id)
    if declined is not None:
        raise WrongState("You have already declined this call-off")
    live = await Bid.exists().where(
        (Bid.call_off == call_off_id) & (Bid.provider == provider_id) & (Bid.status == "submitted")
    )
    if live:
        raise WrongState("You have a bid in this call-off: withdraw it first to decline instead")


async def decline_call_off(
    actor: Principal, call_off_id: UUID, body: schemas.DeclineCreate
) -> schemas.Decline:
    """An invited provider turns down a published call-off before its deadline, once and for
    good, if it has no live bid; the commissioner's staff are emailed the reason (not who), and
    the provider's quality ranking with the commissioner is recomputed."""
    provider_id = provider_of(actor)
    text = (body.text or "").strip() or None
    errors = decline_errors(body.reason, text)
    if errors:
        raise RuleBroken(
            f"The decline is not complete: {errors[0].field} {errors[0].message}", errors
        )
    try:
        async with write_transaction():
            terms = await lock_for_bidding(call_off_id, provider_id)
            if terms is None:
                raise NotFound("No such call-off")
            moment = datetime.now(UTC)
            _check_open(terms, moment)
            await _refuse_if_answered(call_off_id, provider_id)
            row = Decline(
                call_off=call_off_id,
                provider=provider_id,
                reason=body.reason,
                text=text,
                declined_at=moment,
                declined_by=actor.user_id,
            )
            await Decline.insert(row)
            # Filed under the provider: the commissioner's staff read the audit events filed
            # under their organisation, and must not learn who declined before opening.
            await record(
                actor,
                "decline_call_off",
                "call_off",
                call_off_id,
                organisation_id=provider_id,
                details={
                    "reason": body.reason,
                    "text": text,
                    "commissioner": terms.commissioner_id,
                },
            )
            count = await Decline.count().where(Decline.call_off == call_off_id)
            for email in await active_user_emails([terms.commissioner_id]):
                await add_email(
                    email,
                    "call_off_declined",
                    {
                        "title": terms.title,
                        "call_off_id": str(call_off_id),
                        "reason": DECLINE_REASONS[body.reason],
                        "text": text,
                        "declines": count,
                    },
                )
            await rerank(terms.commissioner_id, [provider_id])
    except (DeadlinePassed, WrongState) as exc:
        await audit_refusal(actor, "refused_decline", call_off_id, exc.detail)
        raise
    return _present(row.to_dict())


async def own_decline_row(call_off_id: UUID, provider_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Decline.select()
        .where((Decline.call_off == call_off_id) & (Decline.provider == provider_id))
        .first()
    )
    return row


async def own_decline(actor: Principal, call_off_id: UUID) -> schemas.Decline | None:
    """This provider's decline of the call-off, if it declined it."""
    row = await own_decline_row(call_off_id, provider_of(actor))
    return None if row is None else _present(row)
