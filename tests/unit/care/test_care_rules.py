"""The rules of care after the award, pure: the tolerance's boundary (5.00 within, 5.25 not,
either way, cumulative from the hours awarded), late starts (the promised day is on time, the next
is late), the start's dates, the enablement period and the bar's window."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.admissions.rules import enablement_barred, gate_failures
from marketplace.care import rules
from marketplace.config import ConfigurationError, load_settings

AWARDED = Decimal("10.00")


@pytest.mark.parametrize(
    ("hours", "within"),
    [
        ("15.00", True),
        ("15.25", False),
        ("5.00", True),
        ("4.75", False),
        ("14.99", True),
        ("15.01", False),
        ("10.00", True),
    ],
)
def test_five_hours_either_way_is_within_the_tolerance_and_a_quarter_more_is_not(
    hours: str, within: bool
) -> None:
    assert rules.within_tolerance(AWARDED, Decimal(hours)) is within


def test_the_tolerance_is_measured_from_the_hours_awarded_not_the_last_change() -> None:
    # 10.00 -> 13.00 (+3.00) -> 15.25 (+2.25 more): 5.25 from the hours awarded.
    assert rules.within_tolerance(AWARDED, Decimal("13.00"))
    assert not rules.within_tolerance(AWARDED, Decimal("15.25"))
    assert rules.tolerance_used(AWARDED, Decimal("15.25")) == Decimal("5.25")
    assert rules.tolerance_used(AWARDED, Decimal("4.75")) == Decimal("-5.25")
    assert rules.tolerance_left(AWARDED, Decimal("13.00")) == Decimal("2.00")
    assert rules.tolerance_left(AWARDED, Decimal("15.25")) == Decimal("0.00")


@given(
    st.decimals(min_value=Decimal("0.25"), max_value=Decimal(168), places=2),
    st.decimals(min_value=Decimal("0.25"), max_value=Decimal(168), places=2),
)
def test_within_the_tolerance_is_exactly_a_move_of_at_most_five_hours(
    awarded: Decimal, hours: Decimal
) -> None:
    assert rules.within_tolerance(awarded, hours) is (abs(hours - awarded) <= Decimal(5))


def test_a_start_on_the_promised_day_is_on_time_and_the_next_day_is_late() -> None:
    promised = date(2026, 12, 3)
    assert not rules.is_late(date(2026, 12, 3), promised)
    assert rules.is_late(date(2026, 12, 4), promised)
    assert not rules.is_late(date(2026, 12, 2), promised)
    assert not rules.is_late(date(2026, 12, 30), None), "nothing promised, nothing late"


def test_a_start_is_not_in_the_future_nor_before_the_award() -> None:
    awarded, today = date(2026, 12, 1), date(2026, 12, 10)
    assert rules.start_problem(date(2026, 12, 10), awarded, today) is None
    assert rules.start_problem(date(2026, 12, 1), awarded, today) is None
    assert rules.start_problem(date(2026, 12, 11), awarded, today) == "cannot be in the future"
    assert rules.start_problem(date(2026, 11, 30), awarded, today) == (
        "cannot be before the care was awarded on 1 December 2026"
    )


def test_an_enablement_period_ends_on_the_last_day_of_its_weeks() -> None:
    assert rules.enablement_ends_on(date(2026, 12, 1), 2) == date(2026, 12, 14)
    assert rules.enablement_ends_on(date(2026, 12, 1), 6) == date(2027, 1, 11)
    assert rules.enablement_met([True, True])
    assert not rules.enablement_met([True, False])
    assert not rules.enablement_met([])


def test_the_bar_counts_back_calendar_months() -> None:
    assert rules.months_before(date(2026, 12, 10), 12) == date(2025, 12, 10)
    assert rules.months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert rules.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert rules.months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    assert not rules.bar_due(2, rules.FAILED_ENABLEMENTS_FOR_BAR)
    assert rules.bar_due(3, rules.FAILED_ENABLEMENTS_FOR_BAR)


def test_the_enablement_gate_has_its_sentence() -> None:
    sentence = enablement_barred(3, 12)
    assert sentence == (
        "barred from this commissioner's enablement requests after 3 failed enablements in "
        "12 months"
    )
    assert gate_failures("LOT1", [], None, "good", False, (3, 12)) == [sentence]
    assert gate_failures("LOT1", [], None, "good", False, None) == []


def test_the_bar_threshold_comes_from_the_environment(tmp_path) -> None:
    base = {"MARKETPLACE_VAR_DIR": str(tmp_path)}
    settings = load_settings(base)
    assert settings.enablement_bar_failures is None and settings.enablement_bar_months is None
    chosen = load_settings(
        {
            **base,
            "MARKETPLACE_ENABLEMENT_BAR_FAILURES": "4",
            "MARKETPLACE_ENABLEMENT_BAR_MONTHS": "6",
        }
    )
    assert (chosen.enablement_bar_failures, chosen.enablement_bar_months) == (4, 6)
    with pytest.raises(ConfigurationError):
        load_settings({**base, "MARKETPLACE_ENABLEMENT_BAR_FAILURES": "0"})
