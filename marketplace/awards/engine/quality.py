"""The provider quality ranking (docs/design.md 4.8), pure.

A provider's score with one commissioner is the weighted mean of ten factor scores, each 0 to 100
(`quality_factors.py`: their formulas and neutral values), with the commissioner's weights
(DEFAULT_QUALITY_WEIGHTS unless configured). It is computed
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

from marketplace.awards.engine import quality_factors as factors
from marketplace.awards.engine.phrases import shown, two_places
from marketplace.awards.engine.values import BidFacts

# The factors in the order they are shown, with their default weights: today's five (a
# commissioner who configures nothing is ranked as before) and the five added with the quality
# records at 0, for each commissioner to weigh (docs/design.md 4.8).
DEFAULT_QUALITY_WEIGHTS: Mapping[str, int] = {
    "cqc_rating": 40,
    "response_rate": 20,
    "hand_backs": 15,
    "late_starts": 10,
    "quality_monitoring": 15,
    "tender_score": 0,
    "turn_downs": 0,
    "safeguarding": 0,
    "complaints": 0,
    "compliments": 0,
}
QUALITY_FACTORS: tuple[str, ...] = tuple(DEFAULT_QUALITY_WEIGHTS)
CQC_RATING_SCORES = factors.CQC_RATING_SCORES
NEUTRAL = factors.NEUTRAL


@dataclass(frozen=True)
class QualityInputs:
    """What the ranking looks at for one provider with one commissioner, over the window (the
    last 6 months) unless said otherwise. None means "not recorded": never read as zero.

    - invitations: invitations to the commissioner's call-offs whose deadline passed in the
      window (cancelled ones left out); responses: how many of them got a bid or a decline;
      declines: how many were declined.
    - care_awarded, hand_backs; care_started, late_starts: the care domain's counts.
    - monitoring_scores: the scores of the commissioner's monitoring visits in the window.
    - tender_score: recorded at admission, whenever that was.
    - safeguarding_concerns (substantiated), upheld_complaints, compliments: in the window.
    """

    cqc_rating: str | None
    invitations: int = 0
    responses: int = 0
    declines: int = 0
    care_awarded: int | None = None
    hand_backs: int | None = None
    care_started: int | None = None
    late_starts: int | None = None
    monitoring_scores: tuple[int, ...] = ()
    tender_score: int | None = None
    safeguarding_concerns: int = 0
    upheld_complaints: int = 0
    compliments: int = 0


@dataclass(frozen=True)
class QualityFactor:
    """One factor's score (0 to 100, `value` shown to two places, `exact` as computed), its weight,
    the words that explain it, and whether it rests on records (False: "no records yet", scored
    at its neutral value)."""

    name: str
    weight: int
    value: Decimal
    explanation: str
    exact: Fraction
    recorded: bool = True


@dataclass(frozen=True)
class QualityScore:
    """The quality ranking score (`score` shown to two places, `exact` as computed) and its
    factor breakdown, shown wherever the rank decides something."""

    score: Decimal
    exact: Fraction
    factors: tuple[QualityFactor, ...]


def _weights(weights: Mapping[str, int] | None) -> dict[str, int]:
    unknown = set(weights or {}) - set(DEFAULT_QUALITY_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown quality factors: {', '.join(sorted(unknown))}")
    chosen = {**DEFAULT_QUALITY_WEIGHTS, **(weights or {})}
    if any(weight < 0 for weight in chosen.values()) or sum(chosen.values()) == 0:
        raise ValueError("quality weights are not negative and not all zero")
    return chosen


def factor_scores(inputs: QualityInputs) -> dict[str, factors.Found]:
    """Every factor's (score, words, recorded), in the order of QUALITY_FACTORS."""
    return {
        "cqc_rating": factors.cqc_rating_factor(inputs.cqc_rating),
        "response_rate": factors.response_rate_factor(inputs.invitations, inputs.responses),
        "hand_backs": factors.hand_backs_factor(inputs.hand_backs, inputs.care_awarded),
        "late_starts": factors.late_starts_factor(inputs.late_starts, inputs.care_started),
        "quality_monitoring": factors.quality_monitoring_factor(inputs.monitoring_scores),
        "tender_score": factors.tender_score_factor(inputs.tender_score),
        "turn_downs": factors.turn_downs_factor(inputs.declines, inputs.invitations),
        "safeguarding": factors.safeguarding_factor(inputs.safeguarding_concerns),
        "complaints": factors.complaints_factor(inputs.upheld_complaints),
        "compliments": factors.compliments_factor(inputs.compliments),
    }


def quality_score(inputs: QualityInputs, weights: Mapping[str, int] | None = None) -> QualityScore:
    """The provider quality ranking score is the weighted mean of the factor scores with the
    commissioner's weights (DEFAULT_QUALITY_WEIGHTS when None; a factor left out keeps its
    default weight)."""
    chosen = _weights(weights)
    found = factor_scores(inputs)
    ranked = tuple(
        QualityFactor(
            name, chosen[name], two_places(value), f"{words}: {shown(value)}", value, recorded
        )
        for name, (value, words, recorded) in found.items()
    )
    exact = sum((f.weight * f.exact for f in ranked), Fraction(0)) / sum(chosen.values())
    return QualityScore(two_places(exact), exact, ranked)


def quality_order_key(
    score: Decimal | Fraction | int, admitted_at: datetime | None, provider_id: UUID | str
) -> tuple[Any, ...]:
    """Sort key of the quality ranking, best first: higher score, then earlier admission to the
    lot (never admitted last), then provider id as text, so that it is a total order."""
    admission = (0, admitted_at) if admitted_at is not None else (1,)
    return (negated_score(score), admission, str(provider_id))


def negated_score(score: Decimal | Fraction | int) -> Decimal | Fraction:
    """-score, exactly: a finite Decimal is negated as a Decimal (Decimals, Fractions and ints
    compare exactly with each other, so the order is the same) and spares a Fraction per bid."""
    if isinstance(score, Decimal) and score.is_finite():
        return score.copy_negate()
    return -Fraction(score)


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
