"""The browser's bid forms: posted fields into the API's BidSubmission, a bid back into the form's
fields, and the service's field errors onto the form's own fields (pure: no ORM, no I/O)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from marketplace.bids.rules import DECLINE_REASONS
from marketplace.bids.schemas import AreaBid, BidSubmission, DeclineCreate
from marketplace.errors import BadInput, FieldError
from marketplace.units import pounds

MAX_RATE_PENCE = 100_000
MAX_TEXT = 5000
MAX_DECLINE_TEXT = 2000
LABELS = {
    "hourly_rate": "Hourly rate",
    "accepts_enablement_budget": "Enablement budget",
    "mobilisation_date": "Mobilisation date",
    "notes": "Notes",
    "areas": "Areas",
    "file": "The file",
    "reason": "The reason",
    "text": "Your reason",
}


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "").strip()


def _many(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name, [])
    return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v)]


def rate_pence(raw: str, field: str, errors: list[FieldError]) -> int | None:
    """Pounds and pence as typed ("21.50", "£21.50") in pence; an error naming the field for
    anything else, more than two decimal places included."""
    cleaned = raw.strip().removeprefix("£").replace(",", "")
    if not cleaned:
        errors.append(FieldError(field, "Enter an hourly rate in pounds, like 21.50"))
        return None
    try:
        amount = Decimal(cleaned)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(FieldError(field, "Enter an hourly rate in pounds, like 21.50"))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.append(
            FieldError(field, "Enter the hourly rate in pounds and pence: at most 2 decimal places")
        )
        return None
    pence = int(amount * 100)
    if pence < 1 or pence > MAX_RATE_PENCE:
        errors.append(FieldError(field, "Enter an hourly rate between £0.01 and £1,000.00"))
        return None
    return pence


def rate_check(raw: str, max_pence: int) -> tuple[bool, str]:
    """(within the maximum?, the sentence saying so or the error) for a rate as typed."""
    errors: list[FieldError] = []
    pence = rate_pence(raw, "hourly_rate", errors)
    if pence is None:
        return False, errors[0].message
    if pence > max_pence:
        return False, f"{pounds(pence)} an hour is above the maximum of {pounds(max_pence)}"
    return True, f"{pounds(pence)} an hour is within the maximum of {pounds(max_pence)}"


def _date(form: dict[str, Any], name: str, errors: list[FieldError]) -> date | None:
    parts = [_text(form, f"{name}-{part}") for part in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        day, month, year = (int(part) for part in parts)
        return date(year, month, day)
    except ValueError:
        errors.append(FieldError(name, "Enter a real date, like 31 3 2026"))
        return None


def _notes(form: dict[str, Any], errors: list[FieldError]) -> str | None:
    notes = _text(form, "notes")
    if len(notes) > MAX_TEXT:
        errors.append(FieldError("notes", f"Notes must be {MAX_TEXT} characters or fewer"))
    return notes or None


def bid_submission(
    kind: str, form: dict[str, Any], your_areas: list[str], question_ids: list[str]
) -> tuple[BidSubmission, list[int], list[FieldError]]:
    """(the bid, for a pilot the row of each area bid for, the form's own errors)."""
    errors: list[FieldError] = []
    if kind != "pilot":
        accepts = _text(form, "accepts_enablement_budget")
        bid = BidSubmission(
            hourly_rate_pence=rate_pence(_text(form, "hourly_rate"), "hourly_rate", errors),
            mobilisation_date=_date(form, "mobilisation_date", errors),
            accepts_enablement_budget={"yes": True, "no": False}.get(accepts)
            if kind == "enablement"
            else None,
            notes=_notes(form, errors),
        )
        return bid, [], errors
    chosen = set(_many(form, "areas"))
    rows = [i for i, code in enumerate(your_areas) if code in chosen]
    areas = []
    for i in rows:
        answers = {q: _text(form, f"area_answer_{i}_{q}") for q in question_ids}
        for q, answer in answers.items():
            if len(answer) > MAX_TEXT:
                errors.append(
                    FieldError(f"area_answer_{i}_{q}", f"must be {MAX_TEXT} characters or fewer")
                )
        rate = rate_pence(_text(form, f"area_rate_{i}"), f"area_rate_{i}", errors)
        areas.append(
            AreaBid(
                area_code=your_areas[i],
                hourly_rate_pence=rate or 0,
                answers={q: a for q, a in answers.items() if a},
            )
        )
    return BidSubmission(areas=areas, notes=_notes(form, errors)), rows, errors


def _rate_text(pence: int) -> str:
    """A rate as the form takes it back: 21.50 (no £, no thousands separator)."""
    return f"{pence // 100}.{pence % 100:02d}"


def form_of(kind: str, bid: BidSubmission, your_areas: list[str]) -> dict[str, Any]:
    """The form's fields filled in from a bid (the provider's own, to change it)."""
    form: dict[str, Any] = {"notes": bid.notes or ""}
    if bid.hourly_rate_pence is not None:
        form["hourly_rate"] = _rate_text(bid.hourly_rate_pence)
    if bid.accepts_enablement_budget is not None:
        form["accepts_enablement_budget"] = "yes" if bid.accepts_enablement_budget else "no"
    if bid.mobilisation_date is not None:
        day = bid.mobilisation_date
        form |= {
            "mobilisation_date-day": str(day.day),
            "mobilisation_date-month": str(day.month),
            "mobilisation_date-year": str(day.year),
        }
    form["areas"] = [area.area_code for area in bid.areas]
    for area in bid.areas:
        if area.area_code in your_areas:
            i = your_areas.index(area.area_code)
            form[f"area_rate_{i}"] = _rate_text(area.hourly_rate_pence)
            for q, answer in area.answers.items():
                form[f"area_answer_{i}_{q}"] = answer
    return form


def form_field(api_field: str, rows: list[int]) -> str:
    """The form field an error of the bid's body is about (`areas[0].answers.q1` ->
    `area_answer_2_q1` when the first area bid for is the third on the form)."""
    if match := re.match(r"areas\[(\d+)\](?:\.(\w+))?(?:\.([\w-]+))?", api_field):
        index = int(match[1])
        row = rows[index] if index < len(rows) else 0
        if match[2] == "answers" and match[3]:
            return f"area_answer_{row}_{match[3]}"
        if match[2] == "hourly_rate_pence":
            return f"area_rate_{row}"
        return "areas"
    return {"hourly_rate_pence": "hourly_rate"}.get(api_field, api_field)


def summary(
    errors: list[FieldError], rows: list[int]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(message by form field, the GOV.UK error summary's list) for these errors."""
    by_field: dict[str, str] = {}
    for error in errors:
        field = form_field(error.field, rows)
        text = error.message
        if not text[:1].isupper():
            label = LABELS.get(field)
            if label is None and field.startswith("area_answer_"):
                label = "The answer"
            elif label is None and field.startswith("area_rate_"):
                label = "The hourly rate"
            text = f"{label or 'This field'} {text}"
        by_field.setdefault(field, text)
    return by_field, [{"text": text, "href": f"#{field}"} for field, text in by_field.items()]


def decline_body(form: dict[str, Any]) -> DeclineCreate:
    """The decline form: a reason from the list, and the provider's own words for "other"."""
    reason = _text(form, "reason")
    if reason not in DECLINE_REASONS:
        raise BadInput("Choose a reason", [FieldError("reason", "Choose why you are declining")])
    text = _text(form, "text")[:MAX_DECLINE_TEXT] if reason == "other" else ""
    return msgspec.convert({"reason": reason, "text": text or None}, DeclineCreate)
