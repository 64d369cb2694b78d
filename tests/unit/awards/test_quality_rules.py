"""The provider quality ranking score and its order (docs/design.md section 4, Provider quality
ranking), pure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from random import Random
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.awards.engine.quality import (
    DEFAULT_QUALITY_WEIGHTS,
    QualityInputs,
    quality_order_key,
    quality_score,
)

NOTHING = QualityInputs(None, 0, 0, 0, 0, None)
ONLY = dict.fromkeys(DEFAULT_QUALITY_WEIGHTS, 0)


def factor(inputs: QualityInputs, name: str) -> Fraction:
    return next(f.exact for f in quality_score(inputs).factors if f.name == name)


def test_the_default_weights_are_the_designs() -> None:
    assert DEFAULT_QUALITY_WEIGHTS == {
        "cqc_rating": 40,
        "response_rate": 20,
        "hand_backs": 15,
        "late_starts": 10,
        "quality_monitoring": 15,
    }


@pytest.mark.parametrize(
    ("rating", "value", "words"),
    [
        ("outstanding", 100, "CQC rating outstanding: 100.00"),
        ("good", 75, "CQC rating good: 75.00"),
        ("not_yet_rated", 50, "CQC rating not yet rated: 50.00"),
        (None, 50, "no CQC rating yet: 50.00"),
        ("requires_improvement", 25, "CQC rating requires improvement: 25.00"),
        ("inadequate", 0, "CQC rating inadequate: 0.00"),
    ],
)
def test_the_cqc_rating_scores_by_its_grade(rating: str | None, value: int, words: str) -> None:
    (cqc, *_) = quality_score(QualityInputs(rating, 0, 0, 0, 0, None)).factors
    assert (cqc.name, cqc.weight, cqc.exact, cqc.value, cqc.explanation) == (
        "cqc_rating",
        40,
        value,
        Decimal(value).quantize(Decimal("0.01")),
        words,
    )


def test_an_unknown_cqc_rating_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown CQC rating"):
        quality_score(QualityInputs("excellent", 0, 0, 0, 0, None))


@pytest.mark.parametrize(
    ("invitations", "bids", "value", "words"),
    [
        (0, 0, Fraction(50), "no invitations in the last 6 months: 50.00"),
        (4, 3, Fraction(75), "bid for 3 of 4 invitations in the last 6 months: 75.00"),
        (3, 1, Fraction(100, 3), "bid for 1 of 3 invitations in the last 6 months: 33.33"),
        (1, 0, Fraction(0), "bid for 0 of 1 invitation in the last 6 months: 0.00"),
        (2, 5, Fraction(100), "bid for 5 of 2 invitations in the last 6 months: 100.00"),
    ],
)
def test_the_response_rate_is_bids_over_invitations(
    invitations: int, bids: int, value: Fraction, words: str
) -> None:
    inputs = QualityInputs("good", invitations, bids, 0, 0, None)
    response = quality_score(inputs).factors[1]
    assert (response.name, response.exact, response.explanation) == ("response_rate", value, words)


@pytest.mark.parametrize(("events", "value"), [(0, 100), (1, 80), (2, 60), (4, 20), (5, 0), (9, 0)])
def test_each_hand_back_and_late_start_costs_20_not_below_0(events: int, value: int) -> None:
    assert factor(QualityInputs("good", 0, 0, events, 0, None), "hand_backs") == value
    assert factor(QualityInputs("good", 0, 0, 0, events, None), "late_starts") == value


def test_the_factors_explain_themselves() -> None:
    score = quality_score(QualityInputs("good", 4, 3, 1, 0, 85))
    assert [f.explanation for f in score.factors] == [
        "CQC rating good: 75.00",
        "bid for 3 of 4 invitations in the last 6 months: 75.00",
        "1 package handed back in the last 6 months: 80.00",
        "no starts later than promised in the last 6 months: 100.00",
        "latest quality-monitoring visit scored 85: 85.00",
    ]
    assert quality_score(NOTHING).factors[4].explanation == "no quality-monitoring visit yet: 50.00"


def test_the_score_is_the_weighted_mean_of_the_factors() -> None:
    score = quality_score(QualityInputs("good", 4, 3, 1, 0, 85))
    # (40 * 75 + 20 * 75 + 15 * 80 + 10 * 100 + 15 * 85) / 100
    assert score.exact == Fraction(7975, 100)
    assert score.score == Decimal("79.75")
    assert quality_score(NOTHING).score == Decimal("62.50")  # 50, 50, 100, 100, 50


def test_the_commissioners_weights_replace_the_defaults() -> None:
    inputs = QualityInputs("requires_improvement", 8, 1, 0, 0, None)
    only_cqc = quality_score(inputs, {**ONLY, "cqc_rating": 1})
    assert only_cqc.exact == 25
    # (1 * 25 + 3 * 12.5) / 4 = 15.625, shown half-up as 15.63 (not banker's 15.62)
    mixed = quality_score(inputs, {**ONLY, "cqc_rating": 1, "response_rate": 3})
    assert (mixed.exact, mixed.score) == (Fraction(125, 8), Decimal("15.63"))
    assert [f.weight for f in mixed.factors] == [1, 3, 0, 0, 0]
    # A factor left out keeps its default weight.
    assert quality_score(inputs, {"cqc_rating": 40}) == quality_score(inputs)


@pytest.mark.parametrize(
    "weights",
    [{"price": 10}, dict.fromkeys(DEFAULT_QUALITY_WEIGHTS, 0), {"cqc_rating": -1}],
)
def test_weights_must_name_known_factors_and_not_all_be_zero(weights: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="quality"):
        quality_score(NOTHING, weights)


@pytest.mark.parametrize(
    "inputs",
    [
        QualityInputs(None, -1, 0, 0, 0, None),
        QualityInputs(None, 0, 0, -1, 0, None),
        QualityInputs(None, 0, 0, 0, 0, 101),
    ],
)
def test_impossible_inputs_are_refused(inputs: QualityInputs) -> None:
    with pytest.raises(ValueError):
        quality_score(inputs)


EARLY = datetime(2025, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ((Decimal("75.00"), LATE, UUID(int=9)), (Decimal("74.99"), EARLY, UUID(int=1))),
        ((Decimal("75"), EARLY, UUID(int=9)), (Decimal("75.00"), LATE, UUID(int=1))),
        ((Decimal("75"), LATE, UUID(int=9)), (Decimal("75"), None, UUID(int=1))),
        ((Fraction(150, 2), EARLY, UUID(int=1)), (Decimal("75"), EARLY, UUID(int=2))),
        ((Decimal("75"), None, UUID(int=1)), (Decimal("75"), None, UUID(int=2))),
    ],
)
def test_a_better_rank_is_a_higher_score_then_earlier_admission_then_provider(
    better: tuple[Decimal, datetime | None, UUID], worse: tuple[Decimal, datetime | None, UUID]
) -> None:
    assert quality_order_key(*better) < quality_order_key(*worse)


COUNTS = st.integers(0, 12)
INPUTS = st.builds(
    QualityInputs,
    st.sampled_from(["outstanding", "good", "not_yet_rated", "requires_improvement", None]),
    COUNTS,
    COUNTS,
    COUNTS,
    COUNTS,
    st.one_of(st.none(), st.integers(0, 100)),
)
WEIGHTS = st.one_of(
    st.none(),
    st.fixed_dictionaries({name: st.integers(0, 50) for name in DEFAULT_QUALITY_WEIGHTS}).filter(
        lambda weights: sum(weights.values()) > 0
    ),
)


@given(INPUTS, WEIGHTS)
def test_the_score_is_between_0_and_100_and_shown_to_two_places(
    inputs: QualityInputs, weights: dict[str, int] | None
) -> None:
    score = quality_score(inputs, weights)
    assert 0 <= score.exact <= 100
    assert score.score == score.score.quantize(Decimal("0.01"))
    assert abs(score.score - Decimal(score.exact.numerator) / score.exact.denominator) <= Decimal(
        "0.005"
    )


@given(INPUTS, WEIGHTS)
def test_another_hand_back_or_late_start_never_raises_the_score(
    inputs: QualityInputs, weights: dict[str, int] | None
) -> None:
    before = quality_score(inputs, weights).exact
    handed_back = QualityInputs(**{**vars(inputs), "hand_backs": inputs.hand_backs + 1})
    late = QualityInputs(**{**vars(inputs), "late_starts": inputs.late_starts + 1})
    assert quality_score(handed_back, weights).exact <= before
    assert quality_score(late, weights).exact <= before


@given(
    st.lists(
        st.tuples(
            st.sampled_from([Decimal("50"), Decimal("62.5"), Decimal("75")]),
            st.sampled_from([None, EARLY, LATE]),
            st.uuids(),
        ),
        unique_by=lambda entry: entry[2],
    ),
    st.randoms(),
)
def test_the_quality_order_is_total_and_ignores_input_order(
    providers: list[tuple[Decimal, datetime | None, UUID]], random: Random
) -> None:
    ordered = sorted(providers, key=lambda entry: quality_order_key(*entry))
    shuffled = list(providers)
    random.shuffle(shuffled)
    assert sorted(shuffled, key=lambda entry: quality_order_key(*entry)) == ordered
    keys = [quality_order_key(*entry) for entry in ordered]
    assert all(a < b for a, b in pairwise(keys))
