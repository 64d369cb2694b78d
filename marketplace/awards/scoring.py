"""A pilot's quality scores: each evaluator scores every answer of a bid in an area from 0 to
100; the evaluation is recomputed as the scores arrive."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec

from marketplace.audit.service import record
from marketplace.awards import schemas
from marketplace.awards.award import end_without_award, short_of_an_award
from marketplace.awards.evaluation import evaluate_call_off
from marketplace.awards.queries import assessment_rows, evaluation_view, own_terms
from marketplace.awards.tables import PilotScore
from marketplace.db import upsert, write_transaction
from marketplace.errors import FieldError, NotAllowed, RuleBroken, WrongState
from marketplace.principal import Principal
from marketplace.tenders.call_offs.status import CallOffStatus


async def put_scores(
    actor: Principal, call_off_id: UUID, body: schemas.PilotScores
) -> schemas.EvaluationView:
    """An evaluator's quality scores (0-100 for every question) for a pilot bid in one area;
    the evaluation is recomputed at once and is complete when every compliant bid is scored."""
    if actor.role != "commissioner":
        raise NotAllowed("Only commissioners score pilot bids")
    async with write_transaction():
        terms = await own_terms(actor, call_off_id, lock=True)
        if terms.kind != "pilot" or terms.pilot is None:
            raise WrongState(f"Only a pilot's bids are scored; this call-off is {terms.kind}")
        if terms.status != CallOffStatus.EVALUATED:
            raise WrongState(f"Bids can be scored only while evaluated; this one is {terms.status}")
        rows = await assessment_rows(call_off_id)
        offer = next(
            (r for r in rows if r["bid_id"] == body.bid_id and r["area_code"] == body.area_code),
            None,
        )
        if offer is None:
            raise RuleBroken(
                "That bid made no offer in that area",
                [FieldError("area_code", f"bid {body.bid_id} has no offer in {body.area_code}")],
            )
        question_ids = [q.id for q in terms.pilot.questions]
        errors = [
            FieldError(f"scores.{q}", "needs a score from 0 to 100")
            for q in question_ids
            if q not in body.scores
        ] + [
            FieldError(f"scores.{q}", "is not one of the questions")
            for q in sorted(set(body.scores) - set(question_ids))
        ]
        if errors:
            raise RuleBroken("Score every question, and only the questions", errors)
        await upsert(
            PilotScore(
                call_off=call_off_id,
                bid_id=body.bid_id,
                area_code=body.area_code,
                evaluator=actor.user_id,
                scores=msgspec.json.encode(body.scores).decode(),
                scored_at=datetime.now(UTC),
            ),
            (PilotScore.bid_id, PilotScore.area_code, PilotScore.evaluator),
            [PilotScore.scores, PilotScore.scored_at],
        )
        await record(
            actor,
            "score_pilot_bid",
            "call_off",
            call_off_id,
            organisation_id=terms.commissioner_id,
            details={"bid_id": str(body.bid_id), "area_code": body.area_code},
        )
        evaluated = await evaluate_call_off(call_off_id, terms=terms)
        assert evaluated is not None
        terms, outcome = evaluated
        if why := short_of_an_award(terms, outcome):
            await end_without_award(terms, actor, "scored: " + why)
    return await evaluation_view(await own_terms(actor, call_off_id))
