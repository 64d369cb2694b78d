"""The rules of care after the award (docs/design.md, section 8), pure: plain values in, plain
values out, no ORM, no I/O, no clock (the caller passes today's date).

- The actual start: not in the future, not before the day the care was awarded.
- A late start: the actual start is later than the promised mobilisation date (the promised day
  itself is on time).
- Hours tolerance: the weekly hours may move up to TOLERANCE_HOURS (5.00) either way from the
  hours awarded, cumulatively, at the awarded rate; 5.00 is within, 5.25 is not.
- Enablement: the period ends on the last day of its weeks from the actual start; the budget is
  payable only when every enabling outcome was met; FAILED_ENABLEMENTS_FOR_BAR failures within
  BAR_WINDOW_MONTHS bar the provider from enablement requests.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

# Dorset Lot 1 specification, 6.3: "a maximum tolerance of +/- 5 hours at the stated framework
# pay rate". Not configurable: it is a term of the framework, not a commissioner's choice.
TOLERANCE_HOURS = Decimal("5.00")
# Cornwall bidders workshop, "Being an 'Enablement Provider' means...", point 4 ("if
# consistently fails to meet enabling outcomes will be declined from being offered Enablement
# business"). The defaults; MARKETPLACE_ENABLEMENT_BAR_FAILURES and _MONTHS override them.
FAILED_ENABLEMENTS_FOR_BAR = 3
BAR_WINDOW_MONTHS = 12

STATUSES = ("awaiting_start", "active", "ended", "handed_back")
# Who may move care from which status (the provider records the start and hands back; the
# commissioner ends it).
CAN_START = ("awaiting_start",)
CAN_VARY = ("active",)
CAN_HAND_BACK = ("awaiting_start", "active")
CAN_END = ("active",)
CAN_CORRECT_START = ("active", "ended", "handed_back")
CAN_RECORD_ENABLEMENT = ("active", "ended")


def start_problem(start: date, awarded_on: date, today: date) -> str | None:
    """Why this actual start cannot be recorded (None when it can): it is not in the future and
    not before the day the care was awarded."""
    if start > today:
        return "cannot be in the future"
    if start < awarded_on:
        return f"cannot be before the care was awarded on {long_date(awarded_on)}"
    return None


def is_late(actual_start: date, promised: date | None) -> bool:
    """A start later than the promised mobilisation date is late; on the day is on time."""
    return promised is not None and actual_start > promised


def tolerance_used(awarded_hours: Decimal, weekly_hours: Decimal) -> Decimal:
    """How far the weekly hours have moved from the hours awarded (signed, two places)."""
    return (weekly_hours - awarded_hours).quantize(Decimal("0.01"))


def within_tolerance(awarded_hours: Decimal, weekly_hours: Decimal) -> bool:
    """Whether weekly hours stay within +/- 5.00 of the hours awarded (5.00 exactly is within)."""
    return abs(tolerance_used(awarded_hours, weekly_hours)) <= TOLERANCE_HOURS


def tolerance_left(awarded_hours: Decimal, weekly_hours: Decimal) -> Decimal:
    """How much of the tolerance is left (0.00 once it is used up or exceeded)."""
    return max(Decimal("0.00"), TOLERANCE_HOURS - abs(tolerance_used(awarded_hours, weekly_hours)))


def enablement_ends_on(actual_start: date, weeks: int) -> date:
    """The last day of an enablement period of `weeks` weeks from the actual start."""
    return actual_start + timedelta(weeks=weeks) - timedelta(days=1)


def enablement_met(met: Iterable[bool]) -> bool:
    """An enablement is met when every one of its enabling outcomes was met."""
    answers = list(met)
    return bool(answers) and all(answers)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def bar_due(failures: int, threshold: int) -> bool:
    """A provider is barred from enablement requests once its failures reach the threshold."""
    return failures >= threshold


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"
