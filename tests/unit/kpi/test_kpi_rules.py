"""KPI returns' pure rules: quarters and their due dates in working days, the reminder days, the
answers' validation by kind, and the pre-fill from care and turn-down facts."""

from __future__ import annotations

from datetime import date

from marketplace.kpi.rules import (
    CareFact,
    DeclineFact,
    Quarter,
    answer_errors,
    due_on,
    prefill,
    quarter_of,
    reminder_kind,
)


def test_quarters_run_january_to_march_first() -> None:
    assert quarter_of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert quarter_of(date(2026, 12, 1)) == Quarter(2026, 4)
    assert Quarter(2026, 4).last_day == date(2026, 12, 31)
    assert Quarter(2026, 1).previous == Quarter(2025, 4)
    assert Quarter(2026, 3).label == "Quarter 3 2026 (July to September)"


def test_a_return_is_due_15_working_days_after_the_quarter_skipping_bank_holidays() -> None:
    assert due_on(Quarter(2026, 3)) == date(2026, 10, 21)
    # Q4 2026: 1 January (New Year's Day) is no working day; Saturday 2 and Sunday 3 neither.
    assert due_on(Quarter(2026, 4)) == date(2027, 1, 22)
    assert due_on(Quarter(2026, 3), 1) == date(2026, 10, 1)


def test_reminders_come_5_working_days_before_on_the_due_date_and_every_day_after() -> None:
    due = date(2026, 10, 21)
    assert reminder_kind(date(2026, 10, 14), due) == "before_due"
    assert reminder_kind(date(2026, 10, 15), due) is None
    assert reminder_kind(due, due) == "before_due"
    assert reminder_kind(date(2026, 10, 22), due) == "overdue"
    assert reminder_kind(date(2026, 11, 30), due) == "overdue"


def fields(errors: list) -> list[str]:
    return [e.field for e in errors]


def test_each_kind_takes_its_own_values_and_reasons_when_asked_why() -> None:
    assert answer_errors("a", "count", False, "12", None) == []
    assert fields(answer_errors("a", "count", False, "1.5", None)) == ["a.value"]
    assert fields(answer_errors("a", "minutes", False, "-3", None)) == ["a.value"]
    assert answer_errors("a", "percentage", False, "87.5", None) == []
    assert fields(answer_errors("a", "percentage", False, "100.1", None)) == ["a.value"]
    assert fields(answer_errors("a", "percentage", False, "87.55", None)) == ["a.value"]
    assert fields(answer_errors("a", "text", False, " ", None)) == ["a.value"]
    assert fields(answer_errors("a", "count", True, "2", None)) == ["a.reasons"]
    assert answer_errors("a", "count", True, "0", None) == [], "no reasons for none"


def care(**fields: object) -> CareFact:
    base: dict = {
        "status": "active",
        "awarded_on": date(2026, 7, 1),
        "actual_start": date(2026, 7, 3),
        "ended_on": None,
        "handed_back_on": None,
        "end_reason": None,
        "last_care_date": None,
        "area": "Ashford",
    }
    return CareFact(**{**base, **fields})  # type: ignore[arg-type]


def test_the_pre_fill_counts_only_what_was_recorded_in_the_quarter() -> None:
    q3 = Quarter(2026, 3)
    records = [
        care(),
        care(actual_start=date(2026, 7, 10), area="Canterbury"),  # 8th working day: late
        care(awarded_on=date(2026, 6, 29), actual_start=date(2026, 6, 30)),  # accepted in Q2
        care(
            status="handed_back",
            handed_back_on=date(2026, 8, 1),
            end_reason="No carers",
            last_care_date=date(2026, 8, 1),
        ),
        care(status="ended", ended_on=date(2026, 10, 2), last_care_date=date(2026, 10, 1)),
    ]
    declines = [
        DeclineFact(date(2026, 8, 5), "No capacity", None, "cluster"),
        DeclineFact(date(2026, 9, 1), "No capacity", None, "enablement"),
        DeclineFact(date(2026, 10, 1), "Other", "Too far", "cluster"),  # Q4
    ]
    assert prefill("accepted", q3, records, declines).value == "4"
    assert prefill("declined", q3, records, declines) == prefill("declined", q3, [], declines)
    assert prefill("declined", q3, records, declines).reasons == "No capacity (2)"
    assert prefill("completed", q3, records, declines).value == "0", "ended in October"
    handed = prefill("handed_back", q3, records, declines)
    assert (handed.value, handed.reasons) == ("1", "No carers (1)")
    assert prefill("first_visit_within_7_working_days", q3, records, declines).value == "75"
    assert prefill("areas", q3, records, declines).value == "Ashford; Canterbury"
    assert prefill("declined_kinds", q3, records, declines).value == "cluster (1); enablement (1)"
    assert prefill(None, q3, records, declines).value is None
    assert prefill("first_visit_within_7_working_days", q3, [], []).value is None
