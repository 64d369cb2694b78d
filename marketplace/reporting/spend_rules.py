"""Spend and activity, pure (docs/design.md 10.2): committed weekly spend is the sum of weekly hours times
awarded hourly rate over the care in force; grouped by lot, area, provider, rurality and service
level; rates against the maximum and the envelope; month by month. Money in whole pence (rounded
half-up only where a mean is taken), hours to two places."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol, TypeVar

TWO = Decimal("0.01")
NONE_KEY = "none"  # a pilot's area has no package: no rurality or service level


class Care(Protocol):
    """What the rules read of a care record (care.queries.CareForSpend)."""

    @property
    def status(self) -> str: ...

    @property
    def hourly_rate_pence(self) -> int: ...

    @property
    def max_hourly_rate_pence(self) -> int: ...

    @property
    def envelope_base_rate_pence(self) -> int: ...

    @property
    def awarded_weekly_hours(self) -> Decimal: ...

    @property
    def weekly_hours(self) -> Decimal: ...

    @property
    def actual_start(self) -> date | None: ...

    @property
    def last_care_date(self) -> date | None: ...

    @property
    def changes(self) -> tuple[tuple[date, Decimal], ...]: ...


C = TypeVar("C", bound=Care)


@dataclass(frozen=True)
class Tally:
    packages: int
    weekly_hours: Decimal
    weekly_spend_pence: int


def weekly_pence(hours: Decimal, rate_pence: int) -> int:
    """A week of care at the rate, in pence, half-up (hours carry two places)."""
    return int((hours * rate_pence).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def is_active(care: Care) -> bool:
    return care.status == "active"


def hours_on(care: Care, day: date) -> Decimal:
    """The weekly hours in force on the day: those awarded, then each change from its date."""
    hours = care.awarded_weekly_hours
    for effective_from, changed in care.changes:
        if effective_from <= day:
            hours = changed
    return hours


def in_force_on(care: Care, day: date) -> bool:
    """Started by the day and not yet over (its last day of care not before it)."""
    return (
        care.actual_start is not None
        and care.actual_start <= day
        and (care.last_care_date is None or care.last_care_date >= day)
    )


def tally(pairs: Iterable[tuple[Decimal, int]]) -> Tally:
    """(weekly hours, hourly rate) of each care record -> the count, hours and weekly spend."""
    count, hours, pence = 0, Decimal("0.00"), 0
    for weekly_hours, rate in pairs:
        count += 1
        hours += weekly_hours
        pence += weekly_pence(weekly_hours, rate)
    return Tally(count, hours.quantize(TWO), pence)


def now(cares: Iterable[Care]) -> Tally:
    """The committed weekly spend: the active care at its hours now."""
    return tally((c.weekly_hours, c.hourly_rate_pence) for c in cares if is_active(c))


def grouped(cares: Iterable[C], key: Callable[[C], str | None]) -> dict[str, Tally]:
    """The active care's tally per key, keys in order."""
    groups: dict[str, list[C]] = {}
    for care in cares:
        if is_active(care):
            groups.setdefault(key(care) or NONE_KEY, []).append(care)
    return {k: now(groups[k]) for k in sorted(groups)}


def month_end(month: str, today: date) -> date:
    """The day a month is reckoned on: its last day, or today for the month in progress."""
    year, number = (int(part) for part in month.split("-"))
    last = date(year, number, calendar.monthrange(year, number)[1])
    return min(last, today)


def monthly(cares: list[Care], months: list[str], today: date) -> dict[str, Tally]:
    """The weekly spend in force at each month's end (today for this month), at the hours then."""
    result = {}
    for month in months:
        day = month_end(month, today)
        result[month] = tally(
            (hours_on(c, day), c.hourly_rate_pence) for c in cares if in_force_on(c, day)
        )
    return result


@dataclass(frozen=True)
class Rates:
    """Hours-weighted mean hourly rates of the active care (pence, half-up): awarded, the
    call-offs' maximum and envelope base rate; and the awarded rate as a percentage of each."""

    weekly_hours: Decimal
    awarded_pence: int | None
    maximum_pence: int | None
    envelope_pence: int | None
    of_maximum_percent: Decimal | None
    of_envelope_percent: Decimal | None


def _mean(pairs: list[tuple[Decimal, int]]) -> Decimal | None:
    hours = sum((h for h, _ in pairs), Decimal(0))
    if hours == 0:
        return None
    return sum((h * r for h, r in pairs), Decimal(0)) / hours


def _pence(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * 100 / whole).quantize(TWO, rounding=ROUND_HALF_UP)


def rates(cares: Iterable[Care]) -> Rates:
    active = [c for c in cares if is_active(c)]
    awarded = _mean([(c.weekly_hours, c.hourly_rate_pence) for c in active])
    maximum = _mean([(c.weekly_hours, c.max_hourly_rate_pence) for c in active])
    envelope = _mean([(c.weekly_hours, c.envelope_base_rate_pence) for c in active])
    return Rates(
        weekly_hours=sum((c.weekly_hours for c in active), Decimal("0.00")).quantize(TWO),
        awarded_pence=_pence(awarded),
        maximum_pence=_pence(maximum),
        envelope_pence=_pence(envelope),
        of_maximum_percent=_percent(awarded, maximum),
        of_envelope_percent=_percent(awarded, envelope),
    )
