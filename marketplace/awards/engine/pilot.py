"""Pilot awards (docs/design.md 4.7), pure.

Per area: quality% is the question-weighted mean of the evaluators' mean score per question; an
offer scoring below the minimum quality is excluded; price% = 100 * the lowest compliant rate in
the area / the offer's rate; total = (quality_weight * quality% + price_weight * price%) / 100.
All exact (Fraction), shown to two places. In each area offers rank by higher total, then better
provider quality rank, then earlier receipt, then bid id.

The award is the best assignment of offers to areas: see `pilot_assignment`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import Any, Protocol, TypeVar
from uuid import UUID

from marketplace.admissions.rules import GateFailure
from marketplace.awards.engine.gates import BidGate
from marketplace.awards.engine.phrases import counted, excluded_because, listed, shown
from marketplace.awards.engine.pilot_assignment import AreaCandidate, best_assignment
from marketplace.awards.engine.quality import bid_quality_key, quality_ahead, quality_behind
from marketplace.awards.engine.values import AreaOffer, Assessment, BidFacts, CallOffTerms, Question
from marketplace.tenders.call_offs.envelope import round_half_up

AWAITING_SCORES = "awaiting quality scores"


def quality_percent(
    questions: Sequence[Question], scores: Sequence[Mapping[str, int]]
) -> Fraction | None:
    """Quality% is the mean of the evaluators' scores for each question, averaged with the
    questions' weights; None until at least one evaluator has scored and every evaluator has
    scored every question."""
    weights = [(question.id, question.weight) for question in questions]
    total_weight = sum(weight for _, weight in weights)
    weighted = _weighted_sum(weights, total_weight, scores)
    # sum(weight * sum of its scores / evaluators) / total weight, as one exact fraction.
    return None if weighted is None else Fraction(weighted, len(scores) * total_weight)


def _weighted_sum(
    weights: Sequence[tuple[str, int]], total_weight: int, scores: Sequence[Mapping[str, int]]
) -> int | None:
    """The sum over the questions of weight * the sum of its scores; None until at least one
    evaluator has scored and every evaluator has scored every question."""
    if total_weight <= 0:
        raise ValueError("a pilot needs at least one question with a weight")
    if not scores:
        return None
    for sheet in scores:
        for question_id, _ in weights:
            if question_id not in sheet:
                return None
    weighted = 0
    for question_id, weight in weights:
        subtotal = 0
        for sheet in scores:
            subtotal += sheet[question_id]
        weighted += weight * subtotal
    return weighted


def price_percent(lowest_rate_pence: int, rate_pence: int) -> Fraction:
    """Price% = 100 * the lowest compliant rate in the area / the offer's rate."""
    return Fraction(100 * lowest_rate_pence, rate_pence)


def total_score(terms: CallOffTerms, quality: Fraction, price: Fraction) -> Fraction:
    """Total = (quality_weight * quality% + price_weight * price%) / 100."""
    # The same exact fraction, built once from whole numbers.
    q, p = quality.denominator, price.denominator
    return Fraction(
        terms.quality_weight * quality.numerator * p + terms.price_weight * price.numerator * q,
        100 * q * p,
    )


class _Offer:
    """One offer of a pilot bid in its area as the evaluation finds it: its gates, and its scores
    (set once its area's offers are priced) with their two-place texts. `rough` is the total as
    a float, which orders as the exact totals do wherever two differ (see `_in_rank_order`)."""

    __slots__ = (
        "area_code",
        "bid",
        "exclusions",
        "price",
        "price_text",
        "quality",
        "quality_text",
        "rate",
        "rough",
        "total",
        "total_text",
    )

    def __init__(
        self,
        bid: BidFacts,
        area_code: str,
        rate: int,
        exclusions: tuple[GateFailure, ...],
        quality: Fraction | None,
        quality_text: str,
    ) -> None:
        self.bid, self.area_code, self.rate = bid, area_code, rate
        self.exclusions, self.quality, self.quality_text = exclusions, quality, quality_text
        self.price: Fraction | None = None
        self.total: Fraction | None = None
        self.rough = 0.0
        self.price_text = self.total_text = ""

    def rank_key(self) -> tuple[Any, ...]:
        """The rank key of its candidate (`AreaCandidate.rank_key`)."""
        assert self.total is not None, "only a scored, compliant offer is ranked"
        bid = self.bid
        return (-self.total, bid_quality_key(bid), bid.received_at, str(bid.bid_id))

    @property
    def candidate(self) -> AreaCandidate:
        assert self.total is not None, "only a scored, compliant offer is a candidate"
        bid = self.bid
        return AreaCandidate(
            self.area_code,
            bid.bid_id,
            bid.provider_id,
            self.total,
            bid_quality_key(bid),
            bid.received_at,
        )

    def below(self, other: _Offer) -> bool:
        """Whether its total is lower than `other`'s (both scored): on the floats unless equal."""
        assert self.total is not None and other.total is not None
        if self.rough != other.rough:
            return self.rough < other.rough
        return self.total < other.total

    def level_with(self, other: _Offer) -> bool:
        """Whether its total equals `other`'s (both scored)."""
        return self.rough == other.rough and self.total == other.total


class _Ranks(Protocol):
    """What `_in_rank_order` ranks by: the total as a float, and the exact rank key."""

    @property
    def rough(self) -> float: ...

    def rank_key(self) -> tuple[Any, ...]: ...


Payload = TypeVar("Payload")
Ranked = TypeVar("Ranked", bound=_Ranks)


def _in_rank_order(keyed: list[tuple[Ranked, Payload]]) -> list[tuple[Ranked, Payload]]:
    """The pairs sorted by their first items' rank keys. Sorted on the totals as floats first:
    float() of a Fraction is correctly rounded, so a higher total never has a lower float, and
    where the floats differ they order as the exact totals do; each run of equal floats is then
    sorted by the exact key. Both sorts are stable, so the order is exactly that of sorting by
    the rank key, with far fewer Fraction comparisons."""
    roughs = [(pair[0].rough, pair) for pair in keyed]
    roughs.sort(key=itemgetter(0), reverse=True)  # stable: equal floats keep their order
    ordered: list[tuple[Ranked, Payload]] = []
    for _, run in groupby(roughs, key=itemgetter(0)):
        pairs = [pair for _, pair in run]
        ordered += sorted(pairs, key=lambda pair: pair[0].rank_key()) if len(pairs) > 1 else pairs
    return ordered


class _Scorer:
    """The quality% of each offer of one pilot (as `quality_percent`, the questions read once) with
    its text and the minimum-quality gate it fails, if any, made once per distinct weighted sum
    of scores and number of evaluators."""

    def __init__(self, terms: CallOffTerms) -> None:
        self.terms = terms
        self.questions = [(question.id, question.weight) for question in terms.questions]
        self.total_weight = sum(question.weight for question in terms.questions)
        self.found: dict[tuple[int, int], tuple[Fraction, str, GateFailure | None]] = {}

    def gated(self, bid: BidFacts, offer: AreaOffer, gates: tuple[GateFailure, ...]) -> _Offer:
        scores = offer.scores
        weighted = _weighted_sum(self.questions, self.total_weight, scores) if scores else None
        if weighted is None:
            return _Offer(bid, offer.area_code, offer.hourly_rate_pence, gates, None, "")
        key = (weighted, len(scores))
        found = self.found.get(key)
        if found is None:
            quality = Fraction(weighted, len(scores) * self.total_weight)
            text, minimum, failure = shown(quality), self.terms.min_quality_percent, None
            if _below(quality, minimum):
                below = f"scored {text}% for quality, below the minimum of {minimum}%"
                failure = GateFailure(BidGate.BELOW_MIN_QUALITY, below)
            found = self.found[key] = (quality, text, failure)
        quality, text, failure = found
        if failure is not None:
            gates = (*gates, failure)
        return _Offer(bid, offer.area_code, offer.hourly_rate_pence, gates, quality, text)


def _below(quality: Fraction, minimum: int) -> bool:
    """quality < minimum, in whole numbers for a whole minimum (a Fraction's denominator is
    positive)."""
    if type(minimum) is int:
        return quality.numerator < minimum * quality.denominator
    return quality < minimum


def _priced(terms: CallOffTerms, offers: list[_Offer]) -> list[_Offer]:
    """Price% and total of each compliant offer of one area (an unscored one gets no total), with
    their texts; the price% of each distinct rate worked out once."""
    lowest = min((offer.rate for offer in offers if not offer.exclusions), default=None)
    prices: dict[int, tuple[Fraction, str]] = {}
    for offer in offers:
        if not offer.exclusions:
            assert lowest is not None, "a compliant offer's rate is among the rates"
            known = prices.get(offer.rate)
            if known is None:
                price = price_percent(lowest, offer.rate)
                known = prices[offer.rate] = (price, shown(price))
            offer.price, offer.price_text = known
            if offer.quality is not None:
                total = offer.total = total_score(terms, offer.quality, offer.price)
                offer.rough, offer.total_text = float(total), shown(total)
    return offers


def _tie_behind(bid: BidFacts, winner: BidFacts) -> str:
    if bid_quality_key(bid) != bid_quality_key(winner):
        return quality_behind(bid, winner)
    if bid.received_at != winner.received_at:
        return "received after the winning bid"
    return "placed after the winning bid by bid reference, the last tie-break"


def _tie_ahead(winner: BidFacts, other: BidFacts) -> str:
    if bid_quality_key(winner) != bid_quality_key(other):
        return quality_ahead(winner, other)
    if winner.received_at != other.received_at:
        return "receipt time (received earlier)"
    return "bid reference, the last tie-break"


def _winner_reason(terms: CallOffTerms, offer: _Offer, rank: int, ranked: list[_Offer]) -> str:
    assert offer.total is not None and offer.quality is not None and offer.price is not None
    code, count = offer.area_code, len(ranked)
    scores = f"{offer.total_text} (quality {offer.quality_text}%, price {offer.price_text}%)"
    if count == 1:
        return f"the only compliant bid in {code}, with a total score of {scores}"
    if rank > 1:
        limit = counted(terms.max_areas_per_provider, "area")
        return (
            f"awarded {code} with a total score of {scores}, ranked {rank} of {count}: the "
            f"higher-ranked providers win other areas, up to {limit} each, and this assignment "
            "gives the highest combined score"
        )
    head = f"highest total score in {code}, {scores}, among {counted(count, 'compliant bid')}"
    if not ranked[1].level_with(offer):
        return head
    ahead = _tie_ahead(offer.bid, ranked[1].bid)
    return f"{head}; level on total score with the next-ranked bid and ahead on {ahead}"


def _loser_reason(
    terms: CallOffTerms, offer: _Offer, rank: int, winner: _Offer | None, elsewhere: list[str]
) -> str:
    assert offer.total is not None
    total = offer.total_text
    if winner is not None and winner.total is not None and offer.below(winner):
        return f"total score {total} against the winner's {winner.total_text}"
    if elsewhere:
        against = "" if winner is None else f" (the winner's is {winner.total_text})"
        limit = counted(terms.max_areas_per_provider, "area")
        return (
            f"ranked {rank} in {offer.area_code} with a total score of {total}{against}, but "
            f"awarded {listed(elsewhere)} instead: a provider may win at most {limit}, and this "
            "assignment gives the highest combined score"
        )
    if winner is not None:
        return f"the same total score as the winner ({total}); {_tie_behind(offer.bid, winner.bid)}"
    return "not awarded: this assignment of bids to areas gives the highest combined score"


class _Figures:
    """Each offer's figures; an area's hours, the weekly cost of each distinct rate in an area
    and the display of each distinct quality ranking score are worked out once."""

    def __init__(self, terms: CallOffTerms) -> None:
        self.terms = terms
        self.weekly: dict[tuple[str, int], int | None] = {}
        self.scores: dict[Decimal, str] = {}
        self.hours = {area.area_code: area.weekly_hours for area in reversed(terms.pilot_areas)}

    def of(self, offer: _Offer) -> dict[str, str | int | None]:
        key = (offer.area_code, offer.rate)
        weekly = self.weekly.get(key, 0)
        if weekly == 0:
            hours = self.hours.get(offer.area_code)  # of the first area with the code
            weekly = self.weekly[key] = (
                None if hours is None else round_half_up(Decimal(offer.rate) * hours)
            )
        score = offer.bid.quality_score
        shown_score = self.scores.get(score)
        if shown_score is None:
            shown_score = self.scores[score] = shown(score)
        scored = offer.total is not None
        return {
            "hourly_rate_pence": offer.rate,
            "weekly_cost_pence": weekly,
            "quality_percent": None if offer.quality is None else offer.quality_text,
            "price_percent": None if offer.price is None else offer.price_text,
            "total_score": offer.total_text if scored else None,
            "quality_score": shown_score,
            "received_at": offer.bid.received_at.isoformat(),
        }


def _receipt_key(offer: _Offer) -> tuple[datetime, str]:
    return (offer.bid.received_at, str(offer.bid.bid_id))


def _provisional_reason(offer: _Offer, rank: int, count: int) -> str:
    return (
        f"total score {offer.total_text} in {offer.area_code}, provisionally ranked "
        f"{rank} of {count} scored so far; the award waits for every bid's quality scores"
    )


def _assess_area(
    terms: CallOffTerms,
    offers: list[_Offer],
    ranked: list[_Offer],
    awarded: Mapping[str, AreaCandidate] | None,
    figures: _Figures,
) -> list[Assessment]:
    """Ranked offers first, then those awaiting scores, then the excluded (each by receipt)."""
    won = None if awarded is None or not ranked else awarded.get(ranked[0].area_code)
    winner = next((o for o in ranked if won is not None and o.bid.bid_id == won.bid_id), None)
    # The areas each provider is awarded, in the order of the award.
    areas_won: dict[Any, list[str]] = {}
    for code, candidate in (awarded or {}).items():
        areas_won.setdefault(candidate.provider_id, []).append(code)
    assessments = []
    for rank, offer in enumerate(ranked, start=1):
        if awarded is None:
            reason = _provisional_reason(offer, rank, len(ranked))
        elif offer is winner:
            reason = _winner_reason(terms, offer, rank, ranked)
        else:
            won_by_provider = areas_won.get(offer.bid.provider_id, ())
            elsewhere = [code for code in won_by_provider if code != offer.area_code]
            reason = _loser_reason(terms, offer, rank, winner, elsewhere)
        assessments.append(
            Assessment.of(
                offer.bid, offer.area_code, rank, offer is winner, (), figures.of(offer), reason
            )
        )
    for offer in sorted(
        (o for o in offers if not o.exclusions and o.total is None), key=_receipt_key
    ):
        assessments.append(
            Assessment.of(
                offer.bid, offer.area_code, None, False, (), figures.of(offer), AWAITING_SCORES
            )
        )
    for offer in sorted((o for o in offers if o.exclusions), key=_receipt_key):
        reason = excluded_because(offer.exclusions)
        assessments.append(
            Assessment.of(
                offer.bid, offer.area_code, None, False, offer.exclusions, figures.of(offer), reason
            )
        )
    return assessments


def _shortlisted(ranked: list[_Offer], size: int) -> list[_Offer]:
    """The best-ranked offer of each of the `size` best-ranked providers (what
    `best_assignment` keeps of an area's candidates; only these can be awarded)."""
    kept: list[_Offer] = []
    for offer in ranked:
        if len(kept) == size:
            break
        if all(other.bid.provider_id != offer.bid.provider_id for other in kept):
            kept.append(offer)
    return kept


def assess_pilot(
    terms: CallOffTerms,
    bids: Sequence[BidFacts],
    gates: Mapping[tuple[UUID, str | None], tuple[GateFailure, ...]],
) -> tuple[list[Assessment], bool]:
    """Every offer of every pilot bid is assessed in its area (`gates` holds each offer's failed
    gates keyed by bid id and area code, or by None for a bid offering no area), grouped by area
    in the terms' order; the award, `best_assignment`, is made only once every compliant offer is
    scored, which the second value says."""
    gated = _Scorer(terms).gated
    offers = [
        gated(bid, offer, gates[(bid.bid_id, offer.area_code)])
        for bid in bids
        for offer in bid.areas
    ]
    complete = all(offer.quality is not None for offer in offers if not offer.exclusions)
    codes = [area.area_code for area in terms.pilot_areas]
    codes += sorted({offer.area_code for offer in offers} - set(codes))
    grouped: dict[str, list[_Offer]] = {code: [] for code in codes}
    for offer in offers:
        grouped[offer.area_code].append(offer)
    by_area = {code: _priced(terms, grouped[code]) for code in codes}
    ranked: dict[str, list[_Offer]] = {}
    for code, group in by_area.items():
        keyed = _in_rank_order([(offer, offer) for offer in group if offer.total is not None])
        ranked[code] = [offer for offer, _ in keyed]
    awarded = None
    if complete:
        pilot_codes = [area.area_code for area in terms.pilot_areas]
        # Only the shortlisted can be awarded: the assignment is made among them alone.
        candidates = [
            offer.candidate
            for group in ranked.values()
            for offer in _shortlisted(group, len(pilot_codes))
        ]
        awarded = best_assignment(pilot_codes, candidates, terms.max_areas_per_provider)
    figures = _Figures(terms)
    assessments = []
    for code in codes:
        assessments += _assess_area(terms, by_area[code], ranked[code], awarded, figures)
    for bid in sorted(bids, key=lambda bid: (bid.received_at, str(bid.bid_id))):
        if not bid.areas:
            failures, received = (
                gates[(bid.bid_id, None)],
                {"received_at": bid.received_at.isoformat()},
            )
            reason = excluded_because(failures)
            assessments.append(Assessment.of(bid, None, None, False, failures, received, reason))
    return assessments, complete
