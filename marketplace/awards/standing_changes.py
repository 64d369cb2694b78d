"""When a provider's standing changes after bids are in: an award in standstill whose winner now
fails a provider gate is held (it does not conclude until the gates pass again), and the
commissioners concerned are told. Reacts to a CQC rating falling to inadequate (handed to
accounts at start-up, marketplace/wiring.py) and is asked again by the conclusion itself.

Call-offs still open for bids need nothing here: the close re-checks every bidder's gates. Those
closed or evaluated but not awarded are re-checked when the award is confirmed (award.py), which
proposes the next compliant bid.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from uuid import UUID

from marketplace.accounts.cqc_ratings import FallToInadequate
from marketplace.accounts.service import active_user_emails
from marketplace.admissions.eligibility import provider_gate_failures
from marketplace.admissions.rules import GateFailure
from marketplace.audit.service import record
from marketplace.awards.engine.phrases import long_date
from marketplace.awards.tables import Award, AwardLine
from marketplace.notifications.outbox import add_email
from marketplace.tenders.call_offs.bidding import invited_area_ids
from marketplace.tenders.call_offs.lifecycle import AwardTerms, award_terms
from marketplace.tenders.call_offs.queries import call_offs_inviting
from marketplace.tenders.call_offs.status import CallOffStatus

EFFECTS = {
    CallOffStatus.PUBLISHED: "open for bids: the close re-checks the gates and will exclude its bid",
    CallOffStatus.CLOSED: (
        "closed: its bid is excluded when the gates are re-checked at the award "
        "(the next compliant bid is proposed)"
    ),
    CallOffStatus.EVALUATED: (
        "evaluated: its bid is excluded when the gates are re-checked at the award "
        "(the next compliant bid is proposed)"
    ),
    CallOffStatus.AWARDED: (
        "awarded to it, in standstill: the conclusion is held while it fails the gate; "
        "the care does not begin"
    ),
}


async def winners_failing_gates(terms: AwardTerms, providers: list[UUID]) -> list[GateFailure]:
    """Every provider gate an awarded provider of this call-off fails now."""
    invited = await invited_area_ids(terms.call_off_id)
    failures: list[GateFailure] = []
    for provider_id in dict.fromkeys(providers):
        failures += await provider_gate_failures(
            terms.commissioner_id,
            terms.lot_id,
            invited.get(provider_id, []),
            provider_id,
            terms.kind,
            wider=terms.wider,
        )
    return failures


async def hold_conclusion(terms: AwardTerms, reason: str) -> bool:
    """Hold an award's conclusion (in the caller's transaction); True when newly held."""
    award = (
        await Award.select(Award.id, Award.held_at)
        .where(Award.call_off == terms.call_off_id)
        .first()
    )
    if award is None or award["held_at"] is not None:
        return False
    await Award.update({Award.held_at: datetime.now(UTC), Award.held_reason: reason[:2000]}).where(
        Award.id == award["id"]
    )
    await record(
        None,
        "hold_conclusion",
        "call_off",
        terms.call_off_id,
        organisation_id=terms.commissioner_id,
        details={"reason": reason},
    )
    return True


async def tell_commissioner(
    commissioner_id: UUID, subject: str, news: str, call_offs: list[dict[str, str]]
) -> None:
    """Email a commissioner's active users what changed and what it does to each call-off."""
    for email in await active_user_emails([commissioner_id]):
        await add_email(
            email,
            "provider_standing_changed",
            {"subject": subject, "news": news, "call_offs": call_offs},
        )


async def when_rated_inadequate(fall: FallToInadequate) -> None:
    """A provider's CQC rating fell to inadequate: hold its awards in standstill and tell the
    commissioners of every call-off it may still win (open, closed, evaluated or awarded)."""
    touched: dict[UUID, list[dict[str, str]]] = defaultdict(list)
    for row in await call_offs_inviting(
        fall.provider_id,
        [CallOffStatus.PUBLISHED, CallOffStatus.CLOSED, CallOffStatus.EVALUATED],
    ):
        effect = EFFECTS[CallOffStatus(row["status"])]
        touched[row["commissioner"]].append({"title": row["title"], "effect": effect})
    awarded = await AwardLine.select(AwardLine.call_off).where(
        (AwardLine.provider == fall.provider_id) & AwardLine.award.concluded_at.is_null()
    )
    reason = f"{fall.provider_name}: CQC rating inadequate ({fall.source})"
    for call_off_id in dict.fromkeys(row["call_off"] for row in awarded):
        terms = await award_terms(call_off_id)
        if terms is None or terms.status != CallOffStatus.AWARDED:
            continue
        await hold_conclusion(terms, reason)
        effect = EFFECTS[CallOffStatus.AWARDED]
        touched[terms.commissioner_id].append({"title": terms.title, "effect": effect})
    rated = f" on {long_date(fall.rated_on)}" if fall.rated_on else ""
    news = (
        f"{fall.provider_name}'s CQC rating is now inadequate{rated} "
        f"(recorded from {fall.source}). An inadequate provider fails the provider gates."
    )
    for commissioner_id, call_offs in touched.items():
        await tell_commissioner(
            commissioner_id, f"CQC rating inadequate: {fall.provider_name}", news, call_offs
        )
