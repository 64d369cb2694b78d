"""KPI returns' rules (pure: no I/O): quarters and their due dates, reminder days, the answers'
validation and what the marketplace pre-fills from the care it recorded (docs/design.md 8.9)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from marketplace.errors import FieldError
from marketplace.working_days import add_working_days, working_days_between

KINDS: dict[str, str] = {
    "count": "A number",
    "percentage": "A percentage",
    "minutes": "Minutes",
    "text": "Words",
}
# What the marketplace can pre-fill a measure from: only what it records.
PREFILL_SOURCES: dict[str, str] = {
    "accepted": "care awarded to you in the quarter",
    "declined": "call-offs you turned down in the quarter, with their reasons",
    "completed": "care the commissioner ended in the quarter",
    "handed_back": "care you handed back in the quarter, with its reasons",
    "first_visit_within_7_working_days": (
        "care started in the quarter within 7 working days of its award"
    ),
    "areas": "the areas of your care in the quarter",
    "declined_kinds": "the kinds of call-off you turned down in the quarter",
}
DUE_WORKING_DAYS = 15
# Reminders: 5 working days before the due date, on the due date, then every working day overdue.
REMIND_WORKING_DAYS_BEFORE = 5
FIRST_VISIT_WORKING_DAYS = 7
MAX_TEXT = 2000
_WHOLE = re.compile(r"\d{1,9}")
_PERCENT = re.compile(r"\d{1,3}(\.\d)?")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1: January to March

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = self.following
        return following.first_day - timedelta(days=1)

    @property
    def following(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @property
    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def label(self) -> str:
        return f"Quarter {self.number} {self.year} ({self.first_day:%B} to {self.last_day:%B})"

    @property
    def key(self) -> str:
        """How a page's filter names it: 2026-Q3."""
        return f"{self.year}-Q{self.number}"

    def holds(self, day: date | None) -> bool:
        return day is not None and self.first_day <= day <= self.last_day


_QUARTER_KEY = re.compile(r"(\d{4})-Q([1-4])")


def quarter_named(key: str | None) -> Quarter | None:
    """The quarter a filter names (`2026-Q3`), or none for anything else."""
    found = _QUARTER_KEY.fullmatch(key or "")
    return Quarter(int(found[1]), int(found[2])) if found else None


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def due_on(quarter: Quarter, working_days: int = DUE_WORKING_DAYS) -> date:
    """The n-th working day after the quarter's last day (the day after it counts when working)."""
    return add_working_days(quarter.last_day + timedelta(days=1), working_days)


def reminder_kind(day: date, due: date) -> str | None:
    """The reminder an open return gets on a working `day`: `before_due` 5 working days before
    the due date and on it, `overdue` every working day after it, else none."""
    if day > due:
        return "overdue"
    left = working_days_between(day, due)  # both included: 1 on the due date
    if left in (1, REMIND_WORKING_DAYS_BEFORE + 1):
        return "before_due"
    return None


def answer_errors(
    field: str, kind: str, reasons_required: bool, value: str | None, reasons: str | None
) -> list[FieldError]:
    """A value the measure's kind accepts, with its reasons when the measure asks why (unless
    the count is 0)."""
    if value is None or not value.strip():
        return [FieldError(f"{field}.value", "Give a value for this measure", "required")]
    value = value.strip()
    errors: list[FieldError] = []
    if kind in ("count", "minutes") and not _WHOLE.fullmatch(value):
        errors.append(FieldError(f"{field}.value", "Enter a whole number, like 12", "not_whole"))
    elif kind == "percentage" and not _percentage(value):
        errors.append(
            FieldError(
                f"{field}.value", "Enter a percentage from 0 to 100, like 87.5", "not_percentage"
            )
        )
    elif kind == "text" and len(value) > MAX_TEXT:
        errors.append(
            FieldError(f"{field}.value", f"Use at most {MAX_TEXT} characters", "too_long")
        )
    if reasons_required and value != "0" and not (reasons and reasons.strip()):
        errors.append(FieldError(f"{field}.reasons", "Say why", "required"))
    if reasons and len(reasons) > MAX_TEXT:
        errors.append(
            FieldError(f"{field}.reasons", f"Use at most {MAX_TEXT} characters", "too_long")
        )
    return errors


def _percentage(value: str) -> bool:
    if not _PERCENT.fullmatch(value):
        return False
    try:
        return Decimal(value) <= 100
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return False


@dataclass(frozen=True)
class CareFact:
    """What the care domain recorded of one care record, as the pre-fill reads it."""

    status: str
    awarded_on: date
    actual_start: date | None
    ended_on: date | None  # the commissioner ended it (status ended)
    handed_back_on: date | None
    end_reason: str | None
    last_care_date: date | None
    area: str


@dataclass(frozen=True)
class DeclineFact:
    declined_on: date
    reason: str  # the reason's words
    text: str | None  # the provider's words for "other"
    call_off_kind: str


@dataclass(frozen=True)
class Prefill:
    value: str | None
    reasons: str | None = None


def active_in(care: CareFact, quarter: Quarter) -> bool:
    """Care that was active at some time in the quarter: started by its last day and not ended
    before its first."""
    if care.actual_start is None or care.actual_start > quarter.last_day:
        return False
    return care.last_care_date is None or care.last_care_date >= quarter.first_day


def _tally(words: list[str]) -> str | None:
    if not words:
        return None
    return "; ".join(f"{w} ({n})" for w, n in sorted(Counter(words).items()))


def prefill(
    source: str | None, quarter: Quarter, care: list[CareFact], declines: list[DeclineFact]
) -> Prefill:
    """The value (and reasons) the marketplace pre-fills from what it recorded; nothing when the
    measure is not one it records."""
    declined = [d for d in declines if quarter.holds(d.declined_on)]
    if source == "accepted":
        return Prefill(str(sum(quarter.holds(c.awarded_on) for c in care)))
    if source == "declined":
        return Prefill(str(len(declined)), _tally([d.text or d.reason for d in declined]))
    if source == "completed":
        return Prefill(str(sum(quarter.holds(c.ended_on) for c in care)))
    if source == "handed_back":
        back = [c for c in care if quarter.holds(c.handed_back_on)]
        return Prefill(str(len(back)), _tally([c.end_reason or "No reason given" for c in back]))
    if source == "first_visit_within_7_working_days":
        started = [c for c in care if quarter.holds(c.actual_start)]
        if not started:
            return Prefill(None)
        on_time = sum(
            c.actual_start is not None
            and c.actual_start <= add_working_days(c.awarded_on, FIRST_VISIT_WORKING_DAYS)
            for c in started
        )
        share = (Decimal(100) * on_time / len(started)).quantize(Decimal("0.1"))
        return Prefill(f"{share.normalize():f}")
    if source == "areas":
        areas = sorted({c.area for c in care if active_in(c, quarter)})
        return Prefill("; ".join(areas) if areas else None)
    if source == "declined_kinds":
        return Prefill(_tally([d.call_off_kind for d in declined]) if declined else None)
    return Prefill(None)
