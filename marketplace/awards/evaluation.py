"""Evaluating an opened call-off: the award rules run over the opened bids, the provider gates
and quality ranks, and (for a pilot) the evaluators' scores; every bid's figures, rank, flags and
reason are stored. It runs when the bids are opened, again as pilot scores arrive, and when an
award is confirmed (with the provider gates re-checked at that moment: that re-ranking keeps the
evaluated time and the quality scores the evaluation decided with, docs/design.md 4.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from marketplace.admissions.eligibility import providers_gate_failures
from marketplace.admissions.rules import GateFailure, encode_gate_failures
from marketplace.audit.service import record
from marketplace.awards.engine import ranking as rules
from marketplace.awards.engine.values import AreaOffer, BidFacts, CallOffTerms, PilotArea, Question
from marketplace.awards.quality_ranking import Standing, rank_providers
from marketplace.awards.tables import Assessment, Evaluation, PilotScore
from marketplace.bids.contents import opened_contents
from marketplace.bids.schemas import OpenedBid
from marketplace.db import insert_all, upsert, write_transaction
from marketplace.tenders.call_offs.bidding import invited_area_ids
from marketplace.tenders.call_offs.lifecycle import AwardTerms, award_terms, move_call_off
from marketplace.tenders.call_offs.status import CallOffStatus


def rules_terms(terms: AwardTerms) -> CallOffTerms:
    """The call-off's terms in the award rules' words."""
    pilot = terms.pilot
    return CallOffTerms(
        kind=terms.kind,
        max_hourly_rate_pence=terms.max_hourly_rate_pence,
        envelope_weekly_pence=terms.envelope_weekly_pence,
        total_weekly_hours=terms.total_weekly_hours,
        latest_start=terms.latest_start,
        pilot_areas=tuple(PilotArea(a.area_code, Decimal(a.weekly_hours)) for a in pilot.areas)
        if pilot
        else (),
        questions=tuple(Question(q.id, q.weight) for q in pilot.questions) if pilot else (),
        quality_weight=pilot.quality_weight if pilot else 0,
        price_weight=pilot.price_weight if pilot else 0,
        min_quality_percent=pilot.min_quality_percent if pilot else 0,
        max_areas_per_provider=pilot.max_areas_per_provider if pilot else 1,
    )


async def _scores(call_off_id: UUID) -> dict[tuple[UUID, str], list[dict[str, int]]]:
    found: dict[tuple[UUID, str], list[dict[str, int]]] = {}
    for row in (
        await PilotScore.select()
        .where(PilotScore.call_off == call_off_id)
        .order_by(PilotScore.scored_at)
    ):
        found.setdefault((row["bid_id"], row["area_code"]), []).append(
            msgspec.json.decode(row["scores"])
        )
    return found


def _bid_facts(
    bid: OpenedBid,
    standing: Standing | None,
    failures: list[GateFailure],
    scores: dict[tuple[UUID, str], list[dict[str, int]]],
) -> BidFacts:
    content = bid.content
    common: dict[str, Any] = {
        "bid_id": bid.bid_id,
        "provider_id": bid.provider_id,
        "provider_name": standing.name if standing else "",
        "received_at": bid.received_at,
        "provider_failures": tuple(failures),
        "altered": content is None,
    }
    if standing is not None:
        common["quality_score"] = standing.score
        common["admitted_at"] = standing.admitted_at
    if content is None:
        return BidFacts(**common)
    return BidFacts(
        **common,
        hourly_rate_pence=content.hourly_rate_pence,
        mobilisation_date=content.mobilisation_date,
        accepts_enablement_budget=content.accepts_enablement_budget,
        areas=tuple(
            AreaOffer(
                area.area_code,
                area.hourly_rate_pence,
                tuple(scores.get((bid.bid_id, area.area_code), [])),
            )
            for area in content.areas
        ),
    )


def _failures_at_closing(bid: OpenedBid) -> list[GateFailure]:
    """The provider gates the bidder failed at the close, as opening answers them."""
    pairs = zip(bid.gate_failure_codes, bid.gate_failures, strict=True)
    return [GateFailure(code, sentence) for code, sentence in pairs]


async def _fresh_failures(
    terms: AwardTerms, provider_ids: list[UUID]
) -> dict[UUID, list[GateFailure]]:
    invited = await invited_area_ids(terms.call_off_id)
    return await providers_gate_failures(
        terms.commissioner_id,
        terms.lot_id,
        {provider_id: invited.get(provider_id, []) for provider_id in provider_ids},
        terms.kind,
        wider=terms.wider,
    )


async def _kept_at_evaluation(call_off_id: UUID) -> dict[tuple[UUID, str | None], Any]:
    """The quality score and breakdown each stored assessment was evaluated with."""
    rows = await Assessment.select(
        Assessment.bid_id,
        Assessment.area_code,
        Assessment.figures,
        Assessment.quality,
        Assessment.evaluated_quality_score,
        Assessment.evaluated_quality,
    ).where(Assessment.call_off == call_off_id)
    return {
        (row["bid_id"], row["area_code"]): (
            row["evaluated_quality_score"]
            or msgspec.json.decode(row["figures"]).get("quality_score"),
            row["evaluated_quality"] or row["quality"],
        )
        for row in rows
    }


async def _store(
    call_off_id: UUID,
    outcome: rules.Evaluation,
    standings: dict[UUID, Standing],
    *,
    at_award: bool,
) -> None:
    """Store the evaluation. At award the ranking is re-computed: each assessment keeps the
    quality score and breakdown its evaluation decided with, and so does the evaluated time;
    the re-ranking time is recorded apart."""
    now = datetime.now(UTC)
    breakdowns = {
        provider_id: msgspec.json.encode(standing.factors).decode()
        for provider_id, standing in standings.items()
    }
    kept = await _kept_at_evaluation(call_off_id) if at_award else {}
    await Assessment.delete().where(Assessment.call_off == call_off_id)
    rows = []
    for position, item in enumerate(outcome.assessments):
        quality = breakdowns.get(item.provider_id)
        score = item.figures.get("quality_score")
        evaluated_score, evaluated_quality = kept.get(
            (item.bid_id, item.area_code), (score, quality)
        )
        rows.append(
            Assessment(
                call_off=call_off_id,
                bid_id=item.bid_id,
                provider=item.provider_id,
                provider_name=item.provider_name,
                area_code=item.area_code,
                position=position,
                rank=item.rank,
                compliant=item.compliant,
                winner=item.winner,
                flags=msgspec.json.encode(list(item.flags)).decode(),
                exclusions=encode_gate_failures(item.exclusions),
                figures=msgspec.json.encode(dict(item.figures)).decode(),
                reason=item.reason,
                quality=quality,
                evaluated_quality_score=None if evaluated_score is None else str(evaluated_score),
                evaluated_quality=evaluated_quality,
            )
        )
    await insert_all(rows)
    complete, compliant = outcome.complete, compliant_bid_count(outcome)
    if at_award:
        await Evaluation.update(
            {
                Evaluation.reranked_at: now,
                Evaluation.complete: complete,
                Evaluation.compliant_bids: compliant,
            }
        ).where(Evaluation.call_off == call_off_id)
        return
    await upsert(
        Evaluation(
            call_off=call_off_id,
            evaluated_at=now,
            reranked_at=None,
            complete=complete,
            compliant_bids=compliant,
        ),
        (Evaluation.call_off,),
        [
            Evaluation.evaluated_at,
            Evaluation.reranked_at,
            Evaluation.complete,
            Evaluation.compliant_bids,
        ],
    )


def compliant_bid_count(outcome: rules.Evaluation) -> int:
    """How many different bids are compliant (a pilot bid counts once, whatever its areas)."""
    return len({item.bid_id for item in outcome.assessments if item.compliant})


async def evaluate_call_off(
    call_off_id: UUID, *, recheck_gates: bool = False, terms: AwardTerms | None = None
) -> tuple[AwardTerms, rules.Evaluation] | None:
    """Evaluate an opened call-off and store the result (joining the caller's transaction); with
    `recheck_gates` the provider gates are checked again now instead of as they were at closing.
    A caller that already holds the call-off's lock passes its `terms`. None when the call-off
    is not opened."""
    async with write_transaction():
        if terms is None:
            terms = await award_terms(call_off_id, lock=True)
        if terms is None:
            return None
        contents = await opened_contents(call_off_id)
        provider_ids = sorted({bid.provider_id for bid in contents}, key=str)
        standings = await rank_providers(terms.commissioner_id, provider_ids, terms.lot_id)
        failures = (
            await _fresh_failures(terms, provider_ids)
            if recheck_gates
            else {bid.provider_id: _failures_at_closing(bid) for bid in contents}
        )
        scores = await _scores(call_off_id)
        outcome = rules.evaluate(
            rules_terms(terms),
            [
                _bid_facts(bid, standings.get(bid.provider_id), failures[bid.provider_id], scores)
                for bid in contents
            ],
        )
        await _store(call_off_id, outcome, standings, at_award=recheck_gates)
        details = {
            "complete": outcome.complete,
            "compliant_bids": compliant_bid_count(outcome),
            "winners": [str(w.bid_id) for w in outcome.winners],
            "gates_rechecked": recheck_gates,
        }
        if terms.status == CallOffStatus.CLOSED:
            # The first evaluation is the opening's: it moves the call-off, with this event.
            await move_call_off(
                call_off_id,
                CallOffStatus.EVALUATED,
                actor=None,
                action="evaluate_call_off",
                details=details,
            )
            terms = replace(terms, status=CallOffStatus.EVALUATED)
        else:
            await record(
                None,
                "evaluate_call_off",
                "call_off",
                call_off_id,
                organisation_id=terms.commissioner_id,
                details=details,
            )
    return terms, outcome
