"""What a bid must contain for its kind of call-off, and what it can never be compliant with
(pure): the errors, each naming its field, with a sentence and a code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marketplace.bids.compliance import (
    Breach,
    Limits,
    mobilisation_breach,
    pilot_area_breach,
    rate_breaches,
)
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
        errors.append(FieldError("hourly_rate_pence", "Enter your hourly rate", "required"))
    if kind == "enablement" and bid.accepts_enablement_budget is None:
        errors.append(
            FieldError(
                "accepts_enablement_budget",
                "Say whether you accept the enablement budget",
                "required",
            )
        )
    if kind == "cluster" and bid.mobilisation_date is None:
        errors.append(
            FieldError(
                "mobilisation_date",
                "Enter the date by which you can start every package",
                "required",
            )
        )
    if kind != "pilot":
        if bid.areas:
            errors.append(
                FieldError("areas", "Only a pilot is bid for area by area", "not_a_pilot")
            )
        return errors
    if not bid.areas:
        errors.append(FieldError("areas", "Choose at least one of the pilot's areas", "required"))
    question_ids = [question["id"] for question in terms.get("questions", [])]
    seen: set[str] = set()
    for index, area in enumerate(bid.areas):
        if area.area_code not in invited_areas:
            errors.append(
                FieldError(
                    f"areas[{index}].area_code",
                    f"{area.area_code} is not an area you are invited to bid for",
                    "not_invited_area",
                )
            )
        if area.area_code in seen:
            errors.append(
                FieldError(
                    f"areas[{index}].area_code",
                    f"{area.area_code} is named twice: bid once for each area",
                    "duplicate",
                )
            )
        seen.add(area.area_code)
        for question_id in question_ids:
            if not (area.answers.get(question_id) or "").strip():
                errors.append(
                    FieldError(
                        f"areas[{index}].answers.{question_id}",
                        f"Answer every question for {area.area_code}",
                        "required",
                    )
                )
        for extra in sorted(set(area.answers) - set(question_ids)):
            errors.append(
                FieldError(
                    f"areas[{index}].answers.{extra}",
                    f"{extra} is not one of the pilot's questions",
                    "unknown_field",
                )
            )
    return errors


def limits_of(
    kind: str,
    terms: dict[str, Any],
    max_hourly_rate_pence: int,
    envelope_weekly_pence: int | None,
    total_weekly_hours: Decimal,
) -> Limits:
    """A call-off's limits on a bid's content, from its kind's own terms (`latest_start` of a
    cluster, `areas` of a pilot, as stored)."""
    latest = terms.get("latest_start") if kind == "cluster" else None
    return Limits(
        max_hourly_rate_pence=max_hourly_rate_pence,
        envelope_weekly_pence=envelope_weekly_pence,
        total_weekly_hours=total_weekly_hours,
        latest_start=date.fromisoformat(str(latest)) if latest else None,
        pilot_area_hours={
            str(area["area_code"]): Decimal(str(area["weekly_hours"]))
            for area in terms.get("areas", [])
        }
        if kind == "pilot"
        else None,
    )


def _refusal(field: str, breach: Breach) -> FieldError:
    return FieldError(field, breach.sentence, breach.code)


def never_compliant(kind: str, limits: Limits, bid: BidSubmission, today: date) -> list[FieldError]:
    """What no change before the close can mend, refused at submission (the award engine's gates
    would exclude it at opening): a rate above the maximum or outside the envelope, a
    mobilisation date gone by or after the latest start, an offer for an area not in the pilot."""
    errors = []
    if kind != "pilot":
        if bid.hourly_rate_pence is not None:
            for breach in rate_breaches(limits, bid.hourly_rate_pence):
                errors.append(_refusal("hourly_rate_pence", breach))
        offered = bid.mobilisation_date
        if offered is not None and (found := mobilisation_breach(limits, offered, today)):
            errors.append(_refusal("mobilisation_date", found))
        return errors
    for index, area in enumerate(bid.areas):
        if found := pilot_area_breach(limits, area.area_code):
            errors.append(_refusal(f"areas[{index}].area_code", found))
            continue
        for breach in rate_breaches(limits, area.hourly_rate_pence, area.area_code):
            errors.append(_refusal(f"areas[{index}].hourly_rate_pence", breach))
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
        return [FieldError("reason", "Choose why you are declining", "not_a_choice")]
    if reason == "other" and not text:
        return [FieldError("text", "Say why you are declining in your own words", "required")]
    if reason != "other" and text:
        return [
            FieldError("text", "Give your own words only when the reason is Other", "not_other")
        ]
    return []
