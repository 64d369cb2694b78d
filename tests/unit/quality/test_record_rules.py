"""What a quality record must contain, and the decline reasons' list (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.bids.rules import DECLINE_REASONS, decline_errors
from marketplace.errors import FieldError
from marketplace.quality.rules import RECORD_KINDS, record_errors

TODAY = date(2026, 11, 25)


def fields(errors: list[FieldError]) -> list[str]:
    return [error.field for error in errors]


@pytest.mark.parametrize(
    ("kind", "occurred_on", "score", "wrong"),
    [
        ("monitoring_visit", TODAY, 0, []),
        ("monitoring_visit", TODAY, 100, []),
        ("monitoring_visit", TODAY, None, ["score"]),
        ("compliment", TODAY, None, []),
        ("upheld_complaint", TODAY, 50, ["score"]),
        ("safeguarding_concern", date(2026, 11, 26), None, ["occurred_on"]),
        ("monitoring_visit", date(2026, 11, 26), None, ["score", "occurred_on"]),
        ("safeguarding_concern", date(2020, 1, 1), None, []),
    ],
)
def test_a_visit_has_a_score_nothing_else_does_and_nothing_is_in_the_future(
    kind: str, occurred_on: date, score: int | None, wrong: list[str]
) -> None:
    assert fields(record_errors(kind, occurred_on, score, TODAY)) == wrong


def test_the_kinds_of_record_are_the_four_of_the_issue() -> None:
    assert list(RECORD_KINDS) == [
        "monitoring_visit",
        "safeguarding_concern",
        "upheld_complaint",
        "compliment",
    ]


@pytest.mark.parametrize(
    ("reason", "text", "wrong"),
    [
        ("no_capacity", None, []),
        ("outside_travel_range", None, []),
        ("complexity", None, []),
        ("other", "Our only driver is away", []),
        ("other", None, ["text"]),
        ("no_capacity", "and more", ["text"]),
        ("too_far", None, ["reason"]),
    ],
)
def test_a_decline_gives_one_reason_of_the_list_and_words_only_for_other(
    reason: str, text: str | None, wrong: list[str]
) -> None:
    assert fields(decline_errors(reason, text)) == wrong
    assert list(DECLINE_REASONS) == ["no_capacity", "outside_travel_range", "complexity", "other"]
