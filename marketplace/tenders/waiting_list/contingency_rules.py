"""The contingency clock (docs/design.md 3.5), pure: no I/O.

Dorset Lot 1 specification, Appendix Two: when no framework provider can be found, brokers may
source from the whole market after two working days for the urgent scenarios (hospital
discharge, end-of-life fast track, risk of significant harm) and after ten working days for
every other package. The clock starts on the day the package is first offered (the first
publication of a call-off holding it); that day itself does not count, the working days after it
do (England and Wales bank holidays skipped, as for the standstill). The package is **due** on
the last of those working days and **overdue** from the day after it.

Example: an urgent package first offered on Friday 27 November 2026 has Monday 30 November as
its first working day and is due on Tuesday 1 December.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marketplace.working_days import add_working_days, is_working_day, working_days_between

DEFAULT_URGENT_WORKING_DAYS = 2
DEFAULT_OTHER_WORKING_DAYS = 10
MIN_WORKING_DAYS, MAX_WORKING_DAYS = 1, 30
DIGEST_TIME = time(8, 0)
REASONS = ("no_award", "cancelled", "handed_back", "waiting")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Clock:
    """Where a package's contingency clock stands on a given day."""

    first_offered_on: date
    working_days: int  # the time scale that applies: urgent or other
    working_days_elapsed: int
    due_on: date
    working_days_left: int
    due_today: bool
    overdue: bool


def time_scale(urgent: bool, urgent_days: int, other_days: int) -> int:
    """The working days that apply to a package: the urgent time scale or the other one."""
    return urgent_days if urgent else other_days


def due_on(first_offered_on: date, working_days: int) -> date:
    """The day a package first offered on `first_offered_on` becomes due: the `working_days`-th
    working day after it."""
    if working_days < 1:
        raise ValueError("a contingency time scale is at least one working day")
    return add_working_days(first_offered_on + _ONE_DAY, working_days)


def elapsed(first_offered_on: date, today: date) -> int:
    """Working days that have passed since the first offer, today included (0 on that day)."""
    return working_days_between(first_offered_on + _ONE_DAY, today)


def clock(first_offered_on: date, working_days: int, today: date) -> Clock:
    """The package's clock on `today` (a Europe/London date)."""
    due = due_on(first_offered_on, working_days)
    left = 0 if today >= due else working_days_between(today + _ONE_DAY, due)
    return Clock(
        first_offered_on=first_offered_on,
        working_days=working_days,
        working_days_elapsed=elapsed(first_offered_on, today),
        due_on=due,
        working_days_left=left,
        due_today=today == due,
        overdue=today > due,
    )


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The local (Europe/London) date of an instant."""
    if moment.tzinfo is None:
        raise ValueError("the moment needs its time zone")
    return moment.astimezone(zone).date()


def digest_day(now: datetime, zone: ZoneInfo) -> date | None:
    """The day a daily digest is due for at `now`: today's local date when it is a working day
    and the local time is 08:00 or later; None otherwise (weekends, bank holidays, before 08:00)."""
    if now.tzinfo is None:
        raise ValueError("the moment needs its time zone")
    local = now.astimezone(zone)
    if not is_working_day(local.date()) or local.time() < DIGEST_TIME:
        return None
    return local.date()


def in_digest(state: Clock) -> bool:
    """A package the digest lists: due today or overdue."""
    return state.due_today or state.overdue
