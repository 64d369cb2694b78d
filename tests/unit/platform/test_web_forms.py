"""The web toolkit's form readers, the field msgspec refuses, and the GOV.UK error summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
import pytest

from marketplace.errors import BadInput, FieldError, NotFound, RuleBroken
from marketplace.web.forms import (
    AMOUNT,
    FormReader,
    Labels,
    MoneyWords,
    error_summary,
    form_errors,
    refused_field,
)
from marketplace.web.templating import month_name

RATE = MoneyWords("Not an amount", "Too many places", "Out of range")


def read(**fields: Any) -> FormReader:
    return FormReader(fields)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Ashford run  ", "Ashford run"),
        (["first", "second"], "first"),
        ([], ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_text_is_the_fields_first_value_stripped(value: Any, expected: str) -> None:
    assert read(title=value).text("title") == expected


def test_text_of_an_absent_field_is_empty_and_can_keep_its_spaces() -> None:
    assert read().text("title") == ""
    assert read(password=" secret ").text("password", strip=False) == " secret "


def test_texts_are_every_field_but_the_csrf_token() -> None:
    form = read(csrf_token="abc", reference=" R-1 ", hours=["10", "12"])
    assert form.texts() == {"reference": "R-1", "hours": "10"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", "", "b"], ["a", "b"]),
        ("a", ["a"]),
        ("", []),
        (None, []),
    ],
)
def test_choices_are_the_ticked_values(value: Any, expected: list[str]) -> None:
    assert (read() if value is None else read(areas=value)).choices("areas") == expected


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("no", False), ("", None)])
def test_yes_no_reads_a_pair_of_radios(value: str, expected: bool | None) -> None:
    assert read(budget=value).yes_no("budget") is expected
    assert read().yes_no("budget") is None


def test_a_checkbox_is_ticked_only_with_the_value_yes() -> None:
    assert read(checked="yes").ticked("checked") is True
    assert read(checked="on").ticked("checked") is False
    assert read().ticked("checked") is False


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("24.50", 2450), ("£24.50", 2450), ("1,024.5", 102450), (" 7 ", 700), ("0.01", 1)],
)
def test_pence_accepts_pounds_and_pence_as_typed(typed: str, pence: int) -> None:
    form = read(rate=typed)
    assert form.pence("rate") == pence
    assert form.errors == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Not an amount"),
        ("lots", "Not an amount"),
        ("NaN", "Not an amount"),
        ("sNaN", "Not an amount"),
        ("Infinity", "Not an amount"),
        ("1e30", "Not an amount"),  # more pence than Decimal counts exactly
        ("24.505", "Too many places"),
        ("0", "Out of range"),
        ("-5", "Out of range"),
        ("1000.01", "Out of range"),
    ],
)
def test_pence_refuses_anything_else_in_the_forms_words(typed: str, message: str) -> None:
    form = read(rate=typed)
    assert form.pence("rate", most=100_000, words=RATE) is None
    assert [(e.field, e.message) for e in form.errors] == [("rate", message)]


def test_pence_may_be_left_blank_when_not_required() -> None:
    form = read(rate="  ")
    assert form.pence("rate", required=False) is None
    assert form.errors == []
    assert read(rate="£1,000,000").pence("rate") == 100_000_000  # no upper bound unless given


def test_an_amount_is_refused_in_the_fields_words_by_default() -> None:
    form = read(budget="x", b="1.001", c="0")
    for name in ("budget", "b", "c"):
        form.pence(name)
    assert [(e.message, e.code) for e in form.errors] == [
        ("Enter the budget in pounds, like 24.50", "not_a_number"),
        ("Enter the b in pounds and pence: at most 2 decimal places", "too_many_places"),
        ("Enter the c in pounds, more than £0.00", "out_of_range"),
    ]
    form = read(a="x")
    form.pence("a", words=AMOUNT)
    assert [e.message for e in form.errors] == [AMOUNT.not_an_amount]


@pytest.mark.parametrize(("typed", "number"), [("0", 0), ("42", 42), (" 007 ", 7)])
def test_whole_number_accepts_digits(typed: str, number: int) -> None:
    form = read(weeks=typed)
    assert form.whole_number("weeks") == number
    assert form.errors == []


@pytest.mark.parametrize("typed", ["", "-1", "1.5", "²", "٣", "1e3", "ten", "1" * 5000])
def test_whole_number_refuses_anything_but_digits(typed: str) -> None:
    form = read(weeks=typed)
    assert form.whole_number("weeks") is None
    [error] = form.errors
    assert error.field == "weeks"
    assert error.message == "Enter the number of weeks as a whole number"
    assert error.code == ("required" if not typed else "not_a_number")


def test_whole_number_has_a_default_for_a_blank_field_and_a_maximum() -> None:
    assert read(weeks="").whole_number("weeks", default=1) == 1
    assert read().whole_number("weeks", default=0) == 0
    form = read(score="101", other="100")
    assert form.whole_number("other", most=100, words="From 0 to 100") == 100
    assert form.whole_number("score", most=100, words="From 0 to 100") is None
    assert form.errors == [FieldError("score", "From 0 to 100", "not_a_number")]


def test_iso_date_reads_a_date_typed_as_year_month_day() -> None:
    form = read(start="2026-03-31", bad="31/03/2026", empty="")
    assert form.iso_date("start") == date(2026, 3, 31)
    assert form.iso_date("bad") is None
    assert form.iso_date("empty") is None
    assert form.errors == [
        FieldError("bad", "Enter the bad as a real date", "not_a_date"),
        FieldError("empty", "Enter the empty as a real date", "required"),
    ]


def test_date_parts_read_a_govuk_date_input() -> None:
    form = read(**{"start-day": "31", "start-month": "3", "start-year": "2026"})
    assert form.date_parts("start") == date(2026, 3, 31)
    assert read().date_parts("start") is None  # all three blank: no date given
    assert form.errors == []


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("31", "2", "2026"), ("", "3", "2026"), ("x", "3", "2026"), ("1", "13", "2026")],
)
def test_date_parts_refuse_a_date_that_does_not_exist(day: str, month: str, year: str) -> None:
    form = read(**{"start-day": day, "start-month": month, "start-year": year})
    assert form.date_parts("start") is None
    assert form.errors == [FieldError("start", "Enter a real date, like 31 3 2026", "not_a_date")]


def test_check_raises_bad_input_naming_every_refused_field() -> None:
    form = read(weeks="x", budget="y")
    form.check()  # nothing refused yet
    form.whole_number("weeks")
    form.pence("budget")
    form.refuse("title", "Enter a title")
    with pytest.raises(BadInput) as raised:
        form.check("The scores are not valid")
    assert raised.value.detail == "The scores are not valid"
    assert [e.field for e in raised.value.errors] == ["weeks", "budget", "title"]


class Area(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    hours: Annotated[int, msgspec.Meta(ge=1)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    reference: Annotated[str, msgspec.Meta(max_length=5)]
    areas: list[Area] = []


def refusal(body: Any) -> FieldError:
    with pytest.raises(msgspec.ValidationError) as raised:
        msgspec.convert(body, Body)
    return refused_field(raised.value, "reference")


def test_refused_field_names_the_field_and_says_why_in_words() -> None:
    assert refusal({"reference": "too long"}) == FieldError(
        "reference", "The reference must be 5 characters or fewer", "too_long"
    )
    assert refusal({"reference": "R", "areas": [{"code": "A", "hours": 0}]}) == FieldError(
        "areas[0].hours", "The weekly hours must be 1 or more", "too_small"
    )


def test_refused_field_asks_for_a_missing_field() -> None:
    assert refusal({}) == FieldError("reference", "Enter the package's reference", "required")
    assert refusal({"reference": "R", "areas": [{"code": "A"}]}) == FieldError(
        "areas[0].hours", "Enter the weekly hours", "required"
    )


def test_refused_field_falls_back_when_msgspec_names_no_field() -> None:
    refused = refusal(["not", "an", "object"])
    assert refused.field == "reference" and "`" not in refused.message


def test_form_errors_are_the_errors_fields_or_its_sentence_on_a_field() -> None:
    named = BadInput("The form has problems", [FieldError("weeks", "is too many")])
    assert form_errors(named, otherwise="title") == [FieldError("weeks", "is too many")]
    assert form_errors(RuleBroken("No provider is eligible"), otherwise="actions") == [
        FieldError("actions", "No provider is eligible")
    ]
    assert form_errors(NotFound("No such call-off"), otherwise="bid") == [
        FieldError("bid", "No such call-off")
    ]


def test_the_summary_links_each_message_to_its_field() -> None:
    errors = [FieldError("email", "Enter your email address"), FieldError("password", "Enter it")]
    field_errors, summary = error_summary(errors)
    assert field_errors == {"email": "Enter your email address", "password": "Enter it"}
    assert summary == [
        {"text": "Enter your email address", "href": "#email"},
        {"text": "Enter it", "href": "#password"},
    ]
    assert error_summary([]) == ({}, [])


def test_the_summary_keeps_the_first_message_of_a_field_in_the_order_given() -> None:
    errors = [
        FieldError("b", "First of b"),
        FieldError("a", "First of a"),
        FieldError("b", "Second of b"),
    ]
    _, summary = error_summary(errors)
    assert summary == [
        {"text": "First of b", "href": "#b"},
        {"text": "First of a", "href": "#a"},
    ]


def test_the_summary_puts_an_api_field_on_the_forms_own_input() -> None:
    def field_id(api_field: str) -> str:
        return {"pilot.areas[1].weekly_hours": "area_hours_1"}.get(api_field, api_field)

    errors = [FieldError("pilot.areas[1].weekly_hours", "Expected a decimal")]
    field_errors, summary = error_summary(errors, field_id=field_id)
    said = "Enter the weekly hours as a number of hours, like 7.50"
    assert field_errors == {"area_hours_1": said}
    assert summary == [{"text": said, "href": "#area_hours_1"}]


def test_a_message_that_is_not_a_sentence_is_led_by_the_fields_label() -> None:
    labels = Labels({"reason": "The reason"}, by_prefix={"score_": "This score"})
    errors = [
        FieldError("reason", "is required"),
        FieldError("score_q1", "needs a score"),
        FieldError("weeks", "is too many"),
        FieldError("title", "Enter a title"),
    ]
    field_errors, _ = error_summary(errors, label=labels)
    assert field_errors == {
        "reason": "Enter the reason",
        "score_q1": "This score needs a score",
        "weeks": "The number of weeks is too many",
        "title": "Enter a title",
    }
    _, summary = error_summary([FieldError("colour", "is too bright")])
    assert summary == [{"text": "The colour is too bright", "href": "#colour"}]


def test_labels_prefer_the_fields_own_name_to_its_prefix() -> None:
    labels = Labels(
        {"score_total": "The total"}, by_prefix={"score_": "This score"}, otherwise="It"
    )
    assert labels("score_total") == "The total"
    assert labels("score_q2") == "This score"
    assert labels("notes") == "It"


def test_a_month_key_reads_as_its_month_and_anything_else_is_left_alone() -> None:
    assert month_name("2026-02") == "February 2026"
    assert month_name("2025-12") == "December 2025"
    assert month_name("2026-09", short=True) == "Sept 2026"  # GOV.UK style's short months
    assert month_name("2026-06", short=True) == "June 2026"
    assert month_name("2025-12", short=True) == "Dec 2025"
    assert month_name("KENT-ASHFORD") == "KENT-ASHFORD"
    assert month_name("2026-13") == "2026-13"
    assert month_name("CSH") == "CSH"
