"""Spend and activity for a commissioner (docs/design.md 10.2), composed from care's
`care_for_spend`: the committed weekly spend now, by lot, area, provider, rurality and service
level; the awarded rates against the maximum and the envelope by lot; the last 12 months."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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
from marketplace.units import pounds
from marketplace.web.charts import ChartData, Series
from marketplace.web.exports import Column
from marketplace.web.labels import RURALITY, SERVICE_LEVELS
from marketplace.web.names import area_name, lot_name
from marketplace.web.templating import month_name, pence


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

    @property
    def overall_rates(self) -> RateGroup:
        """The awarded rates of all the active care against the maximum and the envelope."""
        return self.rates[-1]


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


@dataclass(frozen=True)
class SpendColumn(Column):
    """A column of a spend table: the download's heading and value (Column, numbers and codes),
    and how the page heads and shows it (in the domain's words: names for codes, £1,234.56)."""

    shown_heading: str = ""
    show: Callable[[Any], str] = str

    def shown(self, row: Any) -> str:
        value = self.value(row)
        return "" if value is None else self.show(value)


def _hours(value: Decimal) -> str:
    return f"{value:,.2f}"


def _count(value: int) -> str:
    return f"{value:,}"


def _money(value: Decimal) -> str:
    return pounds(int(value * 100))


def _percent(value: Decimal) -> str:
    return f"{value}%"


def _lot(key: str) -> str:
    return ALL_LOTS if key == "all" else lot_name(key)


def _labelled(labels: Mapping[str, str]) -> Callable[[str], str]:
    return lambda key: NO_PACKAGE if key == rules.NONE_KEY else labels.get(key, key)


NO_PACKAGE = "A pilot's area (no package)"
ALL_LOTS = "All lots"
# How the page shows each grouping's key.
KEYS: dict[str, Callable[[str], str]] = {
    "Month": month_name,
    "Lot": _lot,
    "Area": area_name,
    "Provider": str,
    "Rurality": _labelled(RURALITY),
    "Service level": _labelled(SERVICE_LEVELS),
}


def group_columns(heading: str) -> list[SpendColumn]:
    return [
        SpendColumn(heading, lambda g: g.key, heading, KEYS[heading]),
        SpendColumn("Packages", lambda g: g.packages, "Packages", _count),
        SpendColumn("Weekly hours", lambda g: g.weekly_hours, "Weekly hours", _hours),
        SpendColumn(
            "Weekly spend (£)", lambda g: _pounds(g.weekly_spend_pence), "Weekly spend", _money
        ),
    ]


def _rate_column(
    heading: str, shown_heading: str, pence: Callable[[RateGroup], int | None]
) -> SpendColumn:
    return SpendColumn(heading, lambda r: _pounds(pence(r)), shown_heading, _money)


RATE_COLUMNS = [
    SpendColumn("Lot", lambda r: r.key, "Lot", _lot),
    SpendColumn("Weekly hours", lambda r: r.weekly_hours, "Weekly hours", _hours),
    _rate_column("Awarded rate (£/hour)", "Awarded rate an hour", lambda r: r.awarded_rate_pence),
    _rate_column("Maximum rate (£/hour)", "Maximum rate an hour", lambda r: r.maximum_rate_pence),
    _rate_column(
        "Envelope base rate (£/hour)",
        "Envelope base rate an hour",
        lambda r: r.envelope_rate_pence,
    ),
    SpendColumn(
        "Awarded as % of maximum",
        lambda r: r.of_maximum_percent,
        "Awarded as % of the maximum",
        _percent,
    ),
    SpendColumn(
        "Awarded as % of envelope",
        lambda r: r.of_envelope_percent,
        "Awarded as % of the envelope",
        _percent,
    ),
]

# Each table of the page: its title, its columns and its rows.
TABLES: dict[str, tuple[str, list[SpendColumn], Callable[[Spend], list[Any]]]] = {
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


@dataclass(frozen=True)
class ShownTable:
    """A spend table as the page shows it: each row's cells as text, the first its heading."""

    name: str
    title: str
    headings: list[str]
    rows: list[list[str]]


def shown_table(name: str, figures: Spend) -> ShownTable:
    title, columns, rows = TABLES[name]
    return ShownTable(
        name,
        title,
        [c.shown_heading for c in columns],
        [[c.shown(row) for c in columns] for row in rows(figures)],
    )


@dataclass(frozen=True)
class Figure:
    """A headline figure: its value as shown, the words after it, and its element's id."""

    value: str
    label: str
    id: str


def headline(figures: Spend) -> list[Figure]:
    """The headline figures of the spend page and the commissioner's home: the committed weekly
    spend, the hours and packages of the active care, and the awarded rate against the maximum."""
    now, rates = figures.overall, figures.overall_rates
    if rates.of_maximum_percent is None:
        rate = Figure("None", "awarded rate against the maximum: no care is active", "spend-rate")
    else:
        rate = Figure(
            _percent(rates.of_maximum_percent),
            f"of the maximum rate: {pence(rates.awarded_rate_pence)} an hour awarded against"
            f" {pence(rates.maximum_rate_pence)} (averages weighted by hours)",
            "spend-rate",
        )
    return [
        Figure(pounds(now.weekly_spend_pence), "committed weekly spend", "spend-weekly"),
        Figure(_hours(now.weekly_hours), "weekly hours of active care", "spend-hours"),
        Figure(_count(now.packages), "packages of active care", "spend-packages"),
        rate,
    ]


def chart_data(figures: Spend) -> ChartData:
    """The chart of the last 12 months: each month's committed weekly spend in pounds, the axis
    reading "Dec 2025" and the tooltip "December 2025"."""
    return ChartData(
        kind="bar",
        labels=[month_name(g.key, short=True) for g in figures.by_month],
        series=[
            Series("Committed weekly spend", [g.weekly_spend_pence / 100 for g in figures.by_month])
        ],
        y_title="£ a week",
        unit="money",
        titles=[month_name(g.key) for g in figures.by_month],
        legend=False,
    )


def shown(figures: Spend, tables: Iterable[str] = TABLES) -> dict[str, Any]:
    """What a page shows of the figures (the spend page all its tables, the commissioner's home
    the month table under its chart): the figures, the headline, the tables and the chart."""
    return {
        "spend": figures,
        "headline": headline(figures),
        "tables": [shown_table(name, figures) for name in tables],
        "chart_data": chart_data(figures),
    }
