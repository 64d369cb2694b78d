"""The spend rules, pure: a week's spend half-up to the penny, the hours on a day after each
change, care in force from its start to its last day, and months reckoned at their end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marketplace.reporting import spend_rules as rules


@dataclass(frozen=True)
class Care:
    status: str = "active"
    hourly_rate_pence: int = 1950
    max_hourly_rate_pence: int = 2400
    envelope_base_rate_pence: int = 2000
    awarded_weekly_hours: Decimal = Decimal("10.00")
    weekly_hours: Decimal = Decimal("10.00")
    actual_start: date | None = date(2026, 3, 10)
    last_care_date: date | None = None
    changes: tuple[tuple[date, Decimal], ...] = ()


def test_a_weeks_spend_is_rounded_half_up_to_the_penny_per_record():
    assert rules.weekly_pence(Decimal("7.25"), 1950) == 14138
    assert rules.weekly_pence(Decimal("0.25"), 1) == 0
    assert rules.weekly_pence(Decimal("0.50"), 1) == 1
    total = rules.now([Care(weekly_hours=Decimal("7.25")), Care(weekly_hours=Decimal("7.25"))])
    assert total == rules.Tally(2, Decimal("14.50"), 28276)


def test_only_active_care_commits_spend():
    assert rules.now([Care(status="awaiting_start"), Care(status="ended")]).packages == 0


def test_the_hours_on_a_day_follow_each_change_from_its_date():
    care = Care(changes=((date(2026, 4, 1), Decimal("12.00")), (date(2026, 5, 1), Decimal("9.50"))))
    assert rules.hours_on(care, date(2026, 3, 31)) == Decimal("10.00")
    assert rules.hours_on(care, date(2026, 4, 1)) == Decimal("12.00")
    assert rules.hours_on(care, date(2026, 6, 1)) == Decimal("9.50")


def test_a_month_counts_care_in_force_at_its_end_or_today():
    care = Care(last_care_date=date(2026, 5, 31))
    months = ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    tallies = rules.monthly([care], months, date(2026, 6, 15))
    assert [t.weekly_spend_pence for t in tallies.values()] == [0, 19500, 19500, 19500, 0]
    assert rules.month_end("2026-06", date(2026, 6, 15)) == date(2026, 6, 15)
    assert rules.month_end("2026-02", date(2026, 6, 15)) == date(2026, 2, 28)


def test_rates_are_hours_weighted_against_the_maximum_and_the_envelope():
    r = rules.rates([Care(), Care(hourly_rate_pence=2100, weekly_hours=Decimal("30.00"))])
    # (10 x 1950 + 30 x 2100) / 40 = 2062.5 -> 2063
    assert (r.awarded_pence, r.maximum_pence, r.envelope_pence) == (2063, 2400, 2000)
    assert r.of_maximum_percent == Decimal("85.94")
    assert r.of_envelope_percent == Decimal("103.13")
    assert rules.rates([]).awarded_pence is None
