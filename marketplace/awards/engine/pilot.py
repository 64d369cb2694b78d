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
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
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
    total_weight = sum(question.weight for question in questions)
    if total_weight <= 0:
        raise ValueError("a pilot needs at least one question with a weight")
    if not scores or any(question.id not in sheet for sheet in scores for question in questions):
        return None
    # sum(weight * sum of its scores / evaluators) / total weight, as one exact fraction.
    weighted = sum(q.weight * sum(sheet[q.id] for sheet in scores) for q in questions)
    return Fraction(weighted, len(scores) * total_weight)


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


@dataclass(frozen=True)
class _Offer:
    bid: BidFacts
    area_code: str
    rate: int
    exclusions: tuple[GateFailure, ...]
    quality: Fraction | None
    price: Fraction | None = None
    total: Fraction | None = None

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


def _in_rank_order(keyed: list[tuple[AreaCandidate, _Offer]]) -> list[tuple[AreaCandidate, _Offer]]:
    """The offers sorted by their candidates' rank keys. Sorted on the totals as floats first:
    float() of a Fraction is correctly rounded, so a higher total never has a lower float, and
    where the floats differ they order as the exact totals do; each run of equal floats is then
    sorted by the exact key. Both sorts are stable, so the order is exactly that of sorting by
    the rank key, with far fewer Fraction comparisons."""
    keyed.sort(key=lambda pair: -float(pair[0].total))
    ordered: list[tuple[AreaCandidate, _Offer]] = []
    for _, run in groupby(keyed, key=lambda pair: float(pair[0].total)):
        ordered += sorted(run, key=lambda pair: pair[0].rank_key())
    return ordered


def _gated(
    terms: CallOffTerms, bid: BidFacts, offer: AreaOffer, gates: tuple[GateFailure, ...]
) -> _Offer:
    quality = quality_percent(terms.questions, offer.scores) if offer.scores else None
    if quality is not None and quality < terms.min_quality_percent:
        minimum = terms.min_quality_percent
        below = f"scored {shown(quality)}% for quality, below the minimum of {minimum}%"
        gates = (*gates, GateFailure(BidGate.BELOW_MIN_QUALITY, below))
    return _Offer(bid, offer.area_code, offer.hourly_rate_pence, gates, quality)


def _priced(terms: CallOffTerms, offers: list[_Offer]) -> list[_Offer]:
    """Price% and total of each compliant offer of one area (an unscored one gets no total)."""
    lowest = min((offer.rate for offer in offers if not offer.exclusions), default=None)
    priced = []
    for offer in offers:
        if not offer.exclusions:
            assert lowest is not None, "a compliant offer's rate is among the rates"
            price = price_percent(lowest, offer.rate)
            total = None if offer.quality is None else total_score(terms, offer.quality, price)
            offer = replace(offer, price=price, total=total)
        priced.append(offer)
    return priced


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
    scores = f"{shown(offer.total)} (quality {shown(offer.quality)}%, price {shown(offer.price)}%)"
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
    if ranked[1].total != offer.total:
        return head
    ahead = _tie_ahead(offer.bid, ranked[1].bid)
    return f"{head}; level on total score with the next-ranked bid and ahead on {ahead}"


def _loser_reason(
    terms: CallOffTerms, offer: _Offer, rank: int, winner: _Offer | None, elsewhere: list[str]
) -> str:
    assert offer.total is not None
    total = shown(offer.total)
    if winner is not None and winner.total is not None and offer.total < winner.total:
        return f"total score {total} against the winner's {shown(winner.total)}"
    if elsewhere:
        against = "" if winner is None else f" (the winner's is {shown(winner.total or 0)})"
        limit = counted(terms.max_areas_per_provider, "area")
        return (
            f"ranked {rank} in {offer.area_code} with a total score of {total}{against}, but "
            f"awarded {listed(elsewhere)} instead: a provider may win at most {limit}, and this "
            "assignment gives the highest combined score"
        )
    if winner is not None:
        return f"the same total score as the winner ({total}); {_tie_behind(offer.bid, winner.bid)}"
    return "not awarded: this assignment of bids to areas gives the highest combined score"


def _figures(terms: CallOffTerms, offer: _Offer) -> dict[str, str | int | None]:
    area = terms.area(offer.area_code)
    weekly = None if area is None else round_half_up(Decimal(offer.rate) * area.weekly_hours)
    return {
        "hourly_rate_pence": offer.rate,
        "weekly_cost_pence": weekly,
        "quality_percent": None if offer.quality is None else shown(offer.quality),
        "price_percent": None if offer.price is None else shown(offer.price),
        "total_score": None if offer.total is None else shown(offer.total),
        "quality_score": shown(offer.bid.quality_score),
        "received_at": offer.bid.received_at.isoformat(),
    }


def _assessment(
    terms: CallOffTerms, offer: _Offer, rank: int | None, winner: bool, reason: str
) -> Assessment:
    figures = _figures(terms, offer)
    return Assessment.of(
        offer.bid, offer.area_code, rank, winner, offer.exclusions, figures, reason
    )


def _receipt_key(offer: _Offer) -> tuple[datetime, str]:
    return (offer.bid.received_at, str(offer.bid.bid_id))


def _reason(
    terms: CallOffTerms,
    offer: _Offer,
    rank: int,
    ranked: list[_Offer],
    winner: _Offer | None,
    awarded: Mapping[str, AreaCandidate],
) -> str:
    if offer is winner:
        return _winner_reason(terms, offer, rank, ranked)
    elsewhere = [
        code
        for code, won in awarded.items()
        if won.provider_id == offer.bid.provider_id and code != offer.area_code
    ]
    return _loser_reason(terms, offer, rank, winner, elsewhere)


def _provisional_reason(offer: _Offer, rank: int, count: int) -> str:
    return (
        f"total score {shown(offer.total or 0)} in {offer.area_code}, provisionally ranked "
        f"{rank} of {count} scored so far; the award waits for every bid's quality scores"
    )


def _assess_area(
    terms: CallOffTerms,
    offers: list[_Offer],
    ranked: list[_Offer],
    awarded: Mapping[str, AreaCandidate] | None,
) -> list[Assessment]:
    """Ranked offers first, then those awaiting scores, then the excluded (each by receipt)."""
    won = None if awarded is None or not ranked else awarded.get(ranked[0].area_code)
    winner = next((o for o in ranked if won is not None and o.bid.bid_id == won.bid_id), None)
    assessments = []
    for rank, offer in enumerate(ranked, start=1):
        reason = (
            _provisional_reason(offer, rank, len(ranked))
            if awarded is None
            else _reason(terms, offer, rank, ranked, winner, awarded)
        )
        assessments.append(_assessment(terms, offer, rank, offer is winner, reason))
    for offer in sorted(
        (o for o in offers if not o.exclusions and o.total is None), key=_receipt_key
    ):
        assessments.append(_assessment(terms, offer, None, False, AWAITING_SCORES))
    for offer in sorted((o for o in offers if o.exclusions), key=_receipt_key):
        reason = excluded_because(offer.exclusions)
        assessments.append(_assessment(terms, offer, None, False, reason))
    return assessments


def assess_pilot(
    terms: CallOffTerms,
    bids: Sequence[BidFacts],
    gates: Mapping[tuple[UUID, str | None], tuple[GateFailure, ...]],
) -> tuple[list[Assessment], bool]:
    """Every offer of every pilot bid is assessed in its area (`gates` holds each offer's failed
    gates keyed by bid id and area code, or by None for a bid offering no area), grouped by area
    in the terms' order; the award, `best_assignment`, is made only once every compliant offer is
    scored, which the second value says."""
    offers = [
        _gated(terms, bid, offer, gates[(bid.bid_id, offer.area_code)])
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
    candidates: list[AreaCandidate] = []
    for code, group in by_area.items():
        # Each scored offer's candidate (and its rank key) is made once.
        keyed = _in_rank_order(
            [(offer.candidate, offer) for offer in group if offer.total is not None]
        )
        ranked[code] = [offer for _, offer in keyed]
        candidates += [candidate for candidate, _ in keyed]
    awarded = None
    if complete:
        pilot_codes = [area.area_code for area in terms.pilot_areas]
        awarded = best_assignment(pilot_codes, candidates, terms.max_areas_per_provider)
    assessments = []
    for code in codes:
        assessments += _assess_area(terms, by_area[code], ranked[code], awarded)
    for bid in sorted(bids, key=lambda bid: (bid.received_at, str(bid.bid_id))):
        if not bid.areas:
            failures, figures = (
                gates[(bid.bid_id, None)],
                {"received_at": bid.received_at.isoformat()},
            )
            reason = excluded_because(failures)
            assessments.append(Assessment.of(bid, None, None, False, failures, figures, reason))
    return assessments, complete
