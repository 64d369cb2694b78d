"""What a bid must contain for its kind of call-off (pure): the errors, each naming its field."""

from __future__ import annotations

from typing import Any

from marketplace.bids.schemas import BidSubmission
from marketplace.errors import FieldError


def bid_content_errors(
    kind: str, terms: dict[str, Any], invited_areas: list[str], bid: BidSubmission
) -> list[FieldError]:
    """Enablement: a rate and the acceptance of the enablement budget; cluster: a rate and a
    mobilisation date; pilot: for each area bid for (one the provider is invited for), a rate and
    an answer to every question."""
    errors: list[FieldError] = []
    if kind in ("enablement", "cluster") and bid.hourly_rate_pence is None:
        errors.append(FieldError("hourly_rate_pence", "is required"))
    if kind == "enablement" and bid.accepts_enablement_budget is None:
        errors.append(
            FieldError(
                "accepts_enablement_budget",
                "is required: say whether you accept the enablement budget",
            )
        )
    if kind == "cluster" and bid.mobilisation_date is None:
        errors.append(
            FieldError(
                "mobilisation_date", "is required: the date by which you can start every package"
            )
        )
    if kind != "pilot":
        if bid.areas:
            errors.append(FieldError("areas", "only a pilot is bid for area by area"))
        return errors
    if not bid.areas:
        errors.append(FieldError("areas", "bid for at least one of the pilot's areas"))
    question_ids = [question["id"] for question in terms.get("questions", [])]
    seen: set[str] = set()
    for index, area in enumerate(bid.areas):
        if area.area_code not in invited_areas:
            errors.append(
                FieldError(
                    f"areas[{index}].area_code",
                    f"{area.area_code} is not an area you are invited to bid for",
                )
            )
        if area.area_code in seen:
            errors.append(FieldError(f"areas[{index}].area_code", "names an area twice"))
        seen.add(area.area_code)
        for question_id in question_ids:
            if not (area.answers.get(question_id) or "").strip():
                errors.append(
                    FieldError(f"areas[{index}].answers.{question_id}", "needs an answer")
                )
        for extra in sorted(set(area.answers) - set(question_ids)):
            errors.append(
                FieldError(f"areas[{index}].answers.{extra}", "is not one of the questions")
            )
    return errors


# Why an invited provider turns a call-off down (docs/design.md 3.3): the fixed list, with the
# words shown to both parties; "other" needs the provider's own words.
DECLINE_REASONS: dict[str, str] = {
    "no_capacity": "No capacity",
    "outside_travel_range": "Outside our travel range",
    "complexity": "Complexity of need",
    "other": "Other",
}


def decline_errors(reason: str, text: str | None) -> list[FieldError]:
    """A decline gives one reason from the fixed list; "other" says what in `text`, and only
    "other" has a text (the commissioner sees the reasons before opening, not who gave them)."""
    if reason not in DECLINE_REASONS:
        return [FieldError("reason", f"must be one of {', '.join(DECLINE_REASONS)}")]
    if reason == "other" and not text:
        return [FieldError("text", "is required when the reason is other")]
    if reason != "other" and text:
        return [FieldError("text", "is given only when the reason is other")]
    return []
