"""Rules of admission and the provider gates they feed (pure: plain values, no ORM, no I/O), and
the shape every failed gate takes, provider gate or bid gate: a sentence with a stable code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import msgspec

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


class GateFailure(str):
    """A failed gate: the sentence naming the rule (the string itself, as reasons, pages and
    emails show it) and its stable `code`, which tests, reports and API clients match on; the
    wording may change, the code does not.

    A str, so that every join, comparison and sentence-built reason keeps working; msgspec does
    not encode a subclass of str, so it is stored as {code, sentence} (`encode_gate_failures`)."""

    code: str

    def __new__(cls, code: str, sentence: str) -> GateFailure:
        failure = super().__new__(cls, sentence)
        failure.code = str(code)  # the plain value, also of a member of a gate's StrEnum
        return failure

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return self.code, str(self)

    def __repr__(self) -> str:
        return f"GateFailure({self.code!r}, {str(self)!r})"


class ProviderGate(StrEnum):
    """The codes of the provider gates."""

    NOT_ADMITTED = "not_admitted"
    BLOCKED = "blocked"
    CQC_INADEQUATE = "cqc_inadequate"
    ENFORCEMENT_PENDING = "enforcement_pending"


class StoredGateFailure(msgspec.Struct, frozen=True):
    """A failed gate as it is stored (JSON) against a bid at closing and in an assessment."""

    code: str
    sentence: str


def encode_gate_failures(failures: Iterable[GateFailure]) -> str:
    return msgspec.json.encode(
        [StoredGateFailure(failure.code, str(failure)) for failure in failures]
    ).decode()


def decode_gate_failures(stored: str | None) -> list[GateFailure]:
    return [
        GateFailure(failure.code, failure.sentence)
        for failure in msgspec.json.decode(stored or "[]", type=list[StoredGateFailure])
    ]


def not_admitted(lot_code: str, area_codes: Iterable[str]) -> list[GateFailure]:
    return [
        GateFailure(ProviderGate.NOT_ADMITTED, f"not admitted to the lot {lot_code} for {code}")
        for code in area_codes
    ]


def gate_failures(
    lot_code: str,
    areas_not_admitted: Iterable[str],
    block_reason: str | None,
    cqc_rating: str | None,
    enforcement_pending: bool,
) -> list[GateFailure]:
    """Each provider gate failed: admitted to the lot in each area, not blocked by this
    commissioner, CQC rating not inadequate, no enforcement action pending (docs/design.md 4.5)."""
    failures = not_admitted(lot_code, sorted(areas_not_admitted))
    if block_reason is not None:
        failures.append(
            GateFailure(ProviderGate.BLOCKED, f"blocked by this commissioner: {block_reason}")
        )
    if cqc_rating == "inadequate":
        failures.append(GateFailure(ProviderGate.CQC_INADEQUATE, "CQC rating inadequate"))
    if enforcement_pending:
        failures.append(GateFailure(ProviderGate.ENFORCEMENT_PENDING, "enforcement action pending"))
    return failures
