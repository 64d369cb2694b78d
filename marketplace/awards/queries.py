"""Reading a stored evaluation and award: the commissioner's evaluation table and award, and a
provider's own outcome and assessment summary (never another bidder's figures but the winner's)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from marketplace.admissions.rules import decode_gate_failures
from marketplace.awards import schemas
from marketplace.awards.quality_change import quality_changes
from marketplace.awards.tables import (
    Assessment,
    Award,
    AwardLine,
    Evaluation,
    OutcomeRead,
    ProviderQuality,
)
from marketplace.errors import NotAllowed, NotFound, WrongState
from marketplace.principal import Principal
from marketplace.tenders.call_offs.lifecycle import AwardTerms, award_terms
from marketplace.tenders.call_offs.queries import is_invited
from marketplace.tenders.call_offs.status import DECIDED, WAITING, CallOffStatus


async def own_terms(actor: Principal, call_off_id: UUID, *, lock: bool = False) -> AwardTerms:
    """The commissioner's own call-off (any user of the commissioner's organisation); 404 for
    anyone else's. With `lock`, held until the caller's transaction ends, so that two officers
    acting at once are served one after the other."""
    commissioner_id = actor.commissioner_organisation(NotFound("No such call-off"))
    terms = await award_terms(call_off_id, lock=lock)
    if terms is None or terms.commissioner_id != commissioner_id:
        raise NotFound("No such call-off")
    return terms


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "flags": msgspec.json.decode(row["flags"]),
        "exclusions": decode_gate_failures(row["exclusions"]),
        "figures": msgspec.json.decode(row["figures"]),
    }


async def assessment_rows(call_off_id: UUID) -> list[dict[str, Any]]:
    rows = (
        await Assessment.select()
        .where(Assessment.call_off == call_off_id)
        .order_by(Assessment.position)
    )
    return [_decoded(row) for row in rows]


async def _quality_breakdowns(commissioner_id: UUID, provider_ids: list[UUID]) -> dict[UUID, Any]:
    if not provider_ids:
        return {}
    rows = await ProviderQuality.select(ProviderQuality.provider, ProviderQuality.factors).where(
        (ProviderQuality.commissioner == commissioner_id)
        & ProviderQuality.provider.is_in(provider_ids)
    )
    return {
        row["provider"]: msgspec.json.decode(row["factors"], type=list[schemas.QualityFactor])
        for row in rows
    }


async def evaluation_view(terms: AwardTerms) -> schemas.EvaluationView:
    """The stored evaluation: every bid's figures, rank, flags and reason, with the quality
    breakdown of its provider (the rank decides ties)."""
    evaluation = await Evaluation.select().where(Evaluation.call_off == terms.call_off_id).first()
    if evaluation is None:
        raise WrongState(
            f"A {terms.status} call-off has no evaluation yet: its bids are evaluated once opened"
        )
    rows = await assessment_rows(terms.call_off_id)
    quality = await _quality_breakdowns(
        terms.commissioner_id, sorted({row["provider"] for row in rows}, key=str)
    )
    changes = await quality_changes(
        terms.commissioner_id, evaluation["evaluated_at"], evaluation["reranked_at"], rows
    )
    return schemas.EvaluationView(
        status=terms.status,
        kind=terms.kind,
        evaluated_at=evaluation["evaluated_at"],
        reranked_at=evaluation["reranked_at"],
        complete=evaluation["complete"],
        compliant_bids=evaluation["compliant_bids"],
        max_hourly_rate_pence=terms.max_hourly_rate_pence,
        envelope_weekly_pence=terms.envelope_weekly_pence,
        total_weekly_hours=terms.total_weekly_hours,
        items=[
            schemas.EvaluationItem(
                bid_id=row["bid_id"],
                provider_id=row["provider"],
                provider_name=row["provider_name"],
                area_code=row["area_code"],
                rank=row["rank"],
                compliant=row["compliant"],
                winner=row["winner"],
                flags=row["flags"],
                exclusions=[str(failure) for failure in row["exclusions"]],
                exclusion_codes=[failure.code for failure in row["exclusions"]],
                figures=row["figures"],
                reason=row["reason"],
                # The breakdown the evaluation used; evaluations kept before it was stored with
                # them show the provider's latest kept one.
                quality=(
                    msgspec.json.decode(row["quality"], type=list[schemas.QualityFactor])
                    if row["quality"] is not None
                    else quality.get(row["provider"], [])
                ),
                evaluated_quality_score=row["evaluated_quality_score"],
                quality_change=changes.get((row["bid_id"], row["area_code"])),
            )
            for row in rows
        ],
    )


async def get_evaluation(actor: Principal, call_off_id: UUID) -> schemas.EvaluationView:
    return await evaluation_view(await own_terms(actor, call_off_id))


async def award_lines(call_off_id: UUID) -> list[schemas.AwardedLine]:
    rows = (
        await AwardLine.select(
            *AwardLine.all_columns(), AwardLine.provider.name.as_alias("provider_name")
        )
        .where(AwardLine.call_off == call_off_id)
        .order_by(AwardLine.area_code)
    )
    return [
        schemas.AwardedLine(
            bid_id=row["bid_id"],
            provider_id=row["provider"],
            provider_name=row["provider_name"],
            area_code=row["area_code"],
            hourly_rate_pence=row["hourly_rate_pence"],
            mobilisation_date=row["mobilisation_date"],
        )
        for row in rows
    ]


async def award_view(terms: AwardTerms) -> schemas.AwardView:
    row = await Award.select().where(Award.call_off == terms.call_off_id).first()
    if row is None:
        raise NotFound(f"No award has been confirmed: the call-off is {terms.status}")
    return schemas.AwardView(
        status=terms.status,
        confirmed_at=row["confirmed_at"],
        standstill_ends_at=row["standstill_ends_at"],
        concluded_at=row["concluded_at"],
        departed=row["departed"],
        reason=row["reason"],
        report_document_id=row["report_document_id"],
        report_sha256=row["report_sha256"],
        awards=await award_lines(terms.call_off_id),
        held_at=row["held_at"] if row["concluded_at"] is None else None,
        held_reason=row["held_reason"] if row["concluded_at"] is None else None,
    )


def outcomes_of(
    status: CallOffStatus, rows: list[dict[str, Any]], awarded: set[tuple[UUID, str | None]]
) -> dict[UUID, schemas.ProviderOutcome]:
    """Each assessed provider's outcome and assessment summary: its own figures and rank, the
    figures of the bid awarded in the same area, and the reason."""
    decided = status in DECIDED
    winning = {
        row["area_code"]: row["figures"]
        for row in rows
        if (row["bid_id"], row["area_code"]) in awarded
    }
    by_provider: dict[UUID, list[schemas.AreaOutcome]] = {}
    for row in rows:
        won = (row["bid_id"], row["area_code"]) in awarded
        outcome = (
            "awarded"
            if won
            else "excluded"
            if not row["compliant"]
            else "unsuccessful"
            if decided
            else "pending"
        )
        by_provider.setdefault(row["provider"], []).append(
            schemas.AreaOutcome(
                area_code=row["area_code"],
                outcome=outcome,
                rank=row["rank"],
                your_figures=row["figures"],
                winning_figures=winning.get(row["area_code"]) if decided else None,
                reason=row["reason"] if decided else "the award has not been decided yet",
            )
        )
    result = {}
    for provider_id, areas in by_provider.items():
        best = min(areas, key=_outcome_order)
        result[provider_id] = schemas.ProviderOutcome(
            status=status,
            outcome=best.outcome,
            rank=best.rank,
            your_figures=best.your_figures,
            winning_figures=best.winning_figures,
            reason=best.reason,
            standstill_ends_at=None,
            areas=areas if any(a.area_code for a in areas) else [],
        )
    return result


def _outcome_order(area: schemas.AreaOutcome) -> tuple[int, int]:
    order = {"awarded": 0, "pending": 1, "unsuccessful": 2, "excluded": 3}
    return order.get(area.outcome, 4), area.rank or 10**9


async def awarded_pairs(call_off_id: UUID) -> set[tuple[UUID, str | None]]:
    rows = await AwardLine.select(AwardLine.bid_id, AwardLine.area_code).where(
        AwardLine.call_off == call_off_id
    )
    return {(row["bid_id"], row["area_code"]) for row in rows}


async def provider_outcome(actor: Principal, call_off_id: UUID) -> schemas.ProviderOutcome:
    """A provider's own outcome: pending until the award is decided, then its assessment
    summary. 404 unless it was invited."""
    provider_id = actor.provider_organisation(NotAllowed("Only providers have outcomes"))
    invited = await is_invited(call_off_id, provider_id)
    terms = await award_terms(call_off_id)
    if not invited or terms is None:
        raise NotFound("No such call-off")
    rows = await assessment_rows(call_off_id)
    if not any(row["provider"] == provider_id for row in rows):
        if terms.status in WAITING:
            raise WrongState(f"There is no outcome yet: the call-off is {terms.status}")
        raise NotFound("You have no assessed bid in this call-off")
    outcome = outcomes_of(terms.status, rows, await awarded_pairs(call_off_id))[provider_id]
    award = (
        await Award.select(Award.standstill_ends_at).where(Award.call_off == call_off_id).first()
    )
    if award is not None:
        outcome.standstill_ends_at = award["standstill_ends_at"]
    return outcome


# For the home pages (marketplace/home.py): one query or two each, never one per row.


async def standstills_running(commissioner_id: UUID) -> list[Any]:
    """The commissioner's confirmed awards whose standstill has not ended in a conclusion yet
    (call-off id, title, when the standstill ends), soonest end first."""
    return list(
        await Award.select(
            Award.call_off.as_alias("id"),
            Award.call_off.title.as_alias("title"),
            Award.standstill_ends_at,
        )
        .where((Award.call_off.commissioner == commissioner_id) & Award.concluded_at.is_null())
        .order_by(Award.standstill_ends_at)
    )


async def outcomes_to_read(provider_id: UUID, user_id: UUID) -> list[Any]:
    """The call-offs the provider's bid was assessed in whose award is decided (awarded,
    concluded or no award) and whose outcome this user has not opened yet (`OutcomeRead`): the
    outcomes to read, newest evaluation (recomputed when an award is confirmed) first."""
    read = OutcomeRead.select(OutcomeRead.call_off).where(OutcomeRead.user == user_id)
    rows = await Assessment.select(
        Assessment.call_off.as_alias("id"), Assessment.call_off.title.as_alias("title")
    ).where(
        (Assessment.provider == provider_id)
        & Assessment.call_off.status.is_in([str(s) for s in DECIDED])
        & Assessment.call_off.not_in(read)
    )
    titles = {row["id"]: row["title"] for row in rows}
    if not titles:
        return []
    dated = (
        await Evaluation.select(Evaluation.call_off, Evaluation.evaluated_at)
        .where(Evaluation.call_off.is_in(list(titles)))
        .order_by(Evaluation.evaluated_at, ascending=False)
    )
    return [
        {"id": row["call_off"], "title": titles[row["call_off"]], "at": row["evaluated_at"]}
        for row in dated
    ]
