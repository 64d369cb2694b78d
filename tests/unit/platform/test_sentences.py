"""The one error vocabulary: msgspec's refusals and the services' fragments become sentences for
people with a stable code, and a body's every refused field is named at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketplace.errors import FieldError
from marketplace.tenders.call_offs.schemas import CallOffCreate
from marketplace.web.forms import conversion_errors
from marketplace.web.sentences import is_plain, moment_words, plainly, translated


@pytest.mark.parametrize(
    ("field", "message", "sentence", "code"),
    [
        (
            "budget_pence",
            "Expected `int` >= 1",
            "Enter the budget in pounds, more than £0.00",
            "too_small",
        ),
        (
            "max_hourly_rate_pence",
            "Expected `int` <= 10000000",
            "The maximum hourly rate must be £100,000.00 or less",
            "too_large",
        ),
        ("weeks", "Expected `int` <= 6", "The number of weeks must be 6 or less", "too_large"),
        ("outcomes", "Expected `array` of length >= 1", "Enter at least one outcome", "required"),
        (
            "outcomes",
            "Expected `array` of length <= 20",
            "The outcomes: give at most 20",
            "too_many",
        ),
        (
            "title",
            "Expected `str` of length <= 200",
            "The title must be 200 characters or fewer",
            "too_long",
        ),
        (
            "pilot.areas[0].weekly_hours",
            "Invalid decimal string",
            "Enter the weekly hours as a number of hours, like 7.50",
            "not_a_number",
        ),
        (
            "deadline",
            "Invalid RFC3339 encoded datetime",
            "Enter the deadline as a date and a time",
            "not_a_date",
        ),
        (
            "cluster.latest_start",
            "Invalid ISO8601 date",
            "Enter the latest start date as a real date",
            "not_a_date",
        ),
        ("kind", "Invalid enum value 'x'", "Choose what kind it is", "not_a_choice"),
        ("lot_code", "Object missing required field `lot_code`", "Choose a lot", "required"),
        (
            "colour",
            "Object contains unknown field `colour`",
            "The colour is not a field of this request",
            "unknown_field",
        ),
        ("package_ids[0]", "Invalid UUID", "Choose a package", "not_a_choice"),
    ],
)
def test_msgspecs_refusals_read_as_sentences_with_codes(
    field: str, message: str, sentence: str, code: str
) -> None:
    refused = translated(field, f"{message} - at `$.{field}`")
    assert (refused.message, refused.code) == (sentence, code)
    assert is_plain(refused.message)


def test_a_fragment_is_led_by_the_fields_words_and_a_sentence_kept() -> None:
    assert plainly(FieldError("reason", "is required")) == FieldError(
        "reason", "Enter the reason", "required"
    )
    assert plainly(FieldError("actual_start", "cannot be in the future")).message == (
        "The actual start cannot be in the future"
    )
    assert plainly(FieldError("package_ids", "a cluster bundles two or more packages")).message == (
        "A cluster bundles two or more packages"
    )
    kept = FieldError(
        "hourly_rate_pence", "The hourly rate must be £24.00 or less", "above_max_rate"
    )
    assert plainly(kept) == kept


def test_every_refused_field_of_a_body_is_named_at_once() -> None:
    body = {
        "kind": "pilot",
        "title": "",
        "deadline": "soon",
        "pilot": {
            "areas": [{"area_code": "A", "weekly_hours": "lots"}],
            "questions": [],
            "quality_weight": 101,
            "price_weight": "x",
        },
    }
    errors = conversion_errors(body, CallOffCreate)
    assert {e.field for e in errors} == {
        "title",
        "lot_code",
        "deadline",
        "pilot.areas[0].weekly_hours",
        "pilot.questions",
        "pilot.quality_weight",
        "pilot.price_weight",
    }
    assert all(is_plain(e.message) for e in errors)


def test_a_moment_reads_in_words_in_the_marketplaces_time() -> None:
    assert moment_words(datetime(2026, 11, 25, 17, 0, tzinfo=UTC)) == "25 November 2026 at 17:00"
    assert moment_words(datetime(2026, 7, 1, 16, 0, tzinfo=UTC)) == "1 July 2026 at 17:00"
