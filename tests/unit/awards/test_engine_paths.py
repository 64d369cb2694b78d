"""What the award engine's quicker paths must still say (docs/design.md 4.5 to 4.9; pure): a
pilot offer's figures and exclusions whatever its state, each rate's own weekly cost, flags
among compliant rates only, the tie-breaks of the provider quality ranking in a pilot, the
reasons of bids behind on the same first key, and totals that differ by less than a float
can tell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from marketplace.awards.engine.gates import BidGate
from marketplace.awards.engine.pilot import quality_percent
from marketplace.awards.engine.ranking import (
    ABNORMALLY_LOW,
    AreaOffer,
    BidFacts,
    CallOffTerms,
    PilotArea,
    Question,
    bid_gate_failures,
    evaluate,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DOVER, ASHFORD = PilotArea("DOVER", Decimal("100.00")), PilotArea("ASHFORD", Decimal("50.00"))


def pilot(*areas: PilotArea, **terms: object) -> CallOffTerms:
    return CallOffTerms(
        kind="pilot",
        max_hourly_rate_pence=terms.pop("max_hourly_rate_pence", 2400),  # type: ignore[arg-type]
        envelope_weekly_pence=None,
        total_weekly_hours=Decimal(0),
        pilot_areas=areas,
        questions=(Question("plan", 1),),
        quality_weight=60,
        price_weight=40,
        **terms,  # type: ignore[arg-type]
    )


def offer(code: str, rate: int, *quality: int) -> AreaOffer:
    return AreaOffer(code, rate, tuple({"plan": q} for q in quality))


def bid(number: int, *offers: AreaOffer, **facts: object) -> BidFacts:
    return BidFacts(
        **{  # type: ignore[arg-type]
            "bid_id": UUID(int=number),
            "provider_id": UUID(int=1000 + number),
            "provider_name": f"Provider {number}",
            "received_at": T0 + timedelta(seconds=number),
            "areas": offers,
            **facts,
        }
    )


def test_a_pilot_offers_figures_are_none_where_it_has_no_score_and_its_exclusions_empty() -> None:
    terms = pilot(DOVER, min_quality_percent=50)
    bids = [
        bid(1, offer("DOVER", 2000, 80)),
        bid(2, offer("DOVER", 2200)),  # awaiting its scores
        bid(3, offer("DOVER", 2300, 10)),  # below the minimum quality
    ]
    evaluation = evaluate(terms, bids)
    assert evaluation.kind == "pilot"
    scored, awaiting, excluded = evaluation.assessments
    assert (scored.exclusions, scored.compliant) == ((), True)
    assert (awaiting.exclusions, awaiting.compliant) == ((), True)
    assert awaiting.figures["quality_percent"] is None
    assert awaiting.figures["total_score"] is None
    assert awaiting.figures["price_percent"] == "90.91"
    assert excluded.figures["price_percent"] is None
    assert excluded.figures["total_score"] is None
    assert [failure.code for failure in excluded.exclusions] == [BidGate.BELOW_MIN_QUALITY]


def test_each_pilot_offer_costs_its_own_rate_for_its_areas_hours() -> None:
    terms = pilot(DOVER, ASHFORD, max_areas_per_provider=2)
    bids = [
        bid(1, offer("DOVER", 2000, 80), offer("ASHFORD", 2000, 80)),
        bid(2, offer("DOVER", 2200, 70)),
    ]
    weekly = {
        (item.bid_id.int, item.area_code): item.figures["weekly_cost_pence"]
        for item in evaluate(terms, bids).assessments
    }
    assert weekly == {(1, "DOVER"): 200000, (2, "DOVER"): 220000, (1, "ASHFORD"): 100000}


def test_an_excluded_pilot_offers_rate_does_not_make_a_compliant_rate_abnormally_low() -> None:
    # 1000 against 1100 alone is not abnormally low; the excluded 2300 would raise the mean.
    terms = pilot(DOVER, min_quality_percent=50)
    bids = [
        bid(1, offer("DOVER", 1000, 80)),
        bid(2, offer("DOVER", 1100, 80)),
        bid(3, offer("DOVER", 2300, 10)),
    ]
    assert all(ABNORMALLY_LOW not in item.flags for item in evaluate(terms, bids).assessments)


def test_an_area_left_to_a_provider_awarded_elsewhere_says_so_without_a_winners_score() -> None:
    # Its higher total is in DOVER, so it wins DOVER and ASHFORD has no winner.
    terms = pilot(DOVER, ASHFORD)
    evaluation = evaluate(terms, [bid(1, offer("DOVER", 2000, 80), offer("ASHFORD", 2000, 70))])
    (ashford,) = [item for item in evaluation.assessments if item.area_code == "ASHFORD"]
    total = ashford.figures["total_score"]
    assert ashford.reason == (
        f"ranked 1 in ASHFORD with a total score of {total}, but awarded DOVER instead: a "
        "provider may win at most 1 area, and this assignment gives the highest combined score"
    )


def test_a_pilot_offer_of_an_altered_bid_fails_its_areas_price_gate_too() -> None:
    altered = bid(1, offer("DOVER", 2500, 80), altered=True)
    codes = [failure.code for failure in bid_gate_failures(pilot(DOVER), altered, "DOVER")]
    assert codes == [BidGate.ALTERED, BidGate.ABOVE_MAX_RATE]


def test_pilot_totals_level_go_to_the_earlier_admitted_provider_then_the_lower_provider_id() -> (
    None
):
    terms = pilot(DOVER)
    early, late = T0 - timedelta(days=30), T0 - timedelta(days=3)
    # Bid 1 is received first and has the lower provider id, but its provider was admitted later.
    by_admission = [
        bid(1, offer("DOVER", 2000, 80), admitted_at=late),
        bid(2, offer("DOVER", 2000, 80), admitted_at=early),
    ]
    assert [item.bid_id.int for item in evaluate(terms, by_admission).winners] == [2]
    # Admitted together: the lower provider id wins although received later.
    by_provider = [
        bid(1, offer("DOVER", 2000, 80), admitted_at=early, received_at=T0 + timedelta(hours=1)),
        bid(2, offer("DOVER", 2000, 80), admitted_at=early),
    ]
    assert [item.bid_id.int for item in evaluate(terms, by_provider).winners] == [1]


def test_pilot_totals_closer_than_a_float_tells_still_rank_by_their_exact_values() -> None:
    # 100 * r / (r + 1) for r = 10**17 differs from 100 by less than a float near 76 can show.
    rate = 10**17
    terms = pilot(DOVER, max_hourly_rate_pence=2 * rate)
    # The higher rate (lower total) is received first with the lower bid id.
    bids = [bid(1, offer("DOVER", rate + 1, 60)), bid(2, offer("DOVER", rate, 60))]
    first, second = evaluate(terms, bids).assessments
    assert (first.bid_id.int, first.rank, first.winner) == (2, 1, True)
    assert (
        first.reason
        == "highest total score in DOVER, 76.00 (quality 60.00%, price 100.00%), "
        + ("among 2 compliant bids")
    )
    assert (second.bid_id.int, second.rank) == (1, 2)
    assert second.reason == "total score 76.00 against the winner's 76.00"


def test_every_bid_behind_the_winner_on_rate_is_told_by_how_much() -> None:
    terms = CallOffTerms("enablement", 2400, None, Decimal("10.00"))
    bids = [
        BidFacts(
            bid_id=UUID(int=number),
            provider_id=UUID(int=1000 + number),
            provider_name=f"Provider {number}",
            received_at=T0 + timedelta(seconds=number),
            hourly_rate_pence=rate,
            accepts_enablement_budget=True,
        )
        for number, rate in ((1, 2000), (2, 2200), (3, 2200), (4, 2200))
    ]
    reasons = [item.reason for item in evaluate(terms, bids).assessments[1:]]
    assert reasons == ["£2.00/h above the winning rate of £20.00/h"] * 3


def test_a_pilots_area_is_found_by_its_code() -> None:
    terms = pilot(DOVER, ASHFORD)
    assert (terms.area("ASHFORD"), terms.area("DOVER"), terms.area("THANET")) == (
        ASHFORD,
        DOVER,
        None,
    )


def test_a_pilot_without_a_weighted_question_is_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match=r"^a pilot needs at least one question with a weight$"):
        quality_percent((Question("plan", 0),), ({"plan": 50},))
