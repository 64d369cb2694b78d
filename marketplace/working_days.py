"""Working days in England and Wales (pure: no I/O).

A working day is Monday to Friday and not an England and Wales bank holiday (substitute days
included, e.g. Boxing Day 2026 observed on Monday 28 December), as the `holidays` package lists
them for GB/ENG (Wales shares England's bank holidays).

Counting convention, used by every deadline of the marketplace: the start day counts as the
first working day when it is itself a working day (docs/design.md §4, standstill: "counted from the
day the award notice is sent (that day counts when it is a working day)"). So for n >= 1,
`working_days_between(start, add_working_days(start, n)) == n`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

_ONE_DAY = timedelta(days=1)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day counting from `start`, which is the first when it is a working day
    (n=1: `start` itself if it is a working day, else the next one). n=0 gives `start`."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    counted = 1 if n and is_working_day(day) else 0
    while counted < n:
        day += _ONE_DAY
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days there are from `start` to `end`, both included (0 if end < start)."""
    if end < start:
        return 0
    count = 0
    day = start
    while day <= end:
        if is_working_day(day):
            count += 1
        day += _ONE_DAY
    return count
