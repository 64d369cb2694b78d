"""The provider quality ranking (docs/design.md 4.8), pure.

A provider's score with one commissioner is the weighted mean of five factor scores, each 0 to 100,
with the commissioner's weights (DEFAULT_QUALITY_WEIGHTS unless configured). It is computed
exactly as a Fraction and shown rounded half-up to two places. Better rank = higher score, then
earlier admission to the lot, then provider id: a total order, so no tie depends on input order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from marketplace.awards.engine.phrases import counted, shown, two_places
from marketplace.awards.engine.values import BidFacts

DEFAULT_QUALITY_WEIGHTS: Mapping[str, int] = {
    "cqc_rating": 40,
    "response_rate": 20,
    "hand_backs": 15,
    "late_starts": 10,
    "quality_monitoring": 15,
}
CQC_RATING_SCORES: Mapping[str, int] = {
    "outstanding": 100,
    "good": 75,
    "not_yet_rated": 50,
    "requires_improvement": 25,
    "inadequate": 0,
}
# A factor with nothing to go on (no invitations, no monitoring visit) scores midway.
NOTHING_TO_GO_ON = Fraction(50)
PENALTY_PER_EVENT = 20


@dataclass(frozen=True)
class QualityInputs:
    """What the ranking looks at for one provider with one commissioner (counts over the last
    6 months; `monitoring_score` is the latest quality-monitoring visit's score, 0 to 100)."""

    cqc_rating: str | None
    invitations: int
    bids: int
    hand_backs: int
    late_starts: int
    monitoring_score: int | None


@dataclass(frozen=True)
class QualityFactor:
    """One factor's score (0 to 100, `value` shown to two places, `exact` as computed), its weight
    and the words that explain it."""

    name: str
    weight: int
    value: Decimal
    explanation: str
    exact: Fraction


@dataclass(frozen=True)
class QualityScore:
    """The quality ranking score (`score` shown to two places, `exact` as computed) and its
    factor breakdown, shown wherever the rank decides something."""

    score: Decimal
    exact: Fraction
    factors: tuple[QualityFactor, ...]


def cqc_rating_factor(rating: str | None) -> tuple[Fraction, str]:
    """CQC rating scores outstanding 100, good 75, not yet rated (or no rating) 50, requires
    improvement 25 and inadequate 0 (an inadequate provider fails the gates anyway)."""
    key = rating or "not_yet_rated"
    if key not in CQC_RATING_SCORES:
        raise ValueError(f"unknown CQC rating {rating!r}")
    words = "no CQC rating yet" if rating is None else f"CQC rating {key.replace('_', ' ')}"
    return Fraction(CQC_RATING_SCORES[key]), words


def response_rate_factor(invitations: int, bids: int) -> tuple[Fraction, str]:
    """Response rate scores 100 * bids submitted / invitations received in the last 6 months (at
    most 100); with no invitations it scores 50."""
    if invitations < 0 or bids < 0:
        raise ValueError("invitations and bids cannot be negative")
    if invitations == 0:
        return NOTHING_TO_GO_ON, "no invitations in the last 6 months"
    value = min(Fraction(100 * bids, invitations), Fraction(100))
    return value, f"bid for {bids} of {counted(invitations, 'invitation')} in the last 6 months"


def _penalised(events: int) -> Fraction:
    if events < 0:
        raise ValueError("a count of events cannot be negative")
    return Fraction(max(0, 100 - PENALTY_PER_EVENT * events))


def hand_backs_factor(hand_backs: int) -> tuple[Fraction, str]:
    """Hand-backs score 100 - 20 per package handed back in the last 6 months, not below 0."""
    words = f"{counted(hand_backs, 'package')} handed back in the last 6 months"
    return _penalised(hand_backs), words.replace("0 packages", "no packages", 1)


def late_starts_factor(late_starts: int) -> tuple[Fraction, str]:
    """Late starts score 100 - 20 per start later than the promised mobilisation date in the last
    6 months, not below 0."""
    words = f"{counted(late_starts, 'start')} later than promised in the last 6 months"
    return _penalised(late_starts), words.replace("0 starts", "no starts", 1)


def quality_monitoring_factor(monitoring_score: int | None) -> tuple[Fraction, str]:
    """Quality monitoring scores the commissioner's latest visit score (0 to 100); with no visit, 50."""
    if monitoring_score is None:
        return NOTHING_TO_GO_ON, "no quality-monitoring visit yet"
    if not 0 <= monitoring_score <= 100:
        raise ValueError("a quality-monitoring score is between 0 and 100")
    return Fraction(monitoring_score), f"latest quality-monitoring visit scored {monitoring_score}"


def _weights(weights: Mapping[str, int] | None) -> dict[str, int]:
    unknown = set(weights or {}) - set(DEFAULT_QUALITY_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown quality factors: {', '.join(sorted(unknown))}")
    chosen = {**DEFAULT_QUALITY_WEIGHTS, **(weights or {})}
    if any(weight < 0 for weight in chosen.values()) or sum(chosen.values()) == 0:
        raise ValueError("quality weights are not negative and not all zero")
    return chosen


def quality_score(inputs: QualityInputs, weights: Mapping[str, int] | None = None) -> QualityScore:
    """The provider quality ranking score is the weighted mean of the five factor scores with the
    commissioner's weights (DEFAULT_QUALITY_WEIGHTS when None; a factor left out keeps its
    default weight)."""
    chosen = _weights(weights)
    found = {
        "cqc_rating": cqc_rating_factor(inputs.cqc_rating),
        "response_rate": response_rate_factor(inputs.invitations, inputs.bids),
        "hand_backs": hand_backs_factor(inputs.hand_backs),
        "late_starts": late_starts_factor(inputs.late_starts),
        "quality_monitoring": quality_monitoring_factor(inputs.monitoring_score),
    }
    factors = tuple(
        QualityFactor(name, chosen[name], two_places(value), f"{words}: {shown(value)}", value)
        for name, (value, words) in found.items()
    )
    exact = sum((f.weight * f.exact for f in factors), Fraction(0)) / sum(chosen.values())
    return QualityScore(two_places(exact), exact, factors)


def quality_order_key(
    score: Decimal | Fraction | int, admitted_at: datetime | None, provider_id: UUID | str
) -> tuple[Any, ...]:
    """Sort key of the quality ranking, best first: higher score, then earlier admission to the
    lot (never admitted last), then provider id as text, so that it is a total order."""
    admission = (0, admitted_at) if admitted_at is not None else (1,)
    return (-Fraction(score), admission, str(provider_id))


def bid_quality_key(bid: BidFacts) -> tuple[Any, ...]:
    """The quality ranking sort key of a bid's provider."""
    return quality_order_key(bid.quality_score, bid.admitted_at, bid.provider_id)


def quality_behind(bid: BidFacts, winner: BidFacts) -> str:
    """Why a bid is placed after the winner on the provider quality ranking."""
    if Fraction(bid.quality_score) != Fraction(winner.quality_score):
        return (
            f"lower in the provider quality ranking "
            f"({shown(bid.quality_score)} against {shown(winner.quality_score)})"
        )
    level = f"level on provider quality score ({shown(bid.quality_score)})"
    if bid.admitted_at != winner.admitted_at:
        return f"{level} but admitted to the lot later than the winner"
    return f"{level} and admission to the lot; placed after the winner by provider reference"


def quality_ahead(winner: BidFacts, other: BidFacts) -> str:
    """How the winner is ahead of another bid on the provider quality ranking."""
    ours, theirs = shown(winner.quality_score), shown(other.quality_score)
    if Fraction(winner.quality_score) != Fraction(other.quality_score):
        return f"the provider quality ranking ({ours} against {theirs})"
    if winner.admitted_at != other.admitted_at:
        return f"the provider quality ranking (level scores of {ours}, admitted to the lot earlier)"
    return "the provider quality ranking (level scores and admission, by provider reference)"


def quality_level(bid: BidFacts) -> str:
    """A bid level with the winner on the provider quality ranking (the same provider)."""
    return f"level with the winner in the provider quality ranking ({shown(bid.quality_score)})"
