"""What makes a bid's own content non-compliant, pure (docs/design.md 4.5): one definition used
when a provider submits (refused, with the field named), by the live check of the bid form, and
by the award engine's gates at opening (excluded).

Each breach has a stable `code` (the award engine's `BidGate` values), the evaluation's wording
(`gate`, read after the bidder's name: "above the maximum price of £24.00/h") and the sentence
the bidder is told (`sentence`). Only what the provider's own content decides is here; the
provider gates (admission, CQC rating, blocks, enablement bar) can change before the close and
are checked then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marketplace.tenders.call_offs.envelope import round_half_up, within_envelope
from marketplace.units import long_date, pounds

ABOVE_MAX_RATE = "above_max_rate"
OUTSIDE_ENVELOPE = "outside_envelope"
MOBILISATION_AFTER_LATEST_START = "mobilisation_after_latest_start"
MOBILISATION_IN_PAST = "mobilisation_in_past"  # at submission only: the date has gone by
NOT_A_PILOT_AREA = "not_a_pilot_area"


@dataclass(frozen=True)
class Breach:
    """A rule a bid's content breaks: its code, the evaluation's words, the bidder's sentence."""

    code: str
    gate: str
    sentence: str


@dataclass(frozen=True)
class Limits:
    """What a call-off holds a bid's content to: the maximum hourly rate, the envelope in force
    (pence a week; a pilot's applies to each area), the weekly hours priced against it, a
    cluster's latest start, and a pilot's areas with their weekly hours."""

    max_hourly_rate_pence: int
    envelope_weekly_pence: int | None
    total_weekly_hours: Decimal
    latest_start: date | None = None
    pilot_area_hours: Mapping[str, Decimal] | None = None

    def weekly_hours(self, area_code: str | None) -> Decimal:
        if area_code is not None and self.pilot_area_hours is not None:
            return self.pilot_area_hours.get(area_code, Decimal(0))
        return self.total_weekly_hours


def highest_rate_within(envelope_weekly_pence: int, weekly_hours: Decimal) -> int | None:
    """The highest whole-pence hourly rate whose week is within the envelope (None without
    hours)."""
    if weekly_hours <= 0:
        return None
    rate = int(Decimal(envelope_weekly_pence) / weekly_hours) + 1
    while rate > 0 and round_half_up(Decimal(rate) * weekly_hours) > envelope_weekly_pence:
        rate -= 1
    return rate


def rate_breaches(limits: Limits, rate: int, area_code: str | None = None) -> list[Breach]:
    """A positive hourly rate breaks the maximum price when above it, and the envelope when a
    week of the hours at that rate (rounded half-up) is above it; a pilot's are per area."""
    breaches = []
    in_area = "" if area_code is None else f" in {area_code}"
    maximum = limits.max_hourly_rate_pence
    if rate > maximum:
        breaches.append(
            Breach(
                ABOVE_MAX_RATE,
                f"above the maximum price of {pounds(maximum)}/h",
                f"The hourly rate{in_area} must be {pounds(maximum)} or less: "
                f"{pounds(rate)} is above this call-off's maximum",
            )
        )
    envelope, hours = limits.envelope_weekly_pence, limits.weekly_hours(area_code)
    if envelope is not None and not within_envelope(rate, hours, envelope):
        weekly = pounds(envelope)
        highest = highest_rate_within(envelope, hours)
        breaches.append(
            Breach(
                OUTSIDE_ENVELOPE,
                f"outside the rurality-weighted envelope of {weekly} a week"
                if area_code is None
                else f"outside the envelope of {weekly} a week for {area_code}",
                f"The hourly rate{in_area} must be {pounds(highest or 0)} or less: "
                f"{pounds(rate)} for {hours} hours a week is above the envelope of {weekly} "
                "a week",
            )
        )
    return breaches


def mobilisation_breach(limits: Limits, offered: date, today: date | None = None) -> Breach | None:
    """A mobilisation date breaks the call-off's terms when after its latest start and, when
    submitted (`today` given), when it has already gone by."""
    latest = limits.latest_start
    if today is not None and offered < today:
        return Breach(
            MOBILISATION_IN_PAST,
            f"offers to mobilise on {long_date(offered)}, which has passed",
            f"The mobilisation date must be today or later: {long_date(offered)} has passed",
        )
    if latest is not None and offered > latest:
        return Breach(
            MOBILISATION_AFTER_LATEST_START,
            f"offers to mobilise on {long_date(offered)}, after the latest start of "
            f"{long_date(latest)}",
            f"The mobilisation date must be on or before the latest start of "
            f"{long_date(latest)}: {long_date(offered)} is after it",
        )
    return None


def pilot_area_breach(limits: Limits, area_code: str) -> Breach | None:
    """An offer for an area breaks a pilot's terms when the area is not one of the pilot's."""
    if limits.pilot_area_hours is None or area_code in limits.pilot_area_hours:
        return None
    return Breach(
        NOT_A_PILOT_AREA,
        f"offers for {area_code}, which is not an area of this pilot",
        f"{area_code} is not an area of this pilot: choose from "
        + ", ".join(limits.pilot_area_hours),
    )
