"""The standstill's end at its boundaries (docs/design.md 4.13): the day the award
notice is sent is the commissioner's day in Europe/London and the end is given in UTC, whatever
time zone the machine running the marketplace is set to. `make mutation` found both unpinned
(docs/mutation.md)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.awards.engine.standstill import standstill_ends_at

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def machine_in_new_york() -> Iterator[None]:
    """The process's local time zone set to New York (UTC-4 in summer), then put back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("machine_in_new_york")
def test_a_notice_just_after_midnight_in_london_counts_from_that_london_day() -> None:
    # 23:30 UTC on Tuesday 1 June 2027 is 00:30 on Wednesday 2 June in London (BST) and 19:30 on
    # 1 June in New York: the count starts on Wednesday 2 June, the first of 1 working day.
    end = standstill_ends_at(datetime(2027, 6, 1, 23, 30, tzinfo=UTC), 1, LONDON)
    assert end == datetime(2027, 6, 2, 22, 59, 59, tzinfo=UTC)


@pytest.mark.usefixtures("machine_in_new_york")
def test_a_notice_just_before_midnight_in_london_counts_from_that_london_day() -> None:
    # 22:59 UTC on 1 June 2027 is 23:59 on 1 June in London: 1 June is the first working day.
    end = standstill_ends_at(datetime(2027, 6, 1, 22, 59, tzinfo=UTC), 1, LONDON)
    assert end == datetime(2027, 6, 1, 22, 59, 59, tzinfo=UTC)


@pytest.mark.usefixtures("machine_in_new_york")
def test_with_no_standstill_the_end_is_the_notice_moment_given_in_utc() -> None:
    notice = datetime(2027, 6, 1, 15, 0, tzinfo=LONDON)
    end = standstill_ends_at(notice, 0, LONDON)
    assert end == notice
    assert end.utcoffset() == timedelta(0)
    assert end.tzinfo is UTC
