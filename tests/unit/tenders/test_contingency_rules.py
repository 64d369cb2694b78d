"""The contingency clock at its boundaries: weekends, bank holidays, urgent against other, and
when the daily digest is due."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.tenders.waiting_list.contingency_rules import (
    DEFAULT_OTHER_WORKING_DAYS,
    DEFAULT_URGENT_WORKING_DAYS,
    clock,
    digest_day,
    due_on,
    elapsed,
    in_digest,
    local_day,
    time_scale,
)

LONDON = ZoneInfo("Europe/London")
URGENT, OTHER = DEFAULT_URGENT_WORKING_DAYS, DEFAULT_OTHER_WORKING_DAYS


def test_the_defaults_are_two_working_days_urgent_and_ten_for_the_rest() -> None:
    assert (URGENT, OTHER) == (2, 10)
    assert time_scale(True, 3, 12) == 3 and time_scale(False, 3, 12) == 12


def test_an_urgent_package_offered_on_a_friday_is_due_on_the_tuesday() -> None:
    friday = date(2026, 11, 27)
    assert due_on(friday, URGENT) == date(2026, 12, 1)
    assert due_on(date(2026, 11, 28), URGENT) == date(2026, 12, 1), "a Saturday offer too"


def test_the_day_of_the_offer_does_not_count_and_the_weekend_is_skipped() -> None:
    friday = date(2026, 11, 27)
    on_friday = clock(friday, URGENT, friday)
    assert on_friday.working_days_elapsed == 0 and on_friday.working_days_left == 2
    assert clock(friday, URGENT, date(2026, 11, 29)).working_days_elapsed == 0
    monday = clock(friday, URGENT, date(2026, 11, 30))
    assert monday.working_days_elapsed == 1 and monday.working_days_left == 1
    assert not monday.due_today and not monday.overdue and not in_digest(monday)
    tuesday = clock(friday, URGENT, date(2026, 12, 1))
    assert tuesday.due_today and not tuesday.overdue and tuesday.working_days_left == 0
    assert in_digest(tuesday)
    wednesday = clock(friday, URGENT, date(2026, 12, 2))
    assert wednesday.overdue and not wednesday.due_today and wednesday.working_days_elapsed == 3


def test_an_other_package_is_due_after_ten_working_days() -> None:
    monday = date(2026, 11, 30)
    assert due_on(monday, OTHER) == date(2026, 12, 14)
    assert not clock(monday, OTHER, date(2026, 12, 11)).due_today
    assert clock(monday, OTHER, date(2026, 12, 11)).working_days_left == 1


def test_christmas_and_the_boxing_day_substitute_do_not_count() -> None:
    # 25 December 2026 is a Friday; Boxing Day falls on the Saturday, observed Monday 28th.
    assert due_on(date(2026, 12, 23), URGENT) == date(2026, 12, 29)
    assert due_on(date(2026, 12, 24), URGENT) == date(2026, 12, 30)
    assert elapsed(date(2026, 12, 24), date(2026, 12, 28)) == 0
    # Ten working days from Friday 18 December also skip New Year's Day 2027.
    assert due_on(date(2026, 12, 18), OTHER) == date(2027, 1, 6)


def test_a_bank_holiday_monday_does_not_count() -> None:
    # Monday 31 August 2026 is the late summer bank holiday.
    assert due_on(date(2026, 8, 28), URGENT) == date(2026, 9, 2)
    assert clock(date(2026, 8, 28), URGENT, date(2026, 8, 31)).working_days_elapsed == 0


def test_a_time_scale_is_at_least_one_working_day() -> None:
    with pytest.raises(ValueError, match=r"^a contingency time scale is at least one working day$"):
        due_on(date(2026, 11, 27), 0)
    assert due_on(date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_the_local_day_of_an_offer_is_the_london_date() -> None:
    late_in_summer = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 BST on 2 June
    assert local_day(late_in_summer, LONDON) == date(2026, 6, 2)
    with pytest.raises(ValueError, match=r"^the moment needs its time zone$"):
        local_day(datetime(2026, 6, 1, 12, 0), LONDON)


def test_the_digest_is_due_from_eight_in_the_morning_london_time_on_working_days() -> None:
    assert digest_day(datetime(2026, 11, 30, 7, 59, 59, tzinfo=UTC), LONDON) is None
    assert digest_day(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), LONDON) == date(2026, 11, 30)
    assert digest_day(datetime(2026, 11, 30, 23, 0, tzinfo=UTC), LONDON) == date(2026, 11, 30)
    # British Summer Time: 08:00 in London is 07:00 UTC.
    assert digest_day(datetime(2026, 6, 1, 6, 59, tzinfo=UTC), LONDON) is None
    assert digest_day(datetime(2026, 6, 1, 7, 0, tzinfo=UTC), LONDON) == date(2026, 6, 1)


def test_no_digest_on_a_weekend_or_a_bank_holiday() -> None:
    assert digest_day(datetime(2026, 11, 28, 9, 0, tzinfo=UTC), LONDON) is None
    assert digest_day(datetime(2026, 12, 28, 9, 0, tzinfo=UTC), LONDON) is None
    assert digest_day(datetime(2026, 8, 31, 9, 0, tzinfo=UTC), LONDON) is None
    with pytest.raises(ValueError):
        digest_day(datetime(2026, 11, 30, 9, 0), LONDON)


def test_a_moment_without_its_time_zone_has_no_digest_day() -> None:
    with pytest.raises(ValueError, match=r"^the moment needs its time zone$"):
        digest_day(datetime(2026, 11, 30, 9, 0), LONDON)


def test_a_clock_keeps_its_first_offer_its_time_scale_and_its_due_day() -> None:
    offered = date(2026, 11, 27)  # a Friday
    state = clock(offered, URGENT, date(2026, 11, 30))
    assert state.first_offered_on == offered
    assert state.working_days == URGENT
    assert state.due_on == date(2026, 12, 1)
    assert (state.working_days_elapsed, state.working_days_left) == (1, 1)
    assert not state.due_today and not state.overdue
