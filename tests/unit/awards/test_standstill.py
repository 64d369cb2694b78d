"""The standstill's end: working days from the award notice's day, England and Wales bank
holidays skipped, ending 23:59:59 Europe/London."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.awards.engine.standstill import standstill_ends_at

LONDON = ZoneInfo("Europe/London")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("notice", "days", "ends"),
    [
        # Ordinary week: Monday counts, so 8 working days end on the next Wednesday.
        ("2026-11-23T10:00", 8, "2026-12-02T23:59:59"),
        # Across Christmas and New Year 2026: 25 Dec (Fri), 28 Dec (Boxing Day substitute, Mon)
        # and 1 Jan (Fri) are bank holidays: 22, 23, 24, 29, 30, 31 Dec, 4 and 5 Jan.
        ("2026-12-22T15:00", 8, "2027-01-05T23:59:59"),
        # A notice sent on Christmas Day: the count starts on 29 December.
        ("2026-12-25T09:00", 1, "2026-12-29T23:59:59"),
        # Across Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        ("2027-03-24T12:00", 4, "2027-03-31T23:59:59"),
        # A Saturday notice: the first working day is the Monday.
        ("2026-11-28T12:00", 1, "2026-11-30T23:59:59"),
        # British Summer Time: the end is still 23:59:59 local (22:59:59 UTC).
        ("2027-06-01T09:00", 2, "2027-06-02T23:59:59"),
    ],
)
def test_the_standstill_ends_at_the_end_of_its_last_working_day(
    notice: str, days: int, ends: str
) -> None:
    end = standstill_ends_at(local(notice), days, LONDON)
    assert end.tzinfo is UTC
    assert end.astimezone(LONDON).replace(tzinfo=None) == datetime.fromisoformat(ends)


def test_summer_time_end_is_an_hour_earlier_in_utc() -> None:
    end = standstill_ends_at(local("2027-06-01T09:00"), 2, LONDON)
    assert end == datetime(2027, 6, 2, 22, 59, 59, tzinfo=UTC)


def test_a_notice_late_in_the_evening_utc_counts_on_its_london_day() -> None:
    # 23:30 UTC on 31 May 2027 is 00:30 on 1 June in London (BST): 1 June is the first day.
    end = standstill_ends_at(datetime(2027, 5, 31, 23, 30, tzinfo=UTC), 1, LONDON)
    assert end.astimezone(LONDON).date().isoformat() == "2027-06-01"


def test_no_standstill_ends_when_the_notice_is_sent() -> None:
    notice = local("2026-12-25T09:00")
    assert standstill_ends_at(notice, 0, LONDON) == notice.astimezone(UTC)


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        standstill_ends_at(datetime(2026, 11, 23, 10), 8, LONDON)
