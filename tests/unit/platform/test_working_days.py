"""England and Wales working days over Christmas and New Year 2026-27 and Easter 2027."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.working_days import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),  # Thursday
        (date(2026, 12, 25), False),  # Christmas Day, Friday
        (date(2026, 12, 26), False),  # Boxing Day, a Saturday
        (date(2026, 12, 27), False),  # Sunday
        (date(2026, 12, 28), False),  # Boxing Day (substitute), Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day, Friday
        (date(2027, 1, 4), True),
        (date(2027, 3, 25), True),
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 3, 30), True),
        (date(2027, 3, 27), False),  # Saturday
    ],
)
def test_weekends_and_england_and_wales_bank_holidays_are_not_working_days(
    day: date, working: bool
) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 21), 0, date(2026, 12, 21)),
        (date(2026, 12, 21), 1, date(2026, 12, 21)),  # a working start day counts
        (date(2026, 12, 24), 2, date(2026, 12, 29)),  # over Christmas and the substitute day
        (date(2026, 12, 25), 1, date(2026, 12, 29)),  # a holiday start does not count
        (date(2026, 12, 21), 8, date(2027, 1, 4)),  # standstill of 8 over Christmas/New Year
        (date(2026, 12, 31), 2, date(2027, 1, 4)),
        (date(2027, 3, 22), 10, date(2027, 4, 6)),  # 10-day target over Easter 2027
        (date(2027, 3, 25), 2, date(2027, 3, 30)),
        (date(2027, 3, 27), 1, date(2027, 3, 30)),  # Saturday start: next working day
    ],
)
def test_add_working_days_counts_the_start_day_when_it_is_a_working_day(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 21), date(2026, 12, 21), 1),
        (date(2026, 12, 25), date(2026, 12, 28), 0),
        (date(2026, 12, 21), date(2027, 1, 4), 8),
        (date(2026, 12, 24), date(2026, 12, 23), 0),
        (date(2027, 3, 22), date(2027, 4, 6), 10),
        (date(2027, 3, 26), date(2027, 3, 29), 0),
    ],
)
def test_working_days_between_counts_both_ends(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2027, 1, 4), -1)


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(start=days, n=st.integers(min_value=1, max_value=60))
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_on(
    start: date, n: int
) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert end >= start
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - timedelta(days=1)) == n - 1
    assert add_working_days(start, n + 1) > end


@given(start=days, gap=st.integers(0, 90), split=st.integers(0, 90))
def test_working_days_between_adds_up_over_adjacent_spans(
    start: date, gap: int, split: int
) -> None:
    end = start + timedelta(days=gap)
    middle = start + timedelta(days=min(split, gap))
    assert working_days_between(start, end) == working_days_between(
        start, middle
    ) + working_days_between(middle + timedelta(days=1), end)
