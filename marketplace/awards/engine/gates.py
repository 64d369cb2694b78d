"""The gates a bid must pass (docs/design.md 4.5) and the abnormally-low test, pure.

Every failed gate is one sentence naming the rule ("above the maximum price of £24.00/h"), in a
fixed order: the provider gates worked out by the caller, an altered content, then the price,
envelope, budget and mobilisation gates. A pilot bid is gated area by area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import TypeVar

from marketplace.awards.engine.phrases import long_date, per_hour
from marketplace.awards.engine.values import BidFacts, CallOffTerms
from marketplace.tenders.call_offs.envelope import within_envelope
from marketplace.units import pounds

ALTERED = "its content no longer matches its receipt"
Key = TypeVar("Key", bound=Hashable)


def bid_gate_failures(
    terms: CallOffTerms, bid: BidFacts, area_code: str | None = None
) -> tuple[str, ...]:
    """A bid is excluded for every gate it fails: its provider's gates (given, first), content
    altered since its receipt, a rate above the maximum price or outside the envelope, the
    enablement budget not accepted (enablement), or mobilisation after the latest start (cluster);
    a pilot bid is gated per area offer (`area_code`; None gates the bid as a whole)."""
    failures = [*bid.provider_failures]
    if bid.altered:
        failures.append(ALTERED)
    if terms.kind == "pilot":
        return (*failures, *_pilot_offer_failures(terms, bid, area_code))
    failures += _price_failures(terms, bid.hourly_rate_pence, terms.total_weekly_hours)
    if terms.kind == "enablement" and bid.accepts_enablement_budget is not True:
        failures.append("has not accepted the enablement budget")
    if terms.kind == "cluster":
        failures += _mobilisation_failures(terms, bid)
    return tuple(failures)


def _price_failures(
    terms: CallOffTerms, rate: int | None, weekly_hours: Decimal, area_code: str | None = None
) -> list[str]:
    if rate is None:
        return ["gives no hourly rate"]
    if rate <= 0:
        return ["does not give a positive hourly rate"]
    failures = []
    if rate > terms.max_hourly_rate_pence:
        failures.append(f"above the maximum price of {per_hour(terms.max_hourly_rate_pence)}")
    envelope = terms.envelope_weekly_pence
    if envelope is not None and not within_envelope(rate, weekly_hours, envelope):
        if area_code is None:
            failures.append(f"outside the rurality-weighted envelope of {pounds(envelope)} a week")
        else:
            failures.append(f"outside the envelope of {pounds(envelope)} a week for {area_code}")
    return failures


def _pilot_offer_failures(terms: CallOffTerms, bid: BidFacts, area_code: str | None) -> list[str]:
    if area_code is None:
        return [] if bid.areas else ["offers for none of the pilot's areas"]
    offer, area = bid.offer_for(area_code), terms.area(area_code)
    if offer is None:
        return [f"makes no offer for {area_code}"]
    if area is None:
        return [f"offers for {area_code}, which is not an area of this pilot"]
    return _price_failures(terms, offer.hourly_rate_pence, area.weekly_hours, area_code)


def _mobilisation_failures(terms: CallOffTerms, bid: BidFacts) -> list[str]:
    offered, latest = bid.mobilisation_date, terms.latest_start
    if offered is None:
        return ["gives no mobilisation date"]
    if latest is not None and offered > latest:
        return [
            f"offers to mobilise on {long_date(offered)}, after the latest start of {long_date(latest)}"
        ]
    return []


def abnormally_low_bids(rates: Mapping[Key, int]) -> frozenset[Key]:
    """A compliant rate is abnormally low when it is at least 40% below the mean of the other
    compliant rates (rate ≤ 0.6 * their mean), or at least 30% below the next-best rate, the
    closest other rate at or above it (rate ≤ 0.7 * that); it needs another compliant rate."""
    if len(rates) < 2:
        return frozenset()
    total, others = sum(rates.values()), len(rates) - 1
    # Sorted once: the next-best rate of a rate is itself when another bid offers it too, else
    # the next distinct rate above it (n log n, so 10,000 bids evaluate in well under a second).
    how_many = Counter(rates.values())
    distinct = sorted(how_many)
    next_above = dict(pairwise(distinct))
    flagged = set()
    for key, rate in rates.items():
        # Whole-number forms of rate ≤ 0.6 * mean(others) and rate ≤ 0.7 * next-best.
        below_mean = 10 * rate * others <= 6 * (total - rate)
        next_best = rate if how_many[rate] > 1 else next_above.get(rate)
        below_next = next_best is not None and 10 * rate <= 7 * next_best
        if below_mean or below_next:
            flagged.add(key)
    return frozenset(flagged)
