"""How an assessment's figures read to people (emails, pages, the award report)."""

from __future__ import annotations

from datetime import date
from typing import Any

from marketplace.awards.engine.phrases import long_date, per_hour
from marketplace.units import pounds

FIGURE_LABELS = {
    "hourly_rate_pence": "Hourly rate",
    "weekly_cost_pence": "Weekly cost",
    "mobilisation_date": "Mobilisation date",
    "quality_percent": "Quality",
    "price_percent": "Price",
    "total_score": "Total score",
    "quality_score": "Provider quality score",
}
OUTCOME_WORDS = {
    "awarded": "Awarded",
    "unsuccessful": "Unsuccessful",
    "excluded": "Excluded",
    "pending": "Awaiting the award",
}


def figure_text(name: str, value: Any) -> str:
    """One figure as a person reads it: £21.50/h, £1,234.56 a week, 3 December 2026, 72.50%."""
    if value is None:
        return "none"
    if name == "hourly_rate_pence":
        return per_hour(int(value))
    if name == "weekly_cost_pence":
        return f"{pounds(int(value))} a week"
    if name == "mobilisation_date":
        return long_date(date.fromisoformat(str(value)))
    if name in ("quality_percent", "price_percent"):
        return f"{value}%"
    return str(value)


def figure_lines(figures: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The figures worth showing, labelled, in a fixed order (never the receipt time)."""
    if not figures:
        return []
    return [
        (label, figure_text(name, figures[name]))
        for name, label in FIGURE_LABELS.items()
        if figures.get(name) is not None
    ]


# The provider quality ranking's factors as people read them (docs/design.md 4.8).
FACTOR_WORDS = {
    "cqc_rating": "CQC rating",
    "response_rate": "Response rate",
    "hand_backs": "Hand-backs",
    "late_starts": "Late starts",
    "quality_monitoring": "Quality monitoring",
    "tender_score": "Tender score",
    "turn_downs": "Turn-downs",
    "safeguarding": "Safeguarding",
    "complaints": "Complaints",
    "compliments": "Compliments",
}
