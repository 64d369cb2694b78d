"""Which bids an award goes to: the computed winners, or the commissioner's departure from them
(with its reason), each chosen bid compliant, and an abnormally low winner checked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marketplace.awards import schemas
from marketplace.awards.engine.phrases import per_hour
from marketplace.awards.engine.values import ABNORMALLY_LOW
from marketplace.errors import FieldError, RuleBroken
from marketplace.tenders.call_offs.lifecycle import AwardTerms

Choice = tuple[UUID, str | None]


def chosen_bids(
    terms: AwardTerms, body: schemas.AwardConfirmation, computed: list[Choice]
) -> list[Choice]:
    if terms.kind == "pilot":
        if body.bid_ids is not None:
            raise RuleBroken(
                "A pilot is awarded area by area",
                [
                    FieldError(
                        "bid_ids", "Give the areas, each with the bid chosen for it, for a pilot"
                    )
                ],
            )
        if body.areas is None:
            return computed
        codes = [choice.area_code for choice in body.areas]
        if len(set(codes)) != len(codes):
            raise RuleBroken(
                "An area is awarded once", [FieldError("areas", "names an area twice")]
            )
        return [(choice.bid_id, choice.area_code) for choice in body.areas]
    if body.areas is not None:
        raise RuleBroken(
            "Only a pilot is awarded area by area",
            [FieldError("areas", "Give the bid chosen, not areas")],
        )
    if body.bid_ids is None:
        return computed
    if len(body.bid_ids) != 1:
        raise RuleBroken(
            f"A {terms.kind} call-off is awarded to one bid",
            [FieldError("bid_ids", "name exactly one bid")],
        )
    return [(body.bid_ids[0], None)]


def check_choice(
    terms: AwardTerms,
    body: schemas.AwardConfirmation,
    chosen: list[Choice],
    computed: list[Choice],
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The assessments of the chosen bids, each compliant; a departure needs its reason and an
    abnormally low winner the commissioner's check."""
    by_pair = {(row["bid_id"], row["area_code"]): row for row in rows}
    field = "areas" if terms.kind == "pilot" else "bid_ids"
    picked = []
    for index, pair in enumerate(chosen):
        row = by_pair.get(pair)
        if row is None:
            raise RuleBroken(
                "No such bid in this call-off",
                [FieldError(f"{field}[{index}]", "is not a bid here")],
            )
        if not row["compliant"]:
            raise RuleBroken(
                f"The bid from {row['provider_name']} cannot be awarded: {row['reason']}",
                [FieldError(f"{field}[{index}]", "is not a compliant bid")],
            )
        picked.append(row)
    if terms.kind == "pilot" and terms.pilot is not None:
        per_provider: dict[UUID, int] = {}
        for row in picked:
            per_provider[row["provider"]] = per_provider.get(row["provider"], 0) + 1
        if max(per_provider.values(), default=0) > terms.pilot.max_areas_per_provider:
            raise RuleBroken(
                f"A provider may win at most {terms.pilot.max_areas_per_provider} area(s)",
                [FieldError("areas", "gives one provider too many areas")],
            )
    if sorted(chosen, key=str) != sorted(computed, key=str) and not (body.reason or "").strip():
        raise RuleBroken(
            "Departing from the computed award needs a recorded reason",
            [FieldError("reason", "is required when you depart from the computed award")],
        )
    low = [row for row in picked if ABNORMALLY_LOW in row["flags"]]
    if low and not body.abnormally_low_checked:
        rate = low[0]["figures"].get("hourly_rate_pence")
        raise RuleBroken(
            f"The winning rate of {per_hour(rate) if rate else 'this bid'} is abnormally low: "
            "record that you have checked it can be delivered",
            [
                FieldError(
                    "abnormally_low_checked", "confirm you have checked the abnormally low rate"
                )
            ],
        )
    return picked


def proposal(before: list[Choice], outcome: Any) -> str:
    dropped = [a for a in outcome.assessments if (a.bid_id, a.area_code) in before and not a.winner]
    why = "; ".join(
        f"{a.provider_name} now fails the gates ({'; '.join(a.exclusions) or a.reason})"
        for a in dropped
    )
    proposed = ", ".join(
        f"{w.provider_name}" + (f" in {w.area_code}" if w.area_code else "")
        for w in outcome.winners
    )
    return (
        f"The gates were re-checked before confirming: {why or 'the ranking changed'}. "
        f"The next compliant bid is proposed instead ({proposed}): review the evaluation and "
        "confirm again"
    )
