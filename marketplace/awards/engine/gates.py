"""The gates a bid must pass (docs/design.md 4.5) and the abnormally-low test, pure.

The rules of a bid's own content (price, envelope, mobilisation, pilot areas) are
`marketplace.bids.compliance`'s, the same that refuse a bid at submission. Every failed gate is
one sentence naming the rule ("above the maximum price of £24.00/h") with a
stable code (`BidGate`, or the caller's `ProviderGate`), in a fixed order: the provider gates
worked out by the caller, an altered content, then the price, envelope, budget and mobilisation
gates. A pilot bid is gated area by area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import TypeVar

from marketplace.admissions.rules import GateFailure
from marketplace.awards.engine.values import BidFacts, CallOffTerms
from marketplace.bids import compliance


class BidGate(StrEnum):
    """The codes of the bid gates (the provider gates' are `ProviderGate`)."""

    ALTERED = "altered"
    NO_RATE = "no_rate"
    RATE_NOT_POSITIVE = "rate_not_positive"
    ABOVE_MAX_RATE = compliance.ABOVE_MAX_RATE
    OUTSIDE_ENVELOPE = compliance.OUTSIDE_ENVELOPE
    ENABLEMENT_BUDGET_NOT_ACCEPTED = "enablement_budget_not_accepted"
    NO_MOBILISATION_DATE = "no_mobilisation_date"
    MOBILISATION_AFTER_LATEST_START = compliance.MOBILISATION_AFTER_LATEST_START
    NO_AREA_OFFERED = "no_area_offered"
    NO_OFFER_FOR_AREA = "no_offer_for_area"
    NOT_A_PILOT_AREA = compliance.NOT_A_PILOT_AREA
    BELOW_MIN_QUALITY = "below_min_quality"


ALTERED = GateFailure(BidGate.ALTERED, "its content no longer matches its receipt")
NOT_ACCEPTED_BUDGET = GateFailure(
    BidGate.ENABLEMENT_BUDGET_NOT_ACCEPTED, "has not accepted the enablement budget"
)
Key = TypeVar("Key", bound=Hashable)


def bid_gate_failures(
    terms: CallOffTerms, bid: BidFacts, area_code: str | None = None
) -> tuple[GateFailure, ...]:
    """A bid is excluded for every gate it fails: its provider's gates (given, first), content
    altered since its receipt, a rate above the maximum price or outside the envelope, the
    enablement budget not accepted (enablement), or mobilisation after the latest start (cluster);
    a pilot bid is gated per area offer (`area_code`; None gates the bid as a whole)."""
    return Gates(terms).failures(bid, area_code)


class Gates:
    """`bid_gate_failures` for the many bids of one call-off: the terms are read once, and the
    failures of each distinct rate (in each area) and mobilisation date are worked out once, as
    they depend on nothing else."""

    def __init__(self, terms: CallOffTerms) -> None:
        self.terms = terms
        self.limits = limits_of(terms)
        self._prices: dict[tuple[int | None, str | None], tuple[GateFailure, ...]] = {}
        self._dates: dict[date | None, tuple[GateFailure, ...]] = {}
        self._areas: dict[str, tuple[GateFailure, ...]] = {}  # an area not the pilot's, by code
        self._rates: dict[int | None, tuple[GateFailure, ...]] = {}  # _prices of a call-off

    def failures(self, bid: BidFacts, area_code: str | None = None) -> tuple[GateFailure, ...]:
        """The gates `bid` fails, as `bid_gate_failures` says."""
        kind = self.terms.kind
        if kind == "pilot":
            if bid.provider_failures or bid.altered:
                return (*self._provider_failures(bid), *self._pilot_offer_failures(bid, area_code))
            return self._pilot_offer_failures(bid, area_code)
        # What a bid's content fails depends on its rate, budget and date only: the price and
        # the date gates are each worked out once per distinct rate and date, and the provider's
        # gates come first when it fails any.
        rate = bid.hourly_rate_pence
        content = self._rates.get(rate)
        if content is None:
            content = self._rates[rate] = self._price_failures(rate, None)
        if kind == "enablement":
            if bid.accepts_enablement_budget is not True:
                content = (*content, NOT_ACCEPTED_BUDGET)
        elif kind == "cluster":
            day = self._mobilisation_failures(bid.mobilisation_date)
            content = (*content, *day) if content and day else content or day
        if bid.provider_failures or bid.altered:
            return (*self._provider_failures(bid), *content)
        return content

    def _provider_failures(self, bid: BidFacts) -> list[GateFailure]:
        failures = [*bid.provider_failures]
        if bid.altered:
            failures.append(ALTERED)
        return failures

    def _price_failures(self, rate: int | None, area_code: str | None) -> tuple[GateFailure, ...]:
        found = self._prices.get((rate, area_code))
        if found is None:
            found = tuple(_price_failures(self.limits, rate, area_code))
            self._prices[(rate, area_code)] = found
        return found

    def _pilot_offer_failures(
        self, bid: BidFacts, area_code: str | None
    ) -> tuple[GateFailure, ...]:
        if area_code is None:
            none = GateFailure(BidGate.NO_AREA_OFFERED, "offers for none of the pilot's areas")
            return () if bid.areas else (none,)
        offer = bid.offer_for(area_code)
        if offer is None:
            return (GateFailure(BidGate.NO_OFFER_FOR_AREA, f"makes no offer for {area_code}"),)
        outside = self._areas.get(area_code)
        if outside is None:
            breach = compliance.pilot_area_breach(self.limits, area_code)
            outside = self._areas[area_code] = (_failure(breach),) if breach else ()
        return outside or self._price_failures(offer.hourly_rate_pence, area_code)

    def _mobilisation_failures(self, day: date | None) -> tuple[GateFailure, ...]:
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = _mobilisation_failures(self.limits, day)
        return found


def _price_failures(
    limits: compliance.Limits, rate: int | None, area_code: str | None = None
) -> list[GateFailure]:
    if rate is None:
        return [GateFailure(BidGate.NO_RATE, "gives no hourly rate")]
    if rate <= 0:
        return [GateFailure(BidGate.RATE_NOT_POSITIVE, "does not give a positive hourly rate")]
    return [_failure(breach) for breach in compliance.rate_breaches(limits, rate, area_code)]


def _failure(breach: compliance.Breach) -> GateFailure:
    return GateFailure(breach.code, breach.gate)


def limits_of(terms: CallOffTerms) -> compliance.Limits:
    """The call-off's terms as the bid content rules read them (shared with submission)."""
    return compliance.Limits(
        max_hourly_rate_pence=terms.max_hourly_rate_pence,
        envelope_weekly_pence=terms.envelope_weekly_pence,
        total_weekly_hours=terms.total_weekly_hours,
        latest_start=terms.latest_start,
        pilot_area_hours={area.area_code: area.weekly_hours for area in terms.pilot_areas}
        if terms.kind == "pilot"
        else None,
    )


def _mobilisation_failures(limits: compliance.Limits, day: date | None) -> tuple[GateFailure, ...]:
    if day is None:
        return (GateFailure(BidGate.NO_MOBILISATION_DATE, "gives no mobilisation date"),)
    breach = compliance.mobilisation_breach(limits, day)
    return (_failure(breach),) if breach else ()


def abnormally_low_bids(rates: Mapping[Key, int]) -> frozenset[Key]:
    """A compliant rate is abnormally low when it is at least 40% below the mean of the other
    compliant rates (rate ≤ 0.6 * their mean), or at least 30% below the next-best rate, the
    closest other rate at or above it (rate ≤ 0.7 * that); it needs another compliant rate."""
    low = abnormally_low_rates(rates.values())
    return frozenset(key for key, rate in rates.items() if rate in low) if low else frozenset()


def abnormally_low_rates(rates: Collection[int]) -> frozenset[int]:
    """The abnormally low rates among `rates` (one per compliant bid), as `abnormally_low_bids`
    says: whether a rate is depends on the rates only, so each distinct rate is tested once."""
    if len(rates) < 2:
        return frozenset()
    total, others = sum(rates), len(rates) - 1
    # Sorted once: the next-best rate of a rate is itself when another bid offers it too, else
    # the next distinct rate above it (n log n, so 10,000 bids evaluate in well under a second).
    how_many = Counter(rates)
    distinct = sorted(how_many)
    next_above = dict(pairwise(distinct))
    flagged = set()
    for rate in distinct:
        # Whole-number forms of rate ≤ 0.6 * mean(others) and rate ≤ 0.7 * next-best.
        below_mean = 10 * rate * others <= 6 * (total - rate)
        next_best = rate if how_many[rate] > 1 else next_above.get(rate)
        below_next = next_best is not None and 10 * rate <= 7 * next_best
        if below_mean or below_next:
            flagged.add(rate)
    return frozenset(flagged)
