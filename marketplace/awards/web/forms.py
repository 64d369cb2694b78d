"""The award pages' forms and figures: reading the award and scoring forms into the API's
bodies, the form field an error of the API is about, and the chart's data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.awards import schemas
from marketplace.errors import BadInput, FieldError
from marketplace.web.forms import FormReader, Labels

LABELS = Labels(
    {
        "reason": "The reason",
        "abnormally_low_checked": "The check",
        "choice": "The choice of bid",
        "award": "The award",
        "scores": "The scores",
    },
    by_prefix={"score_": "This score"},
)


def form_field(api_field: str) -> str:
    """The form field an error of the API's body is about: the choice of bid for the award's
    `bid_ids` and `areas`, `score_<question>` for a pilot score."""
    if api_field.startswith("bid_ids") or api_field.startswith("areas"):
        return "choice"
    return api_field.replace("scores.", "score_")


def _uuid(text: str, field: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise BadInput("Choose a bid", [FieldError(field, "Choose a bid")]) from None


def award_confirmation(kind: str, form: dict[str, Any]) -> schemas.AwardConfirmation:
    """The award form: the chosen bid (one per area for a pilot; the computed ones are chosen
    unless the commissioner changes them), the reason for a departure, the abnormally-low check."""
    read = FormReader(form)
    reason = read.text("reason")[:2000] or None
    checked = read.ticked("abnormally_low_checked")
    if kind == "pilot":
        areas = [
            schemas.AreaChoice(
                area_code=name.removeprefix("choice_"), bid_id=_uuid(value, "choice")
            )
            for name in sorted(form)
            if name.startswith("choice_") and (value := read.text(name))
        ]
        return schemas.AwardConfirmation(
            areas=areas or None, reason=reason, abnormally_low_checked=checked
        )
    choice = read.text("choice")
    return schemas.AwardConfirmation(
        bid_ids=[_uuid(choice, "choice")] if choice else None,
        reason=reason,
        abnormally_low_checked=checked,
    )


def pilot_scores(bid_id: UUID, area_code: str, form: dict[str, Any]) -> schemas.PilotScores:
    """The scoring form: a whole number from 0 to 100 for each question (`score_<question>`)."""
    read = FormReader(form)
    scores: dict[str, int] = {}
    for name in sorted(form):
        if not name.startswith("score_"):
            continue
        score = read.whole_number(name, most=100, words="Enter a whole number from 0 to 100")
        if score is not None:
            scores[name.removeprefix("score_")] = score
    read.check("The scores are not valid")
    return schemas.PilotScores(bid_id=bid_id, area_code=area_code, scores=scores)


def areas_of(evaluation: schemas.EvaluationView) -> list[str]:
    """The pilot's areas in the evaluation's order (empty for the other kinds)."""
    seen: list[str] = []
    for item in evaluation.items:
        if item.area_code and item.area_code not in seen:
            seen.append(item.area_code)
    return seen


def computed_choice(evaluation: schemas.EvaluationView) -> dict[str, str]:
    """The computed winner of the call-off (key "") or of each pilot area."""
    return {item.area_code or "": str(item.bid_id) for item in evaluation.items if item.winner}


def chart_data(evaluation: schemas.EvaluationView) -> dict[str, Any]:
    """Each bid's rate against the maximum rate and the envelope (as an hourly rate for the
    call-off's hours), in pence, for the evaluation chart."""
    envelope_rate = None
    if (
        evaluation.envelope_weekly_pence
        and evaluation.total_weekly_hours
        and evaluation.kind != "pilot"
    ):
        envelope_rate = int(
            Decimal(evaluation.envelope_weekly_pence) / Decimal(evaluation.total_weekly_hours)
        )
    return {
        "labels": [
            item.provider_name + (f" ({item.area_code})" if item.area_code else "")
            for item in evaluation.items
        ],
        "rates": [item.figures.get("hourly_rate_pence") for item in evaluation.items],
        "compliant": [item.compliant for item in evaluation.items],
        "winners": [item.winner for item in evaluation.items],
        "max_rate": evaluation.max_hourly_rate_pence,
        "envelope_rate": envelope_rate,
    }
