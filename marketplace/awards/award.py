"""Use cases of awards: settle a call-off once its bids are opened, confirm the award (or depart
from it with a reason) with the gates re-checked at that moment, and end a call-off without an
award. Pilot scores are in scoring.py; the notice and the conclusion in conclusion.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from marketplace.archive.service import keep_for_the_award
from marketplace.awards import notices, schemas
from marketplace.awards.choice import Choice, check_choice, chosen_bids, proposal
from marketplace.awards.engine import values as facts
from marketplace.awards.engine.standstill import standstill_ends_at
from marketplace.awards.evaluation import compliant_bid_count, evaluate_call_off
from marketplace.awards.jobs import CONCLUDE_CALL_OFF
from marketplace.awards.one_per_area import check_one_provider_per_area
from marketplace.awards.queries import (
    assessment_rows,
    award_view,
    awarded_pairs,
    outcomes_of,
    own_terms,
)
from marketplace.awards.report import archive_award_report
from marketplace.awards.tables import Award, AwardLine, Evaluation
from marketplace.bids.attachment_queries import attachment_document_ids
from marketplace.config import get_settings
from marketplace.db import write_transaction
from marketplace.errors import NotAllowed, WrongState
from marketplace.notifications.outbox import add_job
from marketplace.principal import Principal
from marketplace.tenders.call_offs.lifecycle import (
    AwardTerms,
    call_off_document_ids,
    move_call_off,
    return_packages_for_contingency,
)
from marketplace.tenders.call_offs.status import CallOffStatus, check_move


async def _tell_bidders(terms: AwardTerms, status: CallOffStatus) -> list[str]:
    rows = await assessment_rows(terms.call_off_id)
    outcomes = outcomes_of(status, rows, await awarded_pairs(terms.call_off_id))
    return await notices.send_assessment_summaries(terms.call_off_id, terms.title, outcomes)


async def end_without_award(terms: AwardTerms, actor: Principal | None, why: str) -> None:
    """Fewer compliant bids than the call-off's minimum: it ends no_award, its packages go back
    to the waiting list flagged for contingency, and every bidder is told (in the caller's
    transaction)."""
    check_move(terms.status, CallOffStatus.NO_AWARD)
    packages = await return_packages_for_contingency(terms.call_off_id)
    await _tell_bidders(terms, CallOffStatus.NO_AWARD)
    await move_call_off(
        terms.call_off_id,
        CallOffStatus.NO_AWARD,
        actor=actor,
        action="no_award",
        details={"reason": why, "packages_to_contingency": len(packages)},
    )


def short_of_an_award(terms: AwardTerms, outcome: facts.Evaluation) -> str | None:
    """Why a complete evaluation cannot lead to an award (fewer compliant bids than the
    call-off's minimum, or none to award), or None when it can or is not complete yet."""
    if not outcome.complete:
        return None
    compliant, wanted = compliant_bid_count(outcome), max(terms.min_bids, 1)
    if compliant >= wanted and outcome.winners:
        return None
    return (
        f"{compliant} compliant bid{'s' if compliant != 1 else ''}, "
        f"fewer than the minimum of {wanted}"
        if compliant < wanted
        else "no bid can be awarded"
    )


async def settle_after_opening(call_off_id: UUID) -> None:
    """Once the bids are opened: evaluate them, and end the call-off without an award when too
    few are compliant (a pilot waits for its quality scores first)."""
    evaluated = await evaluate_call_off(call_off_id)
    if evaluated is None:
        return
    terms, outcome = evaluated
    if why := short_of_an_award(terms, outcome):
        await end_without_award(terms, None, why)


async def confirm_award(
    actor: Principal, call_off_id: UUID, body: schemas.AwardConfirmation
) -> schemas.AwardView:
    """Confirm the computed award, or depart from it with a reason. The provider gates are
    re-checked at this moment: when a computed winner now fails them the next compliant bid is
    proposed instead and nothing is awarded (409); when none remains the call-off ends no_award."""
    if actor.role != "commissioner":
        raise NotAllowed("Only commissioners confirm awards")
    refusal: WrongState | None = None
    async with write_transaction():
        terms = await own_terms(actor, call_off_id, lock=True)
        if terms.status != CallOffStatus.EVALUATED:
            raise WrongState(
                f"Only an evaluated call-off can be awarded; this one is {terms.status}"
            )
        state = await Evaluation.select().where(Evaluation.call_off == call_off_id).first()
        if state is None or not state["complete"]:
            raise WrongState(
                "The evaluation is not complete: every compliant pilot bid needs its scores"
            )
        before = [
            (r["bid_id"], r["area_code"]) for r in await assessment_rows(call_off_id) if r["winner"]
        ]
        evaluated = await evaluate_call_off(call_off_id, recheck_gates=True, terms=terms)
        assert evaluated is not None
        terms, outcome = evaluated
        computed = [(w.bid_id, w.area_code) for w in outcome.winners]
        if why := short_of_an_award(terms, outcome):
            await end_without_award(terms, actor, "gates re-checked at award: " + why)
            refusal = WrongState(
                "Re-checking the gates left no compliant bid to award: the call-off has ended "
                "without an award and its packages are back on the waiting list for contingency"
            )
        elif (
            sorted(before, key=str) != sorted(computed, key=str)
            and body.bid_ids is None
            and body.areas is None
        ):
            refusal = WrongState(proposal(before, outcome))
        else:
            rows = await assessment_rows(call_off_id)
            chosen = chosen_bids(terms, body, computed)
            picked = check_choice(terms, body, chosen, computed, rows)
            await check_one_provider_per_area(terms, picked)
            departed = sorted(chosen, key=str) != sorted(computed, key=str)
            await _award(actor, terms, body, picked, departed, computed)
    if refusal is not None:
        raise refusal
    return await award_view(await own_terms(actor, call_off_id))


async def _award(
    actor: Principal,
    terms: AwardTerms,
    body: schemas.AwardConfirmation,
    picked: list[dict[str, Any]],
    departed: bool,
    computed: list[Choice],
) -> None:
    now = datetime.now(UTC)
    ends = standstill_ends_at(now, terms.standstill_working_days, ZoneInfo(get_settings().timezone))
    award = Award(
        call_off=terms.call_off_id,
        confirmed_at=now,
        confirmed_by=actor.user_id,
        departed=departed,
        reason=(body.reason or "").strip() or None,
        abnormally_low_checked=body.abnormally_low_checked,
        computed=msgspec.json.encode(
            [{"bid_id": str(b), "area_code": a} for b, a in computed]
        ).decode(),
        notice_at=now,
        standstill_ends_at=ends,
    )
    await Award.insert(award)
    await AwardLine.insert(
        *[
            AwardLine(
                award=award.id,
                call_off=terms.call_off_id,
                bid_id=row["bid_id"],
                provider=row["provider"],
                area_code=row["area_code"],
                hourly_rate_pence=row["figures"]["hourly_rate_pence"],
                mobilisation_date=_day(row["figures"].get("mobilisation_date")),
            )
            for row in picked
        ]
    )
    document_id, digest = await archive_award_report(actor, terms, award, picked)
    await Award.update({Award.report_document_id: document_id, Award.report_sha256: digest}).where(
        Award.id == award.id
    )
    # Everything the award rests on is kept for the retention period from the award.
    await keep_for_the_award(
        await call_off_document_ids(terms.call_off_id)
        + await attachment_document_ids(terms.call_off_id),
        now,
    )
    summaries = await _tell_bidders(terms, CallOffStatus.AWARDED)
    await notices.schedule_award_notice(terms.call_off_id, summaries)
    await add_job(CONCLUDE_CALL_OFF, {"call_off_id": str(terms.call_off_id)}, run_at=ends)
    await move_call_off(
        terms.call_off_id,
        CallOffStatus.AWARDED,
        actor=actor,
        action="confirm_award",
        details={
            "awarded": [
                {"bid_id": str(row["bid_id"]), "area_code": row["area_code"]} for row in picked
            ],
            "departed": departed,
            "reason": award.reason,
            "abnormally_low_checked": body.abnormally_low_checked,
            "standstill_ends_at": ends.isoformat(),
            "report_sha256": digest,
        },
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
