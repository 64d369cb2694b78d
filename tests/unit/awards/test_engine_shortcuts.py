"""The award engine's quicker paths give what the exact rules (docs/design.md 4.1) give: the
two-place display and the pilot's scores in whole numbers against the Fraction arithmetic they
replace, a week's cost in whole pence against the Decimal product rounded half-up, the gates of
many bids against each bid gated on its own, and an assessment made for a bid against the
dataclass built field by field (pure)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.awards.engine.gates import Gates, bid_gate_failures
from marketplace.awards.engine.phrases import two_places
from marketplace.awards.engine.pilot import _in_rank_order, quality_percent, total_score
from marketplace.awards.engine.pilot_assignment import AreaCandidate
from marketplace.awards.engine.quality import quality_order_key
from marketplace.awards.engine.values import (
    AreaOffer,
    Assessment,
    BidFacts,
    CallOffTerms,
    PilotArea,
    Question,
)
from marketplace.tenders.call_offs.envelope import round_half_up, weekly_cost_pence

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def fraction_two_places(value: Fraction | Decimal | int) -> Decimal:
    """The display rounding as it was written with Fractions."""
    exact = Fraction(value)
    hundredths = (abs(exact) * 100 + Fraction(1, 2)).__floor__()
    return (Decimal(-hundredths if exact < 0 else hundredths) / 100).quantize(Decimal("0.01"))


EXACT_VALUES = st.one_of(
    st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6),
    st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False),
    st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False),
    st.integers(-(10**9), 10**9),
)


@given(EXACT_VALUES)
def test_a_value_is_shown_to_two_places_as_its_exact_fraction_rounds_half_up(
    value: Fraction | Decimal | int,
) -> None:
    shown = two_places(value)
    assert shown == fraction_two_places(value)
    assert str(shown) == str(fraction_two_places(value))


def test_halves_round_away_from_zero_and_a_tiny_negative_shows_as_zero() -> None:
    assert str(two_places(Fraction(1, 200))) == "0.01"
    assert str(two_places(Decimal("-0.005"))) == "-0.01"
    assert str(two_places(Decimal("-0.004"))) == "0.00"
    assert str(two_places(Decimal("62.5"))) == "62.50"


HOURS = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=2),
    st.decimals(min_value=-1000, max_value=1000, places=3),
    st.decimals(min_value=-1000, max_value=1000, places=0),
    st.decimals(min_value=0, max_value=10**12, places=2),
)


@given(st.integers(-(10**14), 10**14), HOURS)
def test_a_weeks_cost_in_whole_pence_is_the_decimal_product_rounded_half_up(
    rate: int, hours: Decimal
) -> None:
    assert weekly_cost_pence(rate, hours) == round_half_up(Decimal(rate) * hours)


def test_a_weeks_cost_rounds_half_pence_up() -> None:
    assert weekly_cost_pence(2087, Decimal("20.75")) == 43305  # 43,305.25
    assert weekly_cost_pence(2, Decimal("0.25")) == 1  # 0.50
    assert weekly_cost_pence(-2, Decimal("0.25")) == -1  # away from zero
    assert weekly_cost_pence(3, Decimal("0.125")) == 0  # 0.375: not whole hundredths of hours


SCORES = st.integers(0, 100)


@given(
    st.lists(st.integers(1, 50), min_size=1, max_size=5),
    st.integers(1, 4),
    st.data(),
    st.integers(0, 100),
    st.integers(1, 5000),
    st.integers(1, 5000),
)
def test_pilot_scores_are_the_exact_fractions_of_the_formulas(
    weights: list[int],
    evaluators: int,
    data: st.DataObject,
    quality_weight: int,
    lowest: int,
    rate: int,
) -> None:
    questions = [Question(f"q{n}", weight) for n, weight in enumerate(weights)]
    sheets = [{q.id: data.draw(SCORES) for q in questions} for _ in range(evaluators)]
    means = [Fraction(sum(sheet[q.id] for sheet in sheets), evaluators) for q in questions]
    expected = sum(
        (q.weight * mean for q, mean in zip(questions, means, strict=True)), Fraction(0)
    ) / sum(weights)
    quality = quality_percent(questions, sheets)
    assert quality == expected
    terms = CallOffTerms(
        "pilot", 2400, None, Decimal(0), quality_weight=quality_weight, price_weight=40
    )
    price = Fraction(100 * lowest, rate)
    assert total_score(terms, expected, price) == (quality_weight * expected + 40 * price) / 100


DAYS = st.one_of(st.none(), st.dates(date(2026, 12, 1), date(2027, 2, 1)))
RATES = st.one_of(st.none(), st.integers(-5, 3000), st.sampled_from([2000, 2200, 2400]))


@st.composite
def a_bid(draw: st.DrawFn) -> BidFacts:
    number = draw(st.integers(1, 10**6))
    areas = draw(st.lists(st.sampled_from(["A", "B", "Z"]), unique=True, max_size=3))
    return BidFacts(
        bid_id=UUID(int=number),
        provider_id=UUID(int=10**7 + number),
        provider_name=f"Provider {number}",
        received_at=T0 + timedelta(seconds=number),
        hourly_rate_pence=draw(RATES),
        mobilisation_date=draw(DAYS),
        accepts_enablement_budget=draw(st.sampled_from([None, True, False])),
        areas=tuple(AreaOffer(code, draw(st.integers(-5, 3000))) for code in areas),
        altered=draw(st.booleans()),
    )


@given(
    st.sampled_from(["enablement", "cluster", "pilot"]),
    st.one_of(st.none(), st.integers(0, 100_000)),
    st.lists(a_bid(), max_size=30),
)
def test_gating_many_bids_of_a_call_off_is_gating_each_on_its_own(
    kind: str, envelope: int | None, bids: list[BidFacts]
) -> None:
    terms = CallOffTerms(
        kind,
        2400,
        envelope if kind == "pilot" else (envelope or 44000),
        Decimal("20.25"),
        latest_start=date(2027, 1, 1),
        pilot_areas=(PilotArea("A", Decimal("10.50")), PilotArea("B", Decimal("0.25"))),
    )
    gates = Gates(terms)
    for bid in bids:
        for code in [None, "A", "B", "Z"] if kind == "pilot" else [None]:
            shared, alone = gates.failures(bid, code), bid_gate_failures(terms, bid, code)
            assert shared == alone
            assert [failure.code for failure in shared] == [failure.code for failure in alone]


def test_an_assessment_made_for_a_bid_is_the_dataclass_of_its_fields() -> None:
    bid = BidFacts(UUID(int=1), UUID(int=2), "Provider 2", T0)
    made = Assessment.of(bid, "A", 3, False, (), {"hourly_rate_pence": 2000}, "a reason")
    built = Assessment(
        UUID(int=1),
        UUID(int=2),
        "Provider 2",
        "A",
        True,
        3,
        False,
        (),
        (),
        {"hourly_rate_pence": 2000},
        "a reason",
    )
    assert made == built
    assert repr(made) == repr(built)
    assert vars(made) == vars(built)
    with pytest.raises(FrozenInstanceError):
        made.rank = 1  # type: ignore[misc]
    assert replace(made, flags=("abnormally_low",)).flags == ("abnormally_low",)


NEAR_ONE = st.sampled_from(
    [Fraction(1), Fraction(10**20 + 1, 10**20), Fraction(10**20 - 1, 10**20), Fraction(2, 3)]
)


@given(st.lists(st.tuples(NEAR_ONE, st.integers(0, 3), st.integers(0, 3)), max_size=12))
def test_offers_ranked_on_float_totals_first_keep_the_exact_rank_order(
    facts: list[tuple[Fraction, int, int]],
) -> None:
    """Totals closer than a float can tell apart (1 and 1 + 10^-20) still rank exactly."""
    keyed = [
        (
            AreaCandidate(
                "A",
                UUID(int=n),
                UUID(int=100 + provider),
                total,
                quality_order_key(50, None, UUID(int=100 + provider)),
                T0 + timedelta(seconds=received),
            ),
            n,
        )
        for n, (total, provider, received) in enumerate(facts)
    ]
    expected = sorted(keyed, key=lambda pair: pair[0].rank_key())
    assert _in_rank_order(list(keyed)) == expected  # type: ignore[arg-type]
