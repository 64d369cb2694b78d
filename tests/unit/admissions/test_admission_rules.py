"""The decision clock of an application and the gate sentences (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from marketplace.admissions.rules import decision_clock, gate_failures


def test_an_application_made_before_christmas_is_due_after_the_holidays() -> None:
    # 23:30 UTC on Sunday 20 December 2026 is still Sunday in London (GMT).
    applied = datetime(2026, 12, 20, 23, 30, tzinfo=UTC)
    clock = decision_clock(applied, None, datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
    # Mon 21 .. Thu 24 (4), Tue 29 .. Thu 31 (7), Mon 4 Jan (8), Tue 5 Jan (9): due Wed 6 Jan.
    assert clock.decision_due_on == date(2027, 1, 6)
    assert clock.waited_working_days == 9
    assert clock.overdue is False
    assert decision_clock(applied, None, datetime(2027, 1, 7, 9, 0, tzinfo=UTC)).overdue is True


def test_a_summer_application_is_dated_in_london_time() -> None:
    # 23:30 UTC on Friday 3 July 2026 is already Saturday 4 July in London (BST).
    applied = datetime(2026, 7, 3, 23, 30, tzinfo=UTC)
    decided = datetime(2026, 7, 6, 10, 0, tzinfo=UTC)
    clock = decision_clock(applied, decided, datetime(2026, 9, 1, tzinfo=UTC))
    assert clock.decision_due_on == date(2026, 7, 17)
    assert clock.waited_working_days == 1
    assert clock.overdue is False


def test_gate_failures_name_each_failed_gate() -> None:
    assert gate_failures("LOT1", [], None, "good", False) == []
    assert gate_failures("LOT1", ["DOVER", "ASHFORD"], "Missed visits", "inadequate", True) == [
        "not admitted to the lot LOT1 for ASHFORD",
        "not admitted to the lot LOT1 for DOVER",
        "blocked by this commissioner: Missed visits",
        "CQC rating inadequate",
        "enforcement action pending",
    ]
