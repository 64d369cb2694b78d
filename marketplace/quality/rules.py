"""What a quality record must contain (pure): the kinds of record, and the errors of one, each
naming its field."""

from __future__ import annotations

from datetime import date

from marketplace.errors import FieldError

# The kinds of record (docs/design.md 4.8), with the words both parties read.
RECORD_KINDS: dict[str, str] = {
    "monitoring_visit": "Quality-monitoring visit",
    "safeguarding_concern": "Substantiated safeguarding concern",
    "upheld_complaint": "Upheld complaint",
    "compliment": "Compliment",
}
SCORED = "monitoring_visit"


def record_errors(kind: str, occurred_on: date, score: int | None, today: date) -> list[FieldError]:
    """A monitoring visit has a score (0 to 100: its bounds are the schema's); the other kinds
    have none; nothing is recorded as happening after today."""
    errors = []
    if kind == SCORED and score is None:
        errors.append(FieldError("score", "is required for a quality-monitoring visit"))
    if kind != SCORED and score is not None:
        errors.append(FieldError("score", "is given only for a quality-monitoring visit"))
    if occurred_on > today:
        errors.append(FieldError("occurred_on", "cannot be in the future"))
    return errors
