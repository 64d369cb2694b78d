"""Pilot scores, the quality minimum and the assignment of providers to areas (docs/design.md
section 4.7, pilots), pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import product
from random import Random
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.awards.engine.pilot import (
    AreaCandidate,
    best_assignment,
    price_percent,
    quality_percent,
    total_score,
)
from marketplace.awards.engine.quality import quality_order_key
from marketplace.awards.engine.ranking import (
    ABNORMALLY_LOW,
    AreaOffer,
    BidFacts,
    CallOffTerms,
    Evaluation,
    PilotArea,
    Question,
    bid_gate_failures,
    evaluate,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
QUESTIONS = (Question("plan", 3), Question("staff", 1))
AREAS = {
    "DOVER": PilotArea("DOVER", Decimal("100.00")),
    "ASHFORD": PilotArea("ASHFORD", Decimal("50.00")),
    "THANET": PilotArea("THANET", Decimal("25.50")),
}


def pilot(*codes: str, quality_weight: int = 60, **terms: object) -> CallOffTerms:
    return CallOffTerms(
        kind="pilot",
        max_hourly_rate_pence=2400,
        total_weekly_hours=Decimal(0),
        pilot_areas=tuple(AREAS[code] for code in codes),
        questions=QUESTIONS,
        quality_weight=quality_weight,
        price_weight=100 - quality_weight,
        **{"envelope_weekly_pence": None, **terms},  # type: ignore[arg-type]
    )


def offer(code: str, rate: int, *quality: int) -> AreaOffer:
    """An offer each of whose evaluators gave every question the same score (none: unscored)."""
    return AreaOffer(code, rate, tuple({"plan": q, "staff": q} for q in quality))


def bid(
    number: int,
    *offers: AreaOffer,
    provider: int | None = None,
    quality: str = "50",
    received: int = 0,
    **facts: object,
) -> BidFacts:
    return BidFacts(
        bid_id=UUID(int=number),
        provider_id=UUID(int=1000 + (number if provider is None else provider)),
        provider_name=f"Provider {number if provider is None else provider}",
        received_at=T0 + timedelta(seconds=received),
        areas=offers,
        quality_score=Decimal(quality),
        **facts,  # type: ignore[arg-type]
    )


def winners(evaluation: Evaluation) -> dict[str | None, int]:
    return {item.area_code: item.bid_id.int for item in evaluation.winners}


def reason(evaluation: Evaluation, number: int, code: str) -> str:
    (found,) = [a for a in evaluation.for_bid(UUID(int=number)) if a.area_code == code]
    return found.reason


# Scores


def test_quality_is_the_weighted_mean_of_each_questions_mean_score() -> None:
    sheets = ({"plan": 80, "staff": 40}, {"plan": 60, "staff": 50})
    # plan: (80 + 60) / 2 = 70 (weight 3); staff: (40 + 50) / 2 = 45 (weight 1)
    assert quality_percent(QUESTIONS, sheets) == Fraction(3 * 70 + 45, 4) == Fraction("63.75")
    assert quality_percent(QUESTIONS, ({"plan": 71, "staff": 70},)) == Fraction(283, 4)


@pytest.mark.parametrize(
    "sheets",
    [(), ({"plan": 80},), ({"plan": 80, "staff": 40}, {"staff": 50})],
)
def test_quality_waits_until_every_evaluator_has_scored_every_question(
    sheets: tuple[Mapping[str, int], ...],
) -> None:
    assert quality_percent(QUESTIONS, sheets) is None


def test_a_pilot_without_weighted_questions_cannot_be_scored() -> None:
    with pytest.raises(ValueError, match="question"):
        quality_percent((), ({"plan": 80},))


def test_price_and_total_are_exact() -> None:
    assert price_percent(1800, 2000) == 90
    assert price_percent(1900, 2100) == Fraction(1900, 21)  # 90.476...
    assert total_score(pilot("DOVER"), Fraction("63.75"), Fraction(90)) == Fraction("74.25")


def test_the_best_total_wins_the_area_and_only_compliant_rates_set_the_price_score() -> None:
    evaluation = evaluate(
        pilot("DOVER", min_quality_percent=50),
        [
            bid(1, offer("DOVER", 2000, 90)),  # price 1800/2000 = 90%: 0.6*90 + 0.4*90 = 90
            bid(2, offer("DOVER", 1800, 70)),  # price 100%: 0.6*70 + 0.4*100 = 82
            bid(3, offer("DOVER", 1500, 40, 45)),  # quality 42.50%: excluded
            bid(4, offer("DOVER", 1200, 95), provider_failures=("CQC rating inadequate",)),
            bid(5, offer("DOVER", 2500, 95)),  # above the maximum price
        ],
    )
    assert winners(evaluation) == {"DOVER": 1}
    assert evaluation.complete is True
    assert [(a.bid_id.int, a.rank, a.compliant) for a in evaluation.assessments] == [
        (1, 1, True),
        (2, 2, True),
        (3, None, False),
        (4, None, False),
        (5, None, False),
    ]
    assert evaluation.winners[0].figures == {
        "hourly_rate_pence": 2000,
        "weekly_cost_pence": 200000,
        "quality_percent": "90.00",
        "price_percent": "90.00",
        "total_score": "90.00",
        "quality_score": "50.00",
        "received_at": "2026-12-01T09:00:00+00:00",
    }
    assert reason(evaluation, 1, "DOVER") == (
        "highest total score in DOVER, 90.00 (quality 90.00%, price 90.00%), among 2 compliant bids"
    )
    assert reason(evaluation, 2, "DOVER") == "total score 82.00 against the winner's 90.00"
    assert reason(evaluation, 3, "DOVER") == (
        "excluded: scored 42.50% for quality, below the minimum of 50%"
    )
    assert reason(evaluation, 4, "DOVER") == "excluded: CQC rating inadequate"
    assert reason(evaluation, 5, "DOVER") == "excluded: above the maximum price of £24.00/h"


def test_an_area_envelope_applies_only_when_the_commissioner_sets_one() -> None:
    bids = [bid(1, offer("DOVER", 2001, 80), offer("ASHFORD", 2001, 80))]
    assert winners(evaluate(pilot("DOVER", "ASHFORD", max_areas_per_provider=2), bids)) == {
        "DOVER": 1,
        "ASHFORD": 1,
    }
    capped = pilot("DOVER", "ASHFORD", max_areas_per_provider=2, envelope_weekly_pence=200000)
    evaluation = evaluate(capped, bids)
    assert winners(evaluation) == {"ASHFORD": 1}  # 20.01 * 50 = 1000.50 fits, * 100 does not
    assert reason(evaluation, 1, "DOVER") == (
        "excluded: outside the envelope of £2,000.00 a week for DOVER"
    )


@pytest.mark.parametrize(
    ("better", "worse", "loser_reason", "winner_tail"),
    [
        (
            bid(1, offer("DOVER", 2000, 80), quality="75"),
            bid(2, offer("DOVER", 2000, 80), quality="62.5", received=-10),
            "the same total score as the winner (88.00); "
            "lower in the provider quality ranking (62.50 against 75.00)",
            "the provider quality ranking (75.00 against 62.50)",
        ),
        (
            bid(1, offer("DOVER", 2000, 80), received=0),
            bid(2, offer("DOVER", 2000, 80), received=1, provider=1),
            "the same total score as the winner (88.00); received after the winning bid",
            "receipt time (received earlier)",
        ),
        (
            bid(1, offer("DOVER", 2000, 80)),
            bid(2, offer("DOVER", 2000, 80), provider=1),
            "the same total score as the winner (88.00); "
            "placed after the winning bid by bid reference, the last tie-break",
            "bid reference, the last tie-break",
        ),
    ],
)
def test_equal_totals_go_to_the_better_quality_rank_then_the_earlier_receipt(
    better: BidFacts, worse: BidFacts, loser_reason: str, winner_tail: str
) -> None:
    for bids in ([better, worse], [worse, better]):
        evaluation = evaluate(pilot("DOVER"), bids)
        assert winners(evaluation) == {"DOVER": better.bid_id.int}
        assert reason(evaluation, worse.bid_id.int, "DOVER") == loser_reason
        assert reason(evaluation, better.bid_id.int, "DOVER") == (
            "highest total score in DOVER, 88.00 (quality 80.00%, price 100.00%), among 2 "
            f"compliant bids; level on total score with the next-ranked bid and ahead on {winner_tail}"
        )


# The assignment


ASSIGNMENT_BIDS = [
    bid(1, offer("DOVER", 2000, 90), offer("ASHFORD", 2000, 85)),
    bid(2, offer("DOVER", 2000, 80)),
    bid(3, offer("ASHFORD", 2000, 60)),
]


def test_a_provider_best_in_two_areas_takes_the_one_that_gives_the_highest_combined_score() -> None:
    # Quality only: 1 in DOVER + 3 in ASHFORD = 150; 2 in DOVER + 1 in ASHFORD = 165.
    evaluation = evaluate(pilot("DOVER", "ASHFORD", quality_weight=100), ASSIGNMENT_BIDS)
    assert winners(evaluation) == {"DOVER": 2, "ASHFORD": 1}
    assert [w.area_code for w in evaluation.winners] == ["DOVER", "ASHFORD"]
    assert reason(evaluation, 1, "DOVER") == (
        "ranked 1 in DOVER with a total score of 90.00 (the winner's is 80.00), but awarded "
        "ASHFORD instead: a provider may win at most 1 area, and this assignment gives the "
        "highest combined score"
    )
    assert reason(evaluation, 2, "DOVER") == (
        "awarded DOVER with a total score of 80.00 (quality 80.00%, price 100.00%), ranked 2 of "
        "2: the higher-ranked providers win other areas, up to 1 area each, and this assignment "
        "gives the highest combined score"
    )
    assert reason(evaluation, 3, "ASHFORD") == "total score 60.00 against the winner's 85.00"
    assert [(a.area_code, a.rank, a.winner) for a in evaluation.assessments] == [
        ("DOVER", 1, False),
        ("DOVER", 2, True),
        ("ASHFORD", 1, True),
        ("ASHFORD", 2, False),
    ]


def test_a_provider_may_win_as_many_areas_as_the_pilot_allows() -> None:
    terms = pilot("DOVER", "ASHFORD", quality_weight=100, max_areas_per_provider=2)
    assert winners(evaluate(terms, ASSIGNMENT_BIDS)) == {"DOVER": 1, "ASHFORD": 1}


def test_every_area_is_filled_when_it_can_be_even_at_a_lower_combined_score() -> None:
    bids = [
        bid(1, offer("DOVER", 2000, 100), offer("ASHFORD", 2000, 10)),
        bid(2, offer("DOVER", 2000, 50)),
    ]
    evaluation = evaluate(pilot("DOVER", "ASHFORD", quality_weight=100), bids)
    assert winners(evaluation) == {"DOVER": 2, "ASHFORD": 1}


def test_an_area_without_a_compliant_bid_is_left_without_a_winner() -> None:
    bids = [bid(1, offer("DOVER", 2000, 80)), bid(2, offer("ASHFORD", 2600, 90))]
    evaluation = evaluate(pilot("DOVER", "ASHFORD"), bids)
    assert winners(evaluation) == {"DOVER": 1}
    assert reason(evaluation, 1, "DOVER") == (
        "the only compliant bid in DOVER, with a total score of 88.00 (quality 80.00%, price 100.00%)"
    )


def test_equal_combined_scores_go_to_the_better_quality_ranks() -> None:
    bids = [
        bid(1, offer("DOVER", 2000, 80), quality="75"),
        bid(2, offer("DOVER", 2000, 80), offer("ASHFORD", 2000, 80), quality="50"),
        bid(3, offer("ASHFORD", 2000, 80), quality="62.5"),
    ]
    evaluation = evaluate(pilot("DOVER", "ASHFORD"), bids)
    assert winners(evaluation) == {"DOVER": 1, "ASHFORD": 3}
    assert reason(evaluation, 2, "ASHFORD") == (
        "the same total score as the winner (88.00); "
        "lower in the provider quality ranking (50.00 against 62.50)"
    )


# Incomplete scoring, flags, ordering


def test_the_award_waits_until_every_compliant_offer_is_scored() -> None:
    bids = [
        bid(1, offer("DOVER", 2000, 80)),
        bid(2, offer("DOVER", 1900), received=5),
        bid(3, offer("DOVER", 1800), altered=True),  # excluded, so not waited for
    ]
    evaluation = evaluate(pilot("DOVER"), bids)
    assert evaluation.complete is False
    assert evaluation.winners == ()
    assert [(a.bid_id.int, a.rank, a.compliant) for a in evaluation.assessments] == [
        (1, 1, True),
        (2, None, True),
        (3, None, False),
    ]
    assert reason(evaluation, 2, "DOVER") == "awaiting quality scores"
    assert reason(evaluation, 1, "DOVER") == (
        "total score 86.00 in DOVER, provisionally ranked 1 of 1 scored so far; "
        "the award waits for every bid's quality scores"
    )
    bids[1] = bid(2, offer("DOVER", 1900, 80), received=5)
    assert evaluate(pilot("DOVER"), bids).complete is True


def test_abnormally_low_rates_are_flagged_per_area() -> None:
    bids = [
        bid(1, offer("DOVER", 1000, 80), offer("ASHFORD", 2000, 80)),
        bid(2, offer("DOVER", 2000, 80), offer("ASHFORD", 2100, 80)),
    ]
    evaluation = evaluate(pilot("DOVER", "ASHFORD", max_areas_per_provider=2), bids)
    assert {(a.bid_id.int, a.area_code): a.flags for a in evaluation.assessments} == {
        (1, "DOVER"): (ABNORMALLY_LOW,),
        (2, "DOVER"): (),
        (1, "ASHFORD"): (),
        (2, "ASHFORD"): (),
    }


def test_assessments_are_grouped_by_area_in_the_pilots_order_with_the_excluded_last() -> None:
    bids = [
        bid(1, offer("THANET", 2000, 80), offer("DOVER", 2500, 80)),
        bid(2, offer("DOVER", 2000, 70), offer("KENT", 2000, 70)),
        bid(3),
    ]
    evaluation = evaluate(pilot("DOVER", "THANET"), bids)
    assert [(a.area_code, a.bid_id.int, a.rank) for a in evaluation.assessments] == [
        ("DOVER", 2, 1),
        ("DOVER", 1, None),
        ("THANET", 1, 1),
        ("KENT", 2, None),
        (None, 3, None),
    ]
    assert (
        evaluation.for_bid(UUID(int=3))[0].reason
        == "excluded: offers for none of the pilot's areas"
    )
    assert evaluation.for_bid(UUID(int=2))[1].reason == (
        "excluded: offers for KENT, which is not an area of this pilot"
    )


# Properties

PROVIDERS = [UUID(int=n) for n in range(1, 5)]
SCORES = st.sampled_from([30, 45, 60, 75, 90])


@st.composite
def pilots(draw: st.DrawFn) -> tuple[CallOffTerms, list[BidFacts]]:
    codes = draw(st.lists(st.sampled_from(list(AREAS)), min_size=1, max_size=3, unique=True))
    quality_weight = draw(st.sampled_from([0, 40, 60, 100]))
    terms = pilot(
        *codes,
        quality_weight=quality_weight,
        min_quality_percent=draw(st.sampled_from([0, 0, 50])),
        max_areas_per_provider=draw(st.integers(1, len(codes))),
        envelope_weekly_pence=draw(st.sampled_from([None, None, 100000])),
    )
    standing = {p: draw(st.sampled_from(["50", "62.5", "75"])) for p in PROVIDERS}
    count = draw(st.integers(1, 6))
    bids = []
    for bid_id in draw(st.lists(st.uuids(), min_size=count, max_size=count, unique=True)):
        provider = draw(st.sampled_from(PROVIDERS))
        offered = draw(
            st.lists(st.sampled_from(codes), min_size=1, max_size=len(codes), unique=True)
        )
        offers = tuple(
            AreaOffer(
                code,
                draw(st.sampled_from([1500, 1800, 2000, 2400, 2500])),
                tuple(
                    {"plan": draw(SCORES), "staff": draw(SCORES)}
                    for _ in range(draw(st.sampled_from([1, 1, 1, 2])))
                ),
            )
            for code in offered
        )
        bids.append(
            BidFacts(
                bid_id=bid_id,
                provider_id=provider,
                provider_name=str(provider),
                received_at=T0 + timedelta(seconds=draw(st.integers(0, 2))),
                areas=offers,
                provider_failures=draw(st.sampled_from([(), (), (), ("CQC rating inadequate",)])),
                quality_score=Decimal(standing[provider]),
            )
        )
    return terms, bids


@given(pilots(), st.data())
def test_a_pilot_evaluation_does_not_depend_on_the_order_bids_arrive_in(
    pilot_and_bids: tuple[CallOffTerms, list[BidFacts]], data: st.DataObject
) -> None:
    terms, bids = pilot_and_bids
    assert evaluate(terms, data.draw(st.permutations(bids))) == evaluate(terms, bids)


@given(pilots())
def test_pilot_winners_are_compliant_one_per_area_and_within_the_providers_limit(
    pilot_and_bids: tuple[CallOffTerms, list[BidFacts]],
) -> None:
    terms, bids = pilot_and_bids
    evaluation = evaluate(terms, bids)
    assert evaluation.complete is True  # every offer in these pilots is scored
    codes = [area.area_code for area in terms.pilot_areas]
    assert [w.area_code for w in evaluation.winners] == [
        c for c in codes if c in winners(evaluation)
    ]
    by_id = {b.bid_id: b for b in bids}
    for won in evaluation.winners:
        assert won.compliant and won.rank is not None
        assert won.area_code is not None
        assert not bid_gate_failures(terms, by_id[won.bid_id], won.area_code)
    assert max(Counter(w.provider_id for w in evaluation.winners).values(), default=0) <= (
        terms.max_areas_per_provider
    )
    for code in codes:
        ranked = [a for a in evaluation.assessments if a.area_code == code and a.rank is not None]
        assert [a.rank for a in ranked] == list(range(1, len(ranked) + 1))
        won = [a for a in ranked if a.winner]
        counts = Counter(w.provider_id for w in evaluation.winners)
        for above in ranked[: won[0].rank - 1 if won and won[0].rank else 0]:
            # A winner ranked below others in its area is there because they are at their limit.
            assert counts[above.provider_id] == terms.max_areas_per_provider
        for loser in (a for a in ranked if not a.winner):
            # Every loser is told the figure it lost on, or that its provider won elsewhere.
            assert loser.reason.startswith(("total score", "ranked", "the same total score"))
            if loser.reason.startswith("the same total score"):
                assert won and won[0].rank is not None and loser.rank is not None
                assert won[0].rank < loser.rank
        # An area is only left empty when every provider ranked there has reached its limit.
        if ranked and code not in winners(evaluation):
            assert all(counts[a.provider_id] == terms.max_areas_per_provider for a in ranked)


@given(pilots(), st.data())
def test_lowering_the_winning_rate_in_a_single_area_pilot_keeps_it_winning(
    pilot_and_bids: tuple[CallOffTerms, list[BidFacts]], data: st.DataObject
) -> None:
    terms, bids = pilot_and_bids
    terms = replace(terms, pilot_areas=terms.pilot_areas[:1], max_areas_per_provider=1)
    code = terms.pilot_areas[0].area_code
    evaluation = evaluate(terms, bids)
    if not evaluation.winners:
        return
    (won,) = evaluation.winners
    assert won.rank == 1
    index = next(i for i, b in enumerate(bids) if b.bid_id == won.bid_id)
    offers = bids[index].areas
    (mine,) = [o for o in offers if o.area_code == code]
    lower = replace(mine, hourly_rate_pence=data.draw(st.integers(1, mine.hourly_rate_pence)))
    bids[index] = replace(bids[index], areas=tuple(lower if o is mine else o for o in offers))
    assert [w.bid_id for w in evaluate(terms, bids).winners] == [won.bid_id]


@st.composite
def candidates(draw: st.DrawFn) -> tuple[list[str], list[AreaCandidate], int]:
    codes = draw(st.lists(st.sampled_from(list(AREAS)), min_size=1, max_size=3, unique=True))
    pool = []
    for number in range(draw(st.integers(0, 9))):
        provider = draw(st.sampled_from(PROVIDERS))
        pool.append(
            AreaCandidate(
                area_code=draw(st.sampled_from(codes)),
                bid_id=UUID(int=number),
                provider_id=provider,
                total=Fraction(draw(st.integers(0, 8)), 2),
                quality_key=quality_order_key(provider.int % 3, None, provider),
                received_at=T0 + timedelta(seconds=draw(st.integers(0, 2))),
            )
        )
    return codes, pool, draw(st.integers(1, len(codes)))


@given(candidates(), st.randoms())
def test_the_shortlisted_search_finds_the_same_best_assignment_as_trying_everything(
    problem: tuple[list[str], list[AreaCandidate], int], random: Random
) -> None:
    codes, pool, limit = problem
    chosen = best_assignment(codes, pool, limit)
    options = [[None, *(c for c in pool if c.area_code == code)] for code in codes]
    feasible = [
        [c for c in choice if c is not None]
        for choice in product(*options)
        if max(Counter(c.provider_id for c in choice if c).values(), default=0) <= limit
    ]
    best = max((len(f), sum((c.total for c in f), Fraction(0))) for f in feasible)
    assert (len(chosen), sum((c.total for c in chosen.values()), Fraction(0))) == best
    assert all(chosen[code].area_code == code for code in chosen)
    shuffled = list(pool)
    random.shuffle(shuffled)
    assert best_assignment(codes, shuffled, limit) == chosen
