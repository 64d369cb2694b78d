"""Pilot rules at their boundaries (docs/design.md 4.7), pure: the quality
minimum, a single weighted question, a total score of zero, and what is recorded for offers that
cannot rank (awaiting scores, excluded, a bid offering no area). `make mutation` found these
unpinned (docs/mutation.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from marketplace.awards.engine.pilot import quality_percent
from marketplace.awards.engine.ranking import (
    AreaOffer,
    BidFacts,
    CallOffTerms,
    Evaluation,
    PilotArea,
    Question,
    evaluate,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
QUESTIONS = (Question("plan", 3), Question("staff", 1))
AREAS = {
    "DOVER": PilotArea("DOVER", Decimal("100.00")),
    "ASHFORD": PilotArea("ASHFORD", Decimal("50.00")),
}


def pilot(*codes: str, quality_weight: int = 60, min_quality_percent: int = 0) -> CallOffTerms:
    return CallOffTerms(
        kind="pilot",
        max_hourly_rate_pence=2400,
        envelope_weekly_pence=None,
        total_weekly_hours=Decimal(0),
        pilot_areas=tuple(AREAS[code] for code in codes),
        questions=QUESTIONS,
        quality_weight=quality_weight,
        price_weight=100 - quality_weight,
        min_quality_percent=min_quality_percent,
    )


def offer(code: str, rate: int, *quality: int) -> AreaOffer:
    """An offer each of whose evaluators gave every question the same score (none: unscored)."""
    return AreaOffer(code, rate, tuple({"plan": q, "staff": q} for q in quality))


def bid(number: int, *offers: AreaOffer, received: int = 0, **facts: object) -> BidFacts:
    return BidFacts(
        bid_id=UUID(int=number),
        provider_id=UUID(int=1000 + number),
        provider_name=f"Provider {number}",
        received_at=T0 + timedelta(seconds=received),
        areas=offers,
        **facts,  # type: ignore[arg-type]
    )


def rows(evaluation: Evaluation) -> list[tuple[int, str | None, int | None, bool, bool]]:
    return [
        (a.bid_id.int, a.area_code, a.rank, a.compliant, a.winner) for a in evaluation.assessments
    ]


# "bids below the call-off's min_quality_percent are excluded"


def test_an_offer_scoring_exactly_the_minimum_quality_is_compliant() -> None:
    evaluation = evaluate(
        pilot("DOVER", min_quality_percent=70), [bid(1, offer("DOVER", 2000, 70))]
    )
    (only,) = evaluation.assessments
    assert only.compliant and only.winner
    assert only.figures["quality_percent"] == "70.00"


def test_an_offer_scoring_just_below_the_minimum_quality_is_excluded() -> None:
    terms = pilot("DOVER", min_quality_percent=70)
    evaluation = evaluate(terms, [bid(1, offer("DOVER", 2000, 69))])
    (only,) = evaluation.assessments
    assert (only.compliant, only.winner) == (False, False)
    assert only.exclusions == ("scored 69.00% for quality, below the minimum of 70%",)


# Quality% is the question-weighted mean of the evaluators' mean scores.


def test_a_single_question_of_weight_one_is_enough_to_score_quality() -> None:
    questions = (Question("plan", 1),)
    assert quality_percent(questions, ({"plan": 80}, {"plan": 65})) == Fraction(145, 2)


# A total score of zero (quality weight 100, every answer scored 0) is a score, shown as 0.00.


def test_a_provisional_total_of_zero_reads_zero() -> None:
    bids = [bid(1, offer("DOVER", 2000, 0)), bid(2, offer("DOVER", 2000), received=5)]
    evaluation = evaluate(pilot("DOVER", quality_weight=100), bids)
    assert evaluation.complete is False
    assert evaluation.assessments[0].reason == (
        "total score 0.00 in DOVER, provisionally ranked 1 of 1 scored so far; "
        "the award waits for every bid's quality scores"
    )


def test_a_provider_awarded_elsewhere_hears_a_winning_total_of_zero_as_zero() -> None:
    # Every area filled: bid 1 takes ASHFORD (50), so DOVER goes to bid 2 although bid 1 ranks
    # first there on the tie-break (provider reference).
    bids = [
        bid(1, offer("DOVER", 2000, 0), offer("ASHFORD", 2000, 50)),
        bid(2, offer("DOVER", 2000, 0)),
    ]
    evaluation = evaluate(pilot("DOVER", "ASHFORD", quality_weight=100), bids)
    assert {a.area_code: a.bid_id.int for a in evaluation.winners} == {"DOVER": 2, "ASHFORD": 1}
    (dover,) = [a for a in evaluation.for_bid(UUID(int=1)) if a.area_code == "DOVER"]
    assert dover.reason == (
        "ranked 1 in DOVER with a total score of 0.00 (the winner's is 0.00), but awarded ASHFORD "
        "instead: a provider may win at most 1 area, and this assignment gives the highest "
        "combined score"
    )


# Offers that cannot rank come last in their area, each by receipt, and never win.


def test_offers_awaiting_scores_follow_the_ranked_ones_by_receipt_and_none_wins() -> None:
    bids = [
        bid(1, offer("DOVER", 2000, 80)),
        bid(2, offer("DOVER", 1900), received=10),
        bid(3, offer("DOVER", 2100), received=5),
        bid(4, offer("DOVER", 1800, 90), received=1, altered=True),
        bid(5, offer("DOVER", 2500, 90), received=0),
    ]
    evaluation = evaluate(pilot("DOVER"), bids)
    assert rows(evaluation) == [
        (1, "DOVER", 1, True, False),
        (3, "DOVER", None, True, False),
        (2, "DOVER", None, True, False),
        (5, "DOVER", None, False, False),
        (4, "DOVER", None, False, False),
    ]


def test_a_pilot_bid_offering_no_area_is_excluded_with_its_receipt_time_only() -> None:
    bids = [bid(1, offer("DOVER", 2000, 80)), bid(2, received=30)]
    evaluation = evaluate(pilot("DOVER"), bids)
    assert rows(evaluation) == [(1, "DOVER", 1, True, True), (2, None, None, False, False)]
    empty = evaluation.assessments[1]
    assert empty.exclusions == ("offers for none of the pilot's areas",)
    assert empty.reason == "excluded: offers for none of the pilot's areas"
    assert empty.figures == {"received_at": "2026-12-01T09:00:30+00:00"}
    assert [a.bid_id.int for a in evaluation.winners] == [1]


def test_bids_offering_no_area_received_together_are_listed_by_bid_reference() -> None:
    # The evaluation never depends on the order the bids are handed over in.
    bids = [bid(1, offer("DOVER", 2000, 80)), bid(7), bid(3)]
    for given in (bids, bids[::-1]):
        evaluation = evaluate(pilot("DOVER"), given)
        assert [a.bid_id.int for a in evaluation.assessments] == [1, 3, 7]
