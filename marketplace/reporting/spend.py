"""Spend and activity for a commissioner (docs/design.md 10.2), composed from care's
`care_for_spend`: the committed weekly spend now, by lot, area, provider, rurality and service
level; the awarded rates against the maximum and the envelope by lot; the last 12 months."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from marketplace.care.queries import CareForSpend, care_for_spend
from marketplace.principal import Principal
from marketplace.reporting import spend_rules as rules
from marketplace.tenders.call_offs.queries import commissioner_of
from marketplace.tenders.waiting_list.contingency import today
from marketplace.tenders.waiting_list.share_rules import last_months
from marketplace.web.exports import Column


class SpendGroup(msgspec.Struct):
    key: str  # a lot or area code, a provider's name, a rurality, a service level, or YYYY-MM
    packages: int  # care records in force
    weekly_hours: Decimal
    weekly_spend_pence: int


class RateGroup(msgspec.Struct):
    key: str  # a lot code, or "all"
    weekly_hours: Decimal
    awarded_rate_pence: int | None
    maximum_rate_pence: int | None
    envelope_rate_pence: int | None
    of_maximum_percent: Decimal | None
    of_envelope_percent: Decimal | None


class Spend(msgspec.Struct):
    on: date
    first_month: str
    last_month: str
    overall: SpendGroup  # key "all": the committed weekly spend of the active care now
    by_lot: list[SpendGroup]
    by_area: list[SpendGroup]
    by_provider: list[SpendGroup]
    by_rurality: list[SpendGroup]
    by_service_level: list[SpendGroup]
    by_month: list[SpendGroup]  # in force at each month's end (today for this month)
    rates: list[RateGroup]  # by lot, then "all"


GROUPINGS: dict[str, Callable[[CareForSpend], str | None]] = {
    "lot": lambda c: c.lot_code,
    "area": lambda c: c.area_code,
    "provider": lambda c: c.provider_name,
    "rurality": lambda c: c.rurality,
    "service_level": lambda c: c.service_level,
}


def _group(key: str, tally: rules.Tally) -> SpendGroup:
    return SpendGroup(key, tally.packages, tally.weekly_hours, tally.weekly_spend_pence)


def _rate(key: str, r: rules.Rates) -> RateGroup:
    return RateGroup(
        key,
        r.weekly_hours,
        r.awarded_pence,
        r.maximum_pence,
        r.envelope_pence,
        r.of_maximum_percent,
        r.of_envelope_percent,
    )


async def spend_of(commissioner_id: UUID, on: date | None = None) -> Spend:
    day = on or today()
    cares = await care_for_spend(commissioner_id)
    months = last_months(day)
    groups = {
        name: [_group(k, t) for k, t in rules.grouped(cares, key).items()]
        for name, key in GROUPINGS.items()
    }
    lots = sorted({c.lot_code for c in cares if rules.is_active(c)})
    return Spend(
        on=day,
        first_month=months[0],
        last_month=months[-1],
        overall=_group("all", rules.now(cares)),
        by_lot=groups["lot"],
        by_area=groups["area"],
        by_provider=groups["provider"],
        by_rurality=groups["rurality"],
        by_service_level=groups["service_level"],
        by_month=[_group(k, t) for k, t in rules.monthly(list(cares), months, day).items()],
        rates=[_rate(lot, rules.rates(c for c in cares if c.lot_code == lot)) for lot in lots]
        + [_rate("all", rules.rates(cares))],
    )


async def spend(actor: Principal, on: date | None = None) -> Spend:
    return await spend_of(commissioner_of(actor), on)


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else (Decimal(pence) / 100).quantize(Decimal("0.01"))


def group_columns(heading: str) -> list[Column]:
    return [
        Column(heading, lambda g: g.key),
        Column("Packages", lambda g: g.packages),
        Column("Weekly hours", lambda g: g.weekly_hours),
        Column("Weekly spend (£)", lambda g: _pounds(g.weekly_spend_pence)),
    ]


RATE_COLUMNS = [
    Column("Lot", lambda r: r.key),
    Column("Weekly hours", lambda r: r.weekly_hours),
    Column("Awarded rate (£/hour)", lambda r: _pounds(r.awarded_rate_pence)),
    Column("Maximum rate (£/hour)", lambda r: _pounds(r.maximum_rate_pence)),
    Column("Envelope base rate (£/hour)", lambda r: _pounds(r.envelope_rate_pence)),
    Column("Awarded as % of maximum", lambda r: r.of_maximum_percent),
    Column("Awarded as % of envelope", lambda r: r.of_envelope_percent),
]

# Each table of the page: its title, its columns and its rows.
TABLES: dict[str, tuple[str, list[Column], Callable[[Spend], list[Any]]]] = {
    "by-month": ("By month", group_columns("Month"), lambda s: s.by_month),
    "by-lot": ("By lot", group_columns("Lot"), lambda s: s.by_lot),
    "by-area": ("By area", group_columns("Area"), lambda s: s.by_area),
    "by-provider": ("By provider", group_columns("Provider"), lambda s: s.by_provider),
    "by-rurality": ("By rurality", group_columns("Rurality"), lambda s: s.by_rurality),
    "by-service-level": (
        "By service level",
        group_columns("Service level"),
        lambda s: s.by_service_level,
    ),
    "rates": (
        "Awarded rates against the maximum and the envelope",
        RATE_COLUMNS,
        lambda s: s.rates,
    ),
}
