"""Rules of admission and the provider gates they feed (pure: plain values, no ORM, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from marketplace.working_days import add_working_days, working_days_between

LONDON = ZoneInfo("Europe/London")
# A commissioner decides an application within 10 working days of receiving it.
DECISION_TARGET_WORKING_DAYS = 10


@dataclass(frozen=True)
class DecisionClock:
    waited_working_days: int
    decision_due_on: date
    overdue: bool


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def decision_clock(
    applied_at: datetime, decided_at: datetime | None, now: datetime
) -> DecisionClock:
    """How long an application has waited (to its decision, once decided) against the target of
    10 working days counted from the day it was made (that day counting when a working day)."""
    applied_on = london_date(applied_at)
    until = london_date(decided_at or now)
    due_on = add_working_days(applied_on, DECISION_TARGET_WORKING_DAYS)
    return DecisionClock(working_days_between(applied_on, until), due_on, until > due_on)


def areas_of_one_commissioner(commissioner_by_area: dict[str, object]) -> bool:
    """AreasOfOneCommissioner: an application's areas all belong to the commissioner who decides
    it."""
    return len(set(commissioner_by_area.values())) <= 1


def not_admitted(lot_code: str, area_codes: Iterable[str]) -> list[str]:
    return [f"not admitted to the lot {lot_code} for {code}" for code in area_codes]


def enablement_barred(failures: int, months: int) -> str:
    """The enablement gate's sentence (its intended stable code: `enablement_barred`)."""
    return (
        f"barred from this commissioner's enablement requests after {failures} failed "
        f"enablements in {months} months"
    )


def gate_failures(
    lot_code: str,
    areas_not_admitted: Iterable[str],
    block_reason: str | None,
    cqc_rating: str | None,
    enforcement_pending: bool,
    enablement_bar: tuple[int, int] | None = None,
) -> list[str]:
    """A sentence for each provider gate failed: admitted to the lot in each area, not blocked by
    this commissioner, CQC rating not inadequate, no enforcement action pending (docs/design.md §4)
    and, for an enablement request only, not barred from enablement requests (`enablement_bar`:
    the open bar's failures and months)."""
    failures = not_admitted(lot_code, sorted(areas_not_admitted))
    if block_reason is not None:
        failures.append(f"blocked by this commissioner: {block_reason}")
    if cqc_rating == "inadequate":
        failures.append("CQC rating inadequate")
    if enforcement_pending:
        failures.append("enforcement action pending")
    if enablement_bar is not None:
        # code: enablement_barred
        failures.append(enablement_barred(*enablement_bar))
    return failures
