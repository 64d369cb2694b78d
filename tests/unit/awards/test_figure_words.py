"""How an assessment's figures read to people in emails, pages and the award report
(marketplace/awards/words.py), pure: money in pounds with the unit, dates written out, percentages
with their sign, labelled in a fixed order and never the receipt time."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.awards.words import figure_lines, figure_text


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("hourly_rate_pence", 2150, "£21.50/h"),
        ("weekly_cost_pence", 123456, "£1,234.56 a week"),
        ("mobilisation_date", "2026-12-03", "3 December 2026"),
        ("quality_percent", "72.50", "72.50%"),
        ("price_percent", "100.00", "100.00%"),
        ("total_score", "81.25", "81.25"),
        ("quality_score", "62.50", "62.50"),
    ],
)
def test_a_figure_reads_as_people_write_it(name: str, value: Any, text: str) -> None:
    assert figure_text(name, value) == text


@pytest.mark.parametrize("name", ["hourly_rate_pence", "mobilisation_date", "total_score"])
def test_a_missing_figure_reads_none(name: str) -> None:
    assert figure_text(name, None) == "none"


def test_the_figures_are_labelled_in_a_fixed_order_without_the_receipt_time() -> None:
    figures = {
        "received_at": "2026-12-01T09:00:00+00:00",
        "total_score": "81.25",
        "quality_score": "62.50",
        "mobilisation_date": None,
        "price_percent": "100.00",
        "weekly_cost_pence": 43000,
        "hourly_rate_pence": 2150,
        "quality_percent": "72.50",
    }
    assert figure_lines(figures) == [
        ("Hourly rate", "£21.50/h"),
        ("Weekly cost", "£430.00 a week"),
        ("Quality", "72.50%"),
        ("Price", "100.00%"),
        ("Total score", "81.25"),
        ("Provider quality score", "62.50"),
    ]


def test_a_mobilisation_date_is_shown_when_there_is_one() -> None:
    assert figure_lines({"mobilisation_date": "2027-01-04", "received_at": "x"}) == [
        ("Mobilisation date", "4 January 2027")
    ]


@pytest.mark.parametrize("figures", [None, {}])
def test_no_figures_show_no_lines(figures: dict[str, Any] | None) -> None:
    assert figure_lines(figures) == []
