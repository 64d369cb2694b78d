"""The provider quality ranking: each factor's formula at its boundaries, the neutral value of a
factor with no records, the weighted score and its order (docs/design.md 4.8), pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
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
    NEUTRAL,
    QUALITY_FACTORS,
    QualityInputs,
    quality_order_key,
    quality_score,
)
from marketplace.awards.engine.quality_factors import turn_downs_factor
from marketplace.awards.engine.review_cycle import ReviewDue, add_months, next_review

NOTHING = QualityInputs(None)
ONLY = dict.fromkeys(DEFAULT_QUALITY_WEIGHTS, 0)


def found(inputs: QualityInputs, name: str) -> tuple[Fraction, str, bool]:
    f = next(f for f in quality_score(inputs).factors if f.name == name)
    return f.exact, f.explanation, f.recorded


def value(inputs: QualityInputs, name: str) -> Fraction:
    return found(inputs, name)[0]


def test_the_default_weights_are_todays_five_and_the_new_factors_at_0() -> None:
    assert DEFAULT_QUALITY_WEIGHTS == {
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
    assert sum(DEFAULT_QUALITY_WEIGHTS.values()) == 100
    assert [f.name for f in quality_score(NOTHING).factors] == list(QUALITY_FACTORS)


def test_with_no_records_every_factor_says_so_and_scores_its_neutral_value() -> None:
    score = quality_score(NOTHING)
    assert all(not f.recorded for f in score.factors)
    assert all(f.explanation.startswith("no records yet (") for f in score.factors)
    assert {f.name: f.exact for f in score.factors} == NEUTRAL
    assert NEUTRAL == {
        "cqc_rating": 50,
        "response_rate": 50,
        "hand_backs": 100,
        "late_starts": 100,
        "quality_monitoring": 50,
        "tender_score": 50,
        "turn_downs": 100,
        "safeguarding": 100,
        "complaints": 100,
        "compliments": 50,
    }


def test_a_commissioner_who_configures_nothing_is_ranked_as_before() -> None:
    # The design's examples: the neutral values reproduce the fixed values of before.
    assert quality_score(NOTHING).score == Decimal("62.50")  # 50, 50, 100, 100, 50
    good = QualityInputs("good", invitations=10, responses=7)
    assert quality_score(good).score == Decimal("76.50")


@pytest.mark.parametrize(
    ("rating", "expected", "words", "recorded"),
    [
        ("outstanding", 100, "CQC rating outstanding: 100.00", True),
        ("good", 75, "CQC rating good: 75.00", True),
        ("not_yet_rated", 50, "CQC rating not yet rated: 50.00", True),
        (None, 50, "no records yet (no CQC rating), neutral value: 50.00", False),
        ("requires_improvement", 25, "CQC rating requires improvement: 25.00", True),
        ("inadequate", 0, "CQC rating inadequate: 0.00", True),
    ],
)
def test_the_cqc_rating_scores_by_its_grade(
    rating: str | None, expected: int, words: str, recorded: bool
) -> None:
    assert found(QualityInputs(rating), "cqc_rating") == (expected, words, recorded)


def test_an_unknown_cqc_rating_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown CQC rating"):
        quality_score(QualityInputs("excellent"))


@pytest.mark.parametrize(
    ("invitations", "responses", "expected", "words"),
    [
        (0, 0, 50, "no records yet (no invitation closed in the last 6 months), neutral value"),
        (1, 0, 0, "answered 0 of 1 invitation in the last 6 months"),
        (1, 1, 100, "answered 1 of 1 invitation in the last 6 months"),
        (3, 1, Fraction(100, 3), "answered 1 of 3 invitations in the last 6 months"),
        (4, 3, 75, "answered 3 of 4 invitations in the last 6 months"),
        (2, 5, 100, "answered 5 of 2 invitations in the last 6 months"),
    ],
)
def test_the_response_rate_is_answered_invitations_over_invitations(
    invitations: int, responses: int, expected: Fraction, words: str
) -> None:
    exact, explanation, _ = found(QualityInputs("good", invitations, responses), "response_rate")
    assert exact == expected and explanation.startswith(words)


@pytest.mark.parametrize(
    ("events", "out_of", "expected", "recorded"),
    [
        (None, None, 100, False),
        (None, 4, 100, False),
        (0, 0, 100, False),
        (0, 1, 100, True),
        (1, 1, 0, True),
        (1, 4, 75, True),
        (3, 4, 25, True),
        (2, 3, Fraction(100, 3), True),
        (2, 0, 0, True),  # more events than recorded care: out of the events themselves
        (5, 2, 0, True),
    ],
)
def test_hand_backs_and_late_starts_are_a_share_of_the_care(
    events: int | None, out_of: int | None, expected: Fraction, recorded: bool
) -> None:
    handed_back = QualityInputs("good", care_awarded=out_of, hand_backs=events)
    late = QualityInputs("good", care_started=out_of, late_starts=events)
    assert value(handed_back, "hand_backs") == expected
    assert value(late, "late_starts") == expected
    assert found(handed_back, "hand_backs")[2] is recorded
    assert found(late, "late_starts")[2] is recorded


def test_hand_backs_and_late_starts_explain_themselves() -> None:
    inputs = QualityInputs("good", care_awarded=4, hand_backs=1, care_started=3, late_starts=0)
    assert found(inputs, "hand_backs")[1] == (
        "1 of 4 packages handed back in the last 6 months: 75.00"
    )
    assert found(inputs, "late_starts")[1] == (
        "0 of 3 starts later than promised in the last 6 months: 100.00"
    )
    assert found(NOTHING, "hand_backs")[1] == (
        "no records yet (no awarded care recorded in the last 6 months), neutral value: 100.00"
    )


@pytest.mark.parametrize(
    ("scores", "expected", "words"),
    [
        ((), 50, "no records yet (no quality-monitoring visit in the last 6 months)"),
        ((0,), 0, "1 quality-monitoring visit in the last 6 months scored 0: 0.00"),
        ((100,), 100, "1 quality-monitoring visit in the last 6 months scored 100: 100.00"),
        ((70, 85), Fraction(155, 2), "mean score of 2 quality-monitoring visits"),
        ((60, 61, 61), Fraction(182, 3), "mean score of 3 quality-monitoring visits"),
    ],
)
def test_monitoring_is_the_mean_visit_score(
    scores: tuple[int, ...], expected: Fraction, words: str
) -> None:
    exact, explanation, recorded = found(
        QualityInputs("good", monitoring_scores=scores), "quality_monitoring"
    )
    assert exact == expected and explanation.startswith(words) and recorded is bool(scores)


@pytest.mark.parametrize(("score", "recorded"), [(None, False), (0, True), (64, True), (100, True)])
def test_the_tender_score_is_the_one_recorded_at_admission(
    score: int | None, recorded: bool
) -> None:
    exact, _, was_recorded = found(QualityInputs("good", tender_score=score), "tender_score")
    assert exact == (50 if score is None else score) and was_recorded is recorded


@pytest.mark.parametrize(
    ("declines", "invitations", "expected", "recorded"),
    [(0, 0, 100, False), (0, 1, 100, True), (1, 1, 0, True), (1, 4, 75, True), (3, 2, 0, True)],
)
def test_turn_downs_are_the_share_of_invitations_declined(
    declines: int, invitations: int, expected: Fraction, recorded: bool
) -> None:
    inputs = QualityInputs("good", invitations=invitations, declines=declines)
    exact, _, was_recorded = found(inputs, "turn_downs")
    assert exact == expected and was_recorded is recorded


@pytest.mark.parametrize(
    ("events", "safeguarding", "complaints", "compliments"),
    [
        (0, 100, 100, 50),
        (1, 50, 80, 60),
        (2, 0, 60, 70),
        (3, 0, 40, 80),
        (5, 0, 0, 100),
        (6, 0, 0, 100),
    ],
)
def test_safeguarding_complaints_and_compliments_count_their_records(
    events: int, safeguarding: int, complaints: int, compliments: int
) -> None:
    inputs = QualityInputs(
        "good", safeguarding_concerns=events, upheld_complaints=events, compliments=events
    )
    assert value(inputs, "safeguarding") == safeguarding
    assert value(inputs, "complaints") == complaints
    assert value(inputs, "compliments") == compliments
    assert all(found(inputs, name)[2] is (events > 0) for name in ("safeguarding", "compliments"))


def test_counted_records_explain_themselves() -> None:
    inputs = QualityInputs("good", safeguarding_concerns=1, upheld_complaints=2, compliments=1)
    assert [found(inputs, n)[1] for n in ("safeguarding", "complaints", "compliments")] == [
        "1 substantiated safeguarding concern in the last 6 months: 50.00",
        "2 upheld complaints in the last 6 months: 60.00",
        "1 compliment in the last 6 months: 60.00",
    ]


def test_the_commissioners_weights_replace_the_defaults() -> None:
    inputs = QualityInputs("requires_improvement", invitations=8, responses=1)
    only_cqc = quality_score(inputs, {**ONLY, "cqc_rating": 1})
    assert only_cqc.exact == 25
    # (1 * 25 + 3 * 12.5) / 4 = 15.625, shown half-up as 15.63 (not banker's 15.62)
    mixed = quality_score(inputs, {**ONLY, "cqc_rating": 1, "response_rate": 3})
    assert (mixed.exact, mixed.score) == (Fraction(125, 8), Decimal("15.63"))
    assert [f.weight for f in mixed.factors] == [1, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    # A factor left out keeps its default weight.
    assert quality_score(inputs, {"cqc_rating": 40}) == quality_score(inputs)
    complaints = QualityInputs("good", upheld_complaints=1)
    assert quality_score(complaints, {**ONLY, "complaints": 100}).exact == 80


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
        QualityInputs(None, invitations=-1),
        QualityInputs(None, hand_backs=-1, care_awarded=2),
        QualityInputs(None, monitoring_scores=(101,)),
        QualityInputs(None, monitoring_scores=(-1,)),
        QualityInputs(None, tender_score=101),
        QualityInputs(None, compliments=-1),
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
MAYBE = st.one_of(st.none(), COUNTS)
INPUTS = st.builds(
    QualityInputs,
    st.sampled_from(["outstanding", "good", "not_yet_rated", "requires_improvement", None]),
    invitations=COUNTS,
    responses=COUNTS,
    declines=COUNTS,
    care_awarded=MAYBE,
    hand_backs=MAYBE,
    care_started=MAYBE,
    late_starts=MAYBE,
    monitoring_scores=st.lists(st.integers(0, 100), max_size=4).map(tuple),
    tender_score=st.one_of(st.none(), st.integers(0, 100)),
    safeguarding_concerns=COUNTS,
    upheld_complaints=COUNTS,
    compliments=COUNTS,
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
    assert all(0 <= f.exact <= 100 for f in score.factors)
    assert score.score == score.score.quantize(Decimal("0.01"))
    assert abs(score.score - Decimal(score.exact.numerator) / score.exact.denominator) <= Decimal(
        "0.005"
    )


def _one_more(inputs: QualityInputs, field: str) -> QualityInputs:
    return replace(inputs, **{field: (getattr(inputs, field) or 0) + 1})


@given(INPUTS, WEIGHTS)
def test_another_event_against_the_provider_never_raises_the_score(
    inputs: QualityInputs, weights: dict[str, int] | None
) -> None:
    before = quality_score(inputs, weights).exact
    for field in ("hand_backs", "late_starts", "safeguarding_concerns", "upheld_complaints"):
        assert quality_score(_one_more(inputs, field), weights).exact <= before
    if inputs.declines < inputs.invitations:
        assert quality_score(_one_more(inputs, "declines"), weights).exact <= before
    assert quality_score(_one_more(inputs, "compliments"), weights).exact >= before


@given(INPUTS)
def test_a_factor_with_no_records_scores_its_neutral_value(inputs: QualityInputs) -> None:
    for factor in quality_score(inputs).factors:
        if not factor.recorded:
            assert factor.exact == NEUTRAL[factor.name]
            assert factor.explanation.startswith("no records yet")


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


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 7, 1), 6, date(2027, 1, 1)),
        (date(2026, 12, 31), 6, date(2027, 6, 30)),
    ],
)
def test_six_calendar_months_keep_the_day_or_end_the_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_the_next_review_is_due_six_months_after_the_last() -> None:
    assert next_review(None, date(2026, 5, 1)) == ReviewDue(
        None, True, "No review yet: one is due now"
    )
    last, due = date(2026, 1, 15), date(2026, 7, 15)
    assert next_review(last, date(2026, 7, 14)) == ReviewDue(due, False, "Due on 15 July 2026")
    assert next_review(last, due) == ReviewDue(due, False, "Due today, 15 July 2026")
    assert next_review(last, date(2026, 7, 16)) == ReviewDue(
        due, True, "Overdue: the next review was due on 15 July 2026"
    )


def test_every_factor_says_why_it_has_no_records() -> None:
    assert [f.explanation for f in quality_score(NOTHING).factors] == [
        "no records yet (no CQC rating), neutral value: 50.00",
        "no records yet (no invitation closed in the last 6 months), neutral value: 50.00",
        "no records yet (no awarded care recorded in the last 6 months), neutral value: 100.00",
        "no records yet (no start of care recorded in the last 6 months), neutral value: 100.00",
        "no records yet (no quality-monitoring visit in the last 6 months), neutral value: 50.00",
        "no records yet (no tender evaluation score recorded), neutral value: 50.00",
        "no records yet (no invitation closed in the last 6 months), neutral value: 100.00",
        "no records yet (no substantiated safeguarding concern recorded in the last 6 months), "
        "neutral value: 100.00",
        "no records yet (no upheld complaint recorded in the last 6 months), neutral value: 100.00",
        "no records yet (no compliment recorded in the last 6 months), neutral value: 50.00",
    ]
    assert [f.value for f in quality_score(NOTHING).factors] == [
        Decimal(n).quantize(Decimal("0.01")) for n in (50, 50, 100, 100, 50, 50, 100, 100, 100, 50)
    ]


def test_recorded_factors_explain_their_figures() -> None:
    inputs = QualityInputs(
        "good", invitations=4, responses=3, declines=1, tender_score=64, monitoring_scores=(70,)
    )
    assert found(inputs, "turn_downs")[1] == (
        "declined 1 of 4 invitations in the last 6 months: 75.00"
    )
    assert found(QualityInputs("good", invitations=1), "turn_downs")[1] == (
        "declined 0 of 1 invitation in the last 6 months: 100.00"
    )
    assert found(inputs, "tender_score")[1] == "tender evaluation score 64: 64.00"
    assert found(inputs, "response_rate")[1] == (
        "answered 3 of 4 invitations in the last 6 months: 75.00"
    )
    score = quality_score(inputs)
    assert [f.value for f in score.factors][:2] == [Decimal("75.00"), Decimal("75.00")]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (QualityInputs(None, invitations=-1), "a count of invitations cannot be negative"),
        (QualityInputs(None, responses=-1), "a count of responses cannot be negative"),
        (QualityInputs(None, declines=-1), "a count of declines cannot be negative"),
        (QualityInputs(None, hand_backs=-1), "a count of hand-backs cannot be negative"),
        (QualityInputs(None, care_awarded=-1), "a count of awarded care cannot be negative"),
        (QualityInputs(None, late_starts=-1), "a count of late starts cannot be negative"),
        (QualityInputs(None, care_started=-1), "a count of starts cannot be negative"),
        (
            QualityInputs(None, safeguarding_concerns=-1),
            "a count of substantiated safeguarding concern cannot be negative",
        ),
        (
            QualityInputs(None, upheld_complaints=-1),
            "a count of upheld complaint cannot be negative",
        ),
        (QualityInputs(None, compliments=-1), "a count of compliments cannot be negative"),
        (
            QualityInputs(None, monitoring_scores=(101,)),
            "a quality-monitoring score is between 0 and 100",
        ),
        (QualityInputs(None, tender_score=-1), "a tender evaluation score is between 0 and 100"),
    ],
)
def test_each_impossible_input_is_refused_by_name(inputs: QualityInputs, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        quality_score(inputs)


def test_turn_downs_refuse_a_negative_count_of_their_own() -> None:
    # Through quality_score the response rate refuses a negative invitation count first.
    with pytest.raises(ValueError, match=r"^a count of invitations cannot be negative$"):
        turn_downs_factor(0, -1)
