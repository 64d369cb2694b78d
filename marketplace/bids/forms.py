"""The browser's bid forms: posted fields into the API's BidSubmission, a bid back into the form's
fields, and the service's field errors onto the form's own fields (pure: no ORM, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import msgspec

from marketplace.bids.compliance import Limits, mobilisation_breach, rate_breaches
from marketplace.bids.rules import DECLINE_REASONS, bid_content_errors, limits_of, never_compliant
from marketplace.bids.schemas import AreaBid, BidSubmission, DeclineCreate
from marketplace.errors import BadInput, FieldError
from marketplace.tenders.call_offs.schemas import Opportunity
from marketplace.units import long_date, pounds
from marketplace.web.forms import FormReader, Labels, MoneyWords

MAX_RATE_PENCE = 100_000
MAX_TEXT = 5000
MAX_DECLINE_TEXT = 2000
LABELS = Labels(
    {
        "hourly_rate": "Hourly rate",
        "accepts_enablement_budget": "Enablement budget",
        "mobilisation_date": "Mobilisation date",
        "notes": "Notes",
        "areas": "Areas",
        "file": "The file",
        "reason": "The reason",
        "text": "Your reason",
    },
    by_prefix={"area_answer_": "The answer", "area_rate_": "The hourly rate"},
)
RATE = MoneyWords(
    not_an_amount="Enter an hourly rate in pounds, like 21.50",
    too_many_places="Enter the hourly rate in pounds and pence: at most 2 decimal places",
    out_of_range="Enter an hourly rate between £0.01 and £1,000.00",
)


def _rate(read: FormReader, name: str) -> int | None:
    """An hourly rate as typed ("21.50", "£21.50") in pence, up to £1,000.00."""
    return read.pence(name, most=MAX_RATE_PENCE, words=RATE)


def limits_for(o: Opportunity) -> Limits:
    """The limits an opportunity holds a bid's content to, as its bidder sees them (the same the
    submission and the award engine apply)."""
    kind_terms = o.pilot if o.kind == "pilot" else o.cluster
    return limits_of(
        o.kind,
        msgspec.to_builtins(kind_terms) if kind_terms else {},
        o.max_hourly_rate_pence,
        o.envelope_weekly_pence,
        o.total_weekly_hours,
    )


def field_check(
    o: Opportunity, field: str, form: Mapping[str, Any], today: date
) -> tuple[bool, str] | None:
    """The live check of one field of the bid form against the opportunity's limits: a rate
    (`hourly_rate`, or a pilot area's `area_rate_N`) or the mobilisation date (None until its day,
    month and year are all typed). What the provider and the guest pages show."""
    read = FormReader(form)
    limits = limits_for(o)
    if field == "mobilisation_date":
        return mobilisation_check(read, limits, today)
    area_code = None
    if field != "hourly_rate":
        row = int(field.removeprefix("area_rate_"))
        area_code = o.your_area_codes[row] if row < len(o.your_area_codes) else None
    return rate_check(read.text(field), limits, area_code)


def mobilisation_check(read: FormReader, limits: Limits, today: date) -> tuple[bool, str] | None:
    """(can the date be compliant?, the sentence saying so or why not) for a mobilisation date as
    typed, once its three parts are: the submission's own rule (`mobilisation_breach`, with the
    same `today`), so the check and the refusal say the same."""
    name = "mobilisation_date"
    if not all(read.text(f"{name}-{part}") for part in ("day", "month", "year")):
        return None
    offered = read.date_parts(name)
    if offered is None:
        return False, read.errors[0].message
    if breach := mobilisation_breach(limits, offered, today):
        return False, breach.sentence
    if limits.latest_start is None:
        return True, f"You can start on {long_date(offered)}"
    return True, (
        f"You can start on {long_date(offered)}: on or before the latest start of "
        f"{long_date(limits.latest_start)}"
    )


def rate_check(raw: str, limits: Limits, area_code: str | None = None) -> tuple[bool, str]:
    """(can the rate be compliant?, the sentence saying so or why not) for a rate as typed: the
    submission's own rules (`never_compliant`), so the check and the submission never
    disagree."""
    read = FormReader({"hourly_rate": raw})
    pence = _rate(read, "hourly_rate")
    if pence is None:
        return False, read.errors[0].message
    if breaches := rate_breaches(limits, pence, area_code):
        return False, breaches[0].sentence
    within = f"the maximum of {pounds(limits.max_hourly_rate_pence)}"
    if limits.envelope_weekly_pence is not None:
        within += " and the envelope"
    return True, f"{pounds(pence)} an hour is within {within}"


def _notes(read: FormReader) -> str | None:
    notes = read.text("notes")
    if len(notes) > MAX_TEXT:
        read.refuse("notes", f"Notes must be {MAX_TEXT} characters or fewer")
    return notes or None


def bid_submission(
    kind: str, form: dict[str, Any], your_areas: list[str], question_ids: list[str]
) -> tuple[BidSubmission, list[int], list[FieldError]]:
    """(the bid, for a pilot the row of each area bid for, the form's own errors)."""
    read = FormReader(form)
    if kind != "pilot":
        bid = BidSubmission(
            hourly_rate_pence=_rate(read, "hourly_rate"),
            mobilisation_date=read.date_parts("mobilisation_date"),
            accepts_enablement_budget=read.yes_no("accepts_enablement_budget")
            if kind == "enablement"
            else None,
            notes=_notes(read),
        )
        return bid, [], read.errors
    chosen = set(read.choices("areas"))
    rows = [i for i, code in enumerate(your_areas) if code in chosen]
    areas = []
    for i in rows:
        answers = {q: read.text(f"area_answer_{i}_{q}") for q in question_ids}
        for q, answer in answers.items():
            if len(answer) > MAX_TEXT:
                read.refuse(f"area_answer_{i}_{q}", f"must be {MAX_TEXT} characters or fewer")
        rate = _rate(read, f"area_rate_{i}")
        areas.append(
            AreaBid(
                area_code=your_areas[i],
                hourly_rate_pence=rate or 0,
                answers={q: a for q, a in answers.items() if a},
            )
        )
    return BidSubmission(areas=areas, notes=_notes(read)), rows, read.errors


def all_errors(
    o: Opportunity,
    bid: BidSubmission,
    form_errors: list[FieldError],
    today: date,
) -> list[FieldError]:
    """Every error of a bid form at once: what could not be read, what is missing, and what can
    never be compliant (the checks the submission makes, on what could be read)."""
    terms = {"questions": [{"id": q.id} for q in o.pilot.questions]} if o.pilot else {}
    errors = list(form_errors)
    errors += bid_content_errors(o.kind, terms, o.your_area_codes, bid)
    errors += never_compliant(o.kind, limits_for(o), bid, today)
    return sorted(errors, key=_form_order)  # the summary lists them as the form asks


_FORM_ORDER = ("hourly_rate", "accepts_enablement_budget", "mobilisation_date", "areas", "notes")


def _form_order(error: FieldError) -> int:
    name = error.field.removesuffix("_pence")
    return next((i for i, first in enumerate(_FORM_ORDER) if name.startswith(first)), 3)


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


def decline_body(form: dict[str, Any]) -> DeclineCreate:
    """The decline form: a reason from the list, and the provider's own words for "other"."""
    read = FormReader(form)
    reason = read.text("reason")
    if reason not in DECLINE_REASONS:
        raise BadInput("Choose a reason", [FieldError("reason", "Choose why you are declining")])
    text = read.text("text")[:MAX_DECLINE_TEXT] if reason == "other" else ""
    return msgspec.convert({"reason": reason, "text": text or None}, DeclineCreate)
