"""When the commissioner's panel next reviews the provider quality ranking (docs/design.md 4.8),
pure: six calendar months after the last review; with no review yet, now."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from marketplace.awards.engine.phrases import long_date

REVIEW_EVERY_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day when it is shorter
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewDue:
    """The next review: its date (None when there has been none: due now), whether it is late,
    and how that reads."""

    due_on: date | None
    overdue: bool
    words: str


def next_review(last_reviewed_on: date | None, today: date) -> ReviewDue:
    """The next review is due six calendar months after the last one (the review's own date);
    with no review yet it is due now."""
    if last_reviewed_on is None:
        return ReviewDue(None, True, "No review yet: one is due now")
    due = add_months(last_reviewed_on, REVIEW_EVERY_MONTHS)
    if today > due:
        return ReviewDue(due, True, f"Overdue: the next review was due on {long_date(due)}")
    if today == due:
        return ReviewDue(due, False, f"Due today, {long_date(due)}")
    return ReviewDue(due, False, f"Due on {long_date(due)}")
