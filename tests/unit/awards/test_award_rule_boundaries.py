"""The award rules of enablement and cluster call-offs at their boundaries (docs/design.md section 4:
Maximum price, Gates, Ranking, Abnormally low rates), pure.

Each test pins one rule exactly where it turns: a bid at the maximum price, a rate exactly 40%
below the others' mean, providers level on quality score and told apart by admission. `make
mutation` found these boundaries unpinned (docs/mutation.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from marketplace.awards.engine.phrases import listed
from marketplace.awards.engine.ranking import (
    ABNORMALLY_LOW,
    AreaOffer,
    BidFacts,
    CallOffTerms,
    PilotArea,
    abnormally_low_bids,
    bid_gate_failures,
    evaluate,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Maximum £24.00/h; an envelope of £600.00 a week for 20 hours leaves room up to £30.00/h, so the
# maximum price is the gate that turns.
ENABLEMENT = CallOffTerms("enablement", 2400, 60000, Decimal("20.00"))
CLUSTER = CallOffTerms("cluster", 2400, 60000, Decimal("20.00"), latest_start=date(2027, 1, 14))


def bid(
    number: int,
    rate: int | None = 1950,
    mobilisation: date | None = date(2027, 1, 2),
    quality: str = "50",
    admitted: datetime | None = None,
    provider: int | None = None,
    **facts: object,
) -> BidFacts:
    """A compliant bid unless told otherwise, from its own provider unless told."""
    owner = number if provider is None else provider
    return BidFacts(
        bid_id=UUID(int=number),
        provider_id=UUID(int=1000 + owner),
        provider_name=f"Provider {owner}",
        received_at=T0,
        hourly_rate_pence=rate,
        mobilisation_date=mobilisation,
        quality_score=Decimal(quality),
        admitted_at=admitted,
        **{"accepts_enablement_budget": True, **facts},  # type: ignore[arg-type]
    )


# Maximum price: "A bid rate above it is non-compliant."


def test_a_bid_exactly_at_the_maximum_price_is_compliant() -> None:
    assert bid_gate_failures(ENABLEMENT, bid(1, rate=2400)) == ()
    assert bid_gate_failures(CLUSTER, bid(1, rate=2400)) == ()


def test_a_bid_one_penny_above_the_maximum_price_is_excluded() -> None:
    assert bid_gate_failures(ENABLEMENT, bid(1, rate=2401)) == (
        "above the maximum price of £24.00/h",
    )


def test_a_bid_at_the_maximum_price_can_win() -> None:
    evaluation = evaluate(ENABLEMENT, [bid(1, rate=2400)])
    (only,) = evaluation.assessments
    assert only.compliant and only.winner and only.rank == 1


@pytest.mark.parametrize("rate", [0, -1])
def test_a_rate_of_nothing_or_less_is_excluded_however_far_below_the_maximum(rate: int) -> None:
    # An hourly rate is a price for care: zero is no bid at all, even inside the envelope.
    assert bid_gate_failures(ENABLEMENT, bid(1, rate=rate)) == (
        "does not give a positive hourly rate",
    )
    assert evaluate(ENABLEMENT, [bid(1, rate=rate)]).winners == ()


def test_a_rate_of_one_penny_is_a_positive_rate() -> None:
    assert bid_gate_failures(ENABLEMENT, bid(1, rate=1)) == ()


# Abnormally low: "at least 40% below the mean of the other compliant rates, or at least 30%
# below the next-best rate". The rates below keep the next-best rule out of the way: 60 is less
# than 30% below 85, so only the mean of the others (85 + 115) / 2 = 100 can flag it.


def test_a_rate_exactly_40_percent_below_the_others_mean_is_abnormally_low() -> None:
    assert abnormally_low_bids({"low": 60, "mid": 85, "high": 115}) == {"low"}


def test_a_rate_just_under_40_percent_below_the_others_mean_is_not_abnormally_low() -> None:
    assert abnormally_low_bids({"low": 61, "mid": 85, "high": 115}) == frozenset()


def test_a_rate_exactly_40_percent_below_the_others_mean_is_flagged_but_still_wins() -> None:
    bids = [bid(1, rate=1200), bid(2, rate=1700), bid(3, rate=2300)]
    evaluation = evaluate(ENABLEMENT, bids)
    assert [(a.bid_id.int, a.flags) for a in evaluation.assessments] == [
        (1, (ABNORMALLY_LOW,)),
        (2, ()),
        (3, ()),
    ]
    assert evaluation.winners[0].bid_id == UUID(int=1)


# Provider quality rank: "Better rank = higher score; ties by earlier admission to the lot."


def test_on_equal_rate_and_quality_score_the_provider_admitted_earlier_wins() -> None:
    # Provider 1's id sorts first, so only the admission dates can put bid 2 ahead.
    early, late = T0 - timedelta(days=30), T0 - timedelta(days=2)
    bids = [bid(1, quality="62.50", admitted=late), bid(2, quality="62.50", admitted=early)]
    evaluation = evaluate(ENABLEMENT, bids)
    assert [a.bid_id.int for a in evaluation.assessments] == [2, 1]
    assert evaluation.winners[0].reason == (
        "lowest ongoing-support rate of £19.50/h among 2 compliant bids; level with the "
        "next-ranked bid on rate and ahead on the provider quality ranking (level scores of "
        "62.50, admitted to the lot earlier)"
    )


def test_a_provider_never_admitted_ranks_after_one_admitted_on_an_equal_score() -> None:
    bids = [bid(1, admitted=None), bid(2, admitted=T0 - timedelta(days=1))]
    assert evaluate(CLUSTER, bids).winners[0].bid_id == UUID(int=2)


# A lone compliant cluster bid is still explained.


def test_the_only_compliant_cluster_bid_is_told_it_won_as_the_only_one() -> None:
    evaluation = evaluate(CLUSTER, [bid(1, mobilisation=date(2027, 1, 4)), bid(2, rate=2500)])
    assert evaluation.kind == "cluster"
    assert evaluation.winners[0].reason == "the only compliant bid, mobilising on 4 January 2027"


# What an assessment records: who bid, that it won or not, and the gates it failed.


def test_each_assessment_names_its_provider_and_says_plainly_whether_it_won() -> None:
    bids = [bid(1, rate=1900), bid(2, rate=2000), bid(3, rate=2401)]
    evaluation = evaluate(ENABLEMENT, bids)
    assert evaluation.kind == "enablement"
    assert [
        (a.provider_name, a.compliant, a.winner, a.exclusions) for a in evaluation.assessments
    ] == [
        ("Provider 1", True, True, ()),
        ("Provider 2", True, False, ()),
        ("Provider 3", False, False, ("above the maximum price of £24.00/h",)),
    ]


# A pilot bid is gated per area offer; with no area given it is gated as a whole.

PILOT = CallOffTerms(
    "pilot",
    2400,
    None,
    Decimal(0),
    pilot_areas=(PilotArea("DOVER", Decimal("100.00")), PilotArea("THANET", Decimal("25.50"))),
)


def test_a_pilot_bid_offering_an_area_passes_the_whole_bid_gate() -> None:
    offering = bid(1, rate=None, areas=(AreaOffer("DOVER", 2000),))
    assert bid_gate_failures(PILOT, offering) == ()
    assert bid_gate_failures(PILOT, replace(offering, areas=())) == (
        "offers for none of the pilot's areas",
    )


def test_a_pilot_bid_gated_for_an_area_it_does_not_offer_fails_that_area() -> None:
    offering = bid(1, rate=None, areas=(AreaOffer("DOVER", 2000),))
    assert bid_gate_failures(PILOT, offering, "DOVER") == ()
    assert bid_gate_failures(PILOT, offering, "THANET") == ("makes no offer for THANET",)


# The steps a winner was level on are all named, in order.


@pytest.mark.parametrize(
    ("words", "text"),
    [
        (["rate"], "rate"),
        (["rate", "provider quality ranking"], "rate and provider quality ranking"),
        (
            ["mobilisation date", "provider quality ranking", "rate"],
            "mobilisation date, provider quality ranking and rate",
        ),
        (["a", "b", "c", "d"], "a, b, c and d"),
    ],
)
def test_a_list_of_steps_reads_as_plain_english(words: list[str], text: str) -> None:
    assert listed(words) == text
