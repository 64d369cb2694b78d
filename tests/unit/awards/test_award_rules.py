"""Gates, ranking, abnormally low rates and explanations of enablement and cluster call-offs,
exactly as docs/design.md section 4 states them (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.awards.engine.phrases import long_date, per_hour, two_places
from marketplace.awards.engine.ranking import (
    ABNORMALLY_LOW,
    AreaOffer,
    BidFacts,
    CallOffTerms,
    Evaluation,
    PilotArea,
    abnormally_low_bids,
    bid_gate_failures,
    evaluate,
    rank_compliant_bids,
)
from marketplace.units import pounds

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ENABLEMENT = CallOffTerms("enablement", 2400, 44000, Decimal("20.00"))
CLUSTER = CallOffTerms("cluster", 2400, 44000, Decimal("20.00"), latest_start=date(2027, 1, 14))


def bid(
    number: int,
    rate: int | None = 1950,
    mobilisation: date | None = date(2027, 1, 2),
    quality: str = "50",
    provider: int | None = None,
    received: int = 0,
    admitted: datetime | None = None,
    **facts: object,
) -> BidFacts:
    """A compliant bid unless told otherwise; each bid has its own provider unless told."""
    return BidFacts(
        bid_id=UUID(int=number),
        provider_id=UUID(int=1000 + (number if provider is None else provider)),
        provider_name=f"Provider {number if provider is None else provider}",
        received_at=T0 + timedelta(seconds=received),
        hourly_rate_pence=rate,
        mobilisation_date=mobilisation,
        quality_score=Decimal(quality),
        admitted_at=admitted,
        **{"accepts_enablement_budget": True, **facts},  # type: ignore[arg-type]
    )


def winner_of(evaluation: Evaluation) -> UUID | None:
    return evaluation.winners[0].bid_id if evaluation.winners else None


def reasons(evaluation: Evaluation) -> dict[int, str]:
    return {item.bid_id.int: item.reason for item in evaluation.assessments}


# Words


@pytest.mark.parametrize(
    ("pence", "words"),
    [(0, "£0.00"), (5, "£0.05"), (2400, "£24.00"), (123456, "£1,234.56"), (-120, "-£1.20")],
)
def test_money_is_pounds_with_thousands_separators_and_two_places(pence: int, words: str) -> None:
    assert pounds(pence) == words
    assert per_hour(2400) == "£24.00/h"


def test_dates_are_written_out_and_scores_round_half_up() -> None:
    assert long_date(date(2026, 12, 20)) == "20 December 2026"
    assert two_places(Fraction(1, 8)) == Decimal("0.13")  # not banker's 0.12
    assert two_places(Fraction(-1, 8)) == Decimal("-0.13")
    assert two_places(Fraction(100, 3)) == Decimal("33.33")


# Gates


@pytest.mark.parametrize(
    ("terms", "facts", "failures"),
    [
        (ENABLEMENT, {}, ()),
        (
            replace(ENABLEMENT, envelope_weekly_pence=60000),
            {"rate": 2401},
            ("above the maximum price of £24.00/h",),
        ),
        (ENABLEMENT, {"rate": 2200}, ()),  # 2200 * 20 = 44000, exactly the envelope
        (
            ENABLEMENT,
            {"rate": 2201},
            ("outside the rurality-weighted envelope of £440.00 a week",),
        ),
        (
            replace(ENABLEMENT, envelope_weekly_pence=123456, total_weekly_hours=Decimal("60")),
            {"rate": 2300},
            ("outside the rurality-weighted envelope of £1,234.56 a week",),
        ),
        (
            ENABLEMENT,
            {"accepts_enablement_budget": False},
            ("has not accepted the enablement budget",),
        ),
        (
            ENABLEMENT,
            {"accepts_enablement_budget": None},
            ("has not accepted the enablement budget",),
        ),
        (ENABLEMENT, {"mobilisation": None}, ()),  # an enablement need not give a date
        (ENABLEMENT, {"rate": None}, ("gives no hourly rate",)),
        (CLUSTER, {"mobilisation": date(2027, 1, 14)}, ()),  # on the latest start is in time
        (
            CLUSTER,
            {"mobilisation": date(2027, 1, 15)},
            ("offers to mobilise on 15 January 2027, after the latest start of 14 January 2027",),
        ),
        (CLUSTER, {"mobilisation": None}, ("gives no mobilisation date",)),
        (CLUSTER, {"accepts_enablement_budget": False}, ()),  # budgets are for enablement only
        (ENABLEMENT, {"altered": True}, ("its content no longer matches its receipt",)),
        (
            ENABLEMENT,
            {
                "rate": 2500,
                "altered": True,
                "provider_failures": ("CQC rating inadequate", "enforcement action pending"),
                "accepts_enablement_budget": False,
            },
            (
                "CQC rating inadequate",
                "enforcement action pending",
                "its content no longer matches its receipt",
                "above the maximum price of £24.00/h",
                "outside the rurality-weighted envelope of £440.00 a week",
                "has not accepted the enablement budget",
            ),
        ),
    ],
)
def test_each_failed_gate_is_named_with_provider_gates_first(
    terms: CallOffTerms, facts: dict[str, object], failures: tuple[str, ...]
) -> None:
    assert bid_gate_failures(terms, bid(1, **facts)) == failures  # type: ignore[arg-type]


def test_the_envelope_compares_the_weekly_cost_rounded_half_up() -> None:
    terms = replace(ENABLEMENT, envelope_weekly_pence=15008, total_weekly_hours=Decimal("7.50"))
    assert bid_gate_failures(terms, bid(1, rate=2001)) == ()  # 15007.5 -> 15008
    assert bid_gate_failures(replace(terms, envelope_weekly_pence=15007), bid(1, rate=2001)) == (
        "outside the rurality-weighted envelope of £150.07 a week",
    )


def test_a_pilot_is_gated_per_area_and_held_to_an_envelope_only_when_one_is_set() -> None:
    terms = CallOffTerms(
        "pilot", 2400, None, Decimal(0), pilot_areas=(PilotArea("DOVER", Decimal("100.00")),)
    )
    offers = (AreaOffer("DOVER", 2300), AreaOffer("KENT", 2000))
    pilot_bid = bid(1, rate=None, areas=offers)
    assert bid_gate_failures(terms, pilot_bid, "DOVER") == ()
    assert bid_gate_failures(replace(terms, envelope_weekly_pence=200000), pilot_bid, "DOVER") == (
        "outside the envelope of £2,000.00 a week for DOVER",
    )
    assert bid_gate_failures(terms, pilot_bid, "KENT") == (
        "offers for KENT, which is not an area of this pilot",
    )
    assert bid_gate_failures(terms, bid(2, rate=None)) == ("offers for none of the pilot's areas",)


# Ranking and its explanations


def test_the_lowest_ongoing_rate_wins_an_enablement_and_losers_hear_the_gap() -> None:
    evaluation = evaluate(
        ENABLEMENT,
        [bid(1, rate=2070), bid(2, rate=1950), bid(3, rate=2100), bid(4, rate=2000)],
    )
    assert winner_of(evaluation) == UUID(int=2)
    assert [item.rank for item in evaluation.assessments] == [1, 2, 3, 4]
    assert reasons(evaluation) == {
        2: "lowest ongoing-support rate of £19.50/h among 4 compliant bids",
        4: "£0.50/h above the winning rate of £19.50/h",
        1: "£1.20/h above the winning rate of £19.50/h",
        3: "£1.50/h above the winning rate of £19.50/h",
    }


ADMITTED_EARLY, ADMITTED_LATE = T0 - timedelta(days=300), T0 - timedelta(days=30)


@pytest.mark.parametrize(
    ("better", "worse", "loser_reason"),
    [
        (
            bid(1, rate=1900),
            bid(2, rate=1950, quality="90"),
            "£0.50/h above the winning rate of £19.00/h",
        ),
        (
            bid(1, quality="75"),
            bid(2, quality="62.5", mobilisation=date(2026, 12, 20)),
            "the same rate as the winner (£19.50/h); "
            "lower in the provider quality ranking (62.50 against 75.00)",
        ),
        (
            bid(1, admitted=ADMITTED_EARLY),
            bid(2, admitted=ADMITTED_LATE),
            "the same rate as the winner (£19.50/h); "
            "level on provider quality score (50.00) but admitted to the lot later than the winner",
        ),
        (
            bid(1, admitted=ADMITTED_LATE),
            bid(2, admitted=None),
            "the same rate as the winner (£19.50/h); "
            "level on provider quality score (50.00) but admitted to the lot later than the winner",
        ),
        (
            bid(2, provider=1),
            bid(1, provider=2),
            "the same rate as the winner (£19.50/h); level on provider quality score (50.00) and "
            "admission to the lot; placed after the winner by provider reference",
        ),
        (
            bid(1, provider=7, mobilisation=date(2027, 1, 2)),
            bid(2, provider=7, mobilisation=date(2027, 1, 3), received=-60),
            "the same rate as the winner (£19.50/h); level with the winner in the provider "
            "quality ranking (50.00); mobilises 1 day later than the winner "
            "(3 January 2027 against 2 January 2027)",
        ),
        (
            bid(1, provider=7, mobilisation=date(2027, 1, 2)),
            bid(2, provider=7, mobilisation=None),
            "the same rate as the winner (£19.50/h); level with the winner in the provider "
            "quality ranking (50.00); gives no mobilisation date, against the winner's "
            "2 January 2027",
        ),
        (
            bid(2, provider=7, received=0),
            bid(1, provider=7, received=1),
            "the same rate as the winner (£19.50/h); level with the winner in the provider "
            "quality ranking (50.00); mobilises on the same day as the winner; "
            "received after the winning bid",
        ),
        (
            bid(1, provider=7),
            bid(2, provider=7),
            "the same rate as the winner (£19.50/h); level with the winner in the provider "
            "quality ranking (50.00); mobilises on the same day as the winner; received at the "
            "same moment as the winning bid; placed after the winning bid by bid reference, "
            "the last tie-break",
        ),
    ],
)
def test_enablement_ties_break_by_quality_rank_then_mobilisation_then_receipt(
    better: BidFacts, worse: BidFacts, loser_reason: str
) -> None:
    for bids in ([better, worse], [worse, better]):
        evaluation = evaluate(ENABLEMENT, bids)
        assert winner_of(evaluation) == better.bid_id
        assert evaluation.for_bid(worse.bid_id)[0].reason == loser_reason
        assert evaluation.for_bid(worse.bid_id)[0].rank == 2


def test_a_winner_level_on_rate_says_what_put_it_ahead() -> None:
    evaluation = evaluate(ENABLEMENT, [bid(1, quality="62.5"), bid(2, quality="75")])
    assert reasons(evaluation)[2] == (
        "lowest ongoing-support rate of £19.50/h among 2 compliant bids; level with the "
        "next-ranked bid on rate and ahead on the provider quality ranking (75.00 against 62.50)"
    )
    assert reasons(evaluate(ENABLEMENT, [bid(1)])) == {
        1: "the only compliant bid, with an ongoing-support rate of £19.50/h"
    }


@pytest.mark.parametrize(
    ("better", "worse", "loser_reason"),
    [
        (
            bid(1, mobilisation=date(2027, 1, 2), rate=2200, quality="25"),
            bid(2, mobilisation=date(2027, 1, 5), rate=1500, quality="100"),
            "mobilises 3 days later than the winner (5 January 2027 against 2 January 2027)",
        ),
        (
            bid(1, quality="75", rate=2200),
            bid(2, quality="62.5", rate=1500),
            "mobilises on the same day as the winner; "
            "lower in the provider quality ranking (62.50 against 75.00)",
        ),
        (
            bid(1, provider=7, rate=1900, received=5),
            bid(2, provider=7, rate=2000),
            "mobilises on the same day as the winner; level with the winner in the provider "
            "quality ranking (50.00); £1.00/h above the winning rate of £19.00/h",
        ),
        (
            bid(2, provider=7, received=0),
            bid(1, provider=7, received=1),
            "mobilises on the same day as the winner; level with the winner in the provider "
            "quality ranking (50.00); the same rate as the winner (£19.50/h); "
            "received after the winning bid",
        ),
    ],
)
def test_the_quickest_mobilisation_wins_a_cluster_then_quality_rank_then_rate_then_receipt(
    better: BidFacts, worse: BidFacts, loser_reason: str
) -> None:
    for bids in ([better, worse], [worse, better]):
        evaluation = evaluate(CLUSTER, bids)
        assert winner_of(evaluation) == better.bid_id
        assert evaluation.for_bid(worse.bid_id)[0].reason == loser_reason


def test_a_cluster_winner_is_explained_by_its_mobilisation_date() -> None:
    evaluation = evaluate(
        CLUSTER,
        [
            bid(1, mobilisation=date(2027, 1, 5)),
            bid(2, mobilisation=date(2027, 1, 2), quality="75"),
            bid(3, mobilisation=date(2027, 1, 2), quality="62.5"),
        ],
    )
    assert reasons(evaluation) == {
        2: "quickest mobilisation, on 2 January 2027, among 3 compliant bids; level with the "
        "next-ranked bid on mobilisation date and ahead on the provider quality ranking "
        "(75.00 against 62.50)",
        3: "mobilises on the same day as the winner; "
        "lower in the provider quality ranking (62.50 against 75.00)",
        1: "mobilises 3 days later than the winner (5 January 2027 against 2 January 2027)",
    }


def test_excluded_bids_come_last_unranked_with_every_reason() -> None:
    evaluation = evaluate(
        ENABLEMENT,
        [
            bid(1, rate=2500, provider_failures=("CQC rating inadequate",)),
            bid(2, rate=2000),
            bid(3, accepts_enablement_budget=False, received=-5),
        ],
    )
    assert [(item.bid_id.int, item.rank, item.compliant) for item in evaluation.assessments] == [
        (2, 1, True),
        (3, None, False),
        (1, None, False),
    ]
    excluded = evaluation.for_bid(UUID(int=1))[0]
    assert excluded.exclusions == (
        "CQC rating inadequate",
        "above the maximum price of £24.00/h",
        "outside the rurality-weighted envelope of £440.00 a week",
    )
    assert excluded.reason == (
        "excluded: CQC rating inadequate; above the maximum price of £24.00/h; "
        "outside the rurality-weighted envelope of £440.00 a week"
    )
    assert (
        reasons(evaluation)[2] == "the only compliant bid, with an ongoing-support rate of £20.00/h"
    )


def test_with_no_compliant_bid_there_is_no_winner() -> None:
    evaluation = evaluate(CLUSTER, [bid(1, altered=True), bid(2, mobilisation=None)])
    assert evaluation.winners == ()
    assert evaluation.complete is True
    assert all(item.rank is None for item in evaluation.assessments)


def test_the_assessment_keeps_the_figures_it_was_decided_on() -> None:
    evaluation = evaluate(ENABLEMENT, [bid(1, rate=1975, quality="62.505")])
    assert evaluation.winners[0].figures == {
        "hourly_rate_pence": 1975,
        "weekly_cost_pence": 39500,
        "mobilisation_date": "2027-01-02",
        "quality_score": "62.51",
        "received_at": "2026-12-01T09:00:00+00:00",
    }


def test_an_unknown_kind_of_call_off_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        evaluate(replace(ENABLEMENT, kind="auction"), [bid(1)])


# Abnormally low rates


@pytest.mark.parametrize(
    ("rates", "flagged"),
    [
        ([1950], set()),
        ([1950, 1950, 1950], set()),
        ([1200, 2000], {0}),  # exactly 40% below the other's mean (and 30% below the next)
        ([1400, 2000], {0}),  # exactly 30% below the next-best rate
        ([1401, 2000], set()),
        ([1000, 1400, 1900, 2500], {0}),  # 40% below the others' mean (1933.33) only
        ([1000, 1450, 1500], {0}),  # 30% below the next-best (1450) only
        ([1000, 1000, 2000], set()),  # an equal rate is the next-best; the mean is 1500
        ([900, 1000, 2000, 2000], {0, 1}),
    ],
)
def test_a_rate_far_below_the_others_is_abnormally_low(rates: list[int], flagged: set[int]) -> None:
    assert abnormally_low_bids(dict(enumerate(rates))) == flagged


def test_an_abnormally_low_rate_still_wins_and_only_compliant_rates_count() -> None:
    evaluation = evaluate(
        ENABLEMENT,
        [bid(1, rate=1000), bid(2, rate=2000), bid(3, rate=1100, altered=True)],
    )
    assert winner_of(evaluation) == UUID(int=1)
    assert evaluation.winners[0].flags == (ABNORMALLY_LOW,)
    assert evaluation.for_bid(UUID(int=3))[0].flags == ()
    # Without the excluded bid's rate the remaining compliant rate has nothing to compare with.
    assert (
        evaluate(ENABLEMENT, [bid(1, rate=1000), bid(3, rate=900, altered=True)]).winners[0].flags
        == ()
    )


# Properties

PROVIDERS = [UUID(int=n) for n in range(1, 6)]
DATES = [date(2027, 1, 2), date(2027, 1, 5), date(2027, 1, 14), date(2027, 1, 20), None]
RATES = [900, 1500, 1950, 2000, 2200, 2300, 2500, None]


@st.composite
def bids_of(draw: st.DrawFn) -> list[BidFacts]:
    """A handful of bids, many tied on something, some failing a gate."""
    standing = {
        provider: (
            draw(st.sampled_from(["50", "62.5", "75"])),
            draw(st.sampled_from([None, ADMITTED_EARLY, ADMITTED_LATE])),
        )
        for provider in PROVIDERS
    }
    count = draw(st.integers(1, 8))
    ids = draw(st.lists(st.uuids(), min_size=count, max_size=count, unique=True))
    bids = []
    for bid_id in ids:
        provider = draw(st.sampled_from(PROVIDERS))
        quality, admitted = standing[provider]
        bids.append(
            BidFacts(
                bid_id=bid_id,
                provider_id=provider,
                provider_name=str(provider),
                received_at=T0 + timedelta(seconds=draw(st.integers(0, 2))),
                hourly_rate_pence=draw(st.sampled_from(RATES)),
                mobilisation_date=draw(st.sampled_from(DATES)),
                accepts_enablement_budget=draw(st.sampled_from([True, True, True, False])),
                provider_failures=draw(st.sampled_from([(), (), (), ("CQC rating inadequate",)])),
                altered=draw(st.sampled_from([False, False, False, True])),
                quality_score=Decimal(quality),
                admitted_at=admitted,
            )
        )
    return bids


KINDS = st.sampled_from([ENABLEMENT, CLUSTER])


@given(KINDS, bids_of(), st.data())
def test_the_evaluation_does_not_depend_on_the_order_bids_arrive_in(
    terms: CallOffTerms, bids: list[BidFacts], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(bids))
    assert evaluate(terms, shuffled) == evaluate(terms, bids)


@given(KINDS, bids_of())
def test_the_ranking_is_a_strict_total_order_and_the_winner_is_compliant(
    terms: CallOffTerms, bids: list[BidFacts]
) -> None:
    evaluation = evaluate(terms, bids)
    compliant = [item for item in evaluation.assessments if item.compliant]
    assert [item.rank for item in compliant] == list(range(1, len(compliant) + 1))
    assert evaluation.assessments[: len(compliant)] == tuple(compliant)
    assert all(
        item.rank is None and item.exclusions for item in evaluation.assessments[len(compliant) :]
    )
    ranked = rank_compliant_bids(terms.kind, [b for b in bids if not bid_gate_failures(terms, b)])
    assert [b.bid_id for b in ranked] == [item.bid_id for item in compliant]
    if compliant:
        (won,) = evaluation.winners
        assert won == compliant[0]
        assert not bid_gate_failures(terms, next(b for b in bids if b.bid_id == won.bid_id))
    else:
        assert evaluation.winners == ()


@given(KINDS, bids_of(), st.data())
def test_lowering_the_winning_rate_never_loses(
    terms: CallOffTerms, bids: list[BidFacts], data: st.DataObject
) -> None:
    won = winner_of(evaluate(terms, bids))
    if won is None:
        return
    index = next(i for i, b in enumerate(bids) if b.bid_id == won)
    old_rate = bids[index].hourly_rate_pence
    assert old_rate is not None
    lower = data.draw(st.integers(1, old_rate))
    bids[index] = replace(bids[index], hourly_rate_pence=lower)
    assert winner_of(evaluate(terms, bids)) == won


@given(KINDS, bids_of(), st.data())
def test_excluding_or_removing_a_losing_bid_never_changes_the_winner(
    terms: CallOffTerms, bids: list[BidFacts], data: st.DataObject
) -> None:
    won = winner_of(evaluate(terms, bids))
    losers = [b for b in bids if b.bid_id != won]
    if not losers:
        return
    loser = data.draw(st.sampled_from(losers))
    without = [b for b in bids if b is not loser]
    altered = [replace(b, altered=True) if b is loser else b for b in bids]
    assert winner_of(evaluate(terms, without)) == won
    assert winner_of(evaluate(terms, altered)) == won
