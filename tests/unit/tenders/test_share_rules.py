"""The framework share's arithmetic (docs/design.md 3.5): exact fractions, half-up percentages,
per month, lot and area."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from marketplace.tenders.waiting_list import share_rules as rules

LONDON = ZoneInfo("Europe/London")


def _hours(
    hours: str, framework: bool, month: str = "2026-10", lot: str = "CSH", area: str = "N"
) -> rules.PlacedHours:
    return rules.PlacedHours(lot, area, month, Decimal(hours), framework)


KNOWN = [
    _hours("10.00", True, "2026-09", area="N"),
    _hours("12.50", True, "2026-10", area="S"),
    _hours("7.25", True, "2026-10", lot="ENB", area="N"),
    _hours("4.75", False, "2026-10", area="S"),
]


def test_three_awards_and_one_placement_give_exactly_86_23_percent() -> None:
    total = rules.tally(KNOWN)
    assert total.framework_hours == Decimal("29.75")
    assert total.off_framework_hours == Decimal("4.75")
    assert total.total_hours == Decimal("34.50")
    assert total.share == Fraction(2975, 3450) == Fraction(119, 138)
    assert rules.percent(total.share) == Decimal("86.23")
    assert rules.percent(total.share, places=1) == Decimal("86.2")
    assert rules.meets(total.share, 90) is False and rules.meets(total.share, 86) is True


def test_the_share_is_grouped_by_month_lot_and_area() -> None:
    by_month = rules.grouped(KNOWN, "month", keys=["2026-08", "2026-09", "2026-10"])
    assert list(by_month) == ["2026-08", "2026-09", "2026-10"]
    assert by_month["2026-08"].share is None and rules.percent(None) is None
    assert rules.percent(by_month["2026-09"].share) == Decimal("100.00")
    assert rules.percent(by_month["2026-10"].share) == Decimal("80.61")  # 19.75 / 24.50
    by_lot = rules.grouped(KNOWN, "lot")
    assert {k: rules.percent(v.share) for k, v in by_lot.items()} == {
        "CSH": Decimal("82.57"),  # 22.50 / 27.25
        "ENB": Decimal("100.00"),
    }
    by_area = rules.grouped(KNOWN, "area")
    assert rules.percent(by_area["S"].share) == Decimal("72.46")  # 12.50 / 17.25
    with pytest.raises(ValueError):
        rules.grouped(KNOWN, "provider")


def test_a_half_is_rounded_up() -> None:
    assert rules.percent(Fraction(1, 8)) == Decimal("12.50")
    assert rules.percent(Fraction(1, 8), places=1) == Decimal("12.5")
    assert rules.percent(Fraction(12345, 100000)) == Decimal("12.35")
    assert rules.percent(Fraction(1, 1)) == Decimal("100.00")


def test_months_are_london_months_and_the_last_twelve_end_with_this_one() -> None:
    assert rules.month_of(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), LONDON) == "2026-10"
    assert rules.month_of(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), LONDON) == "2026-07"
    months = rules.last_months(date(2026, 11, 26))
    assert months[0] == "2025-12" and months[-1] == "2026-11" and len(months) == 12
