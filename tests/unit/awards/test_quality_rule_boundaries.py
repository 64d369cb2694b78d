"""The provider quality ranking's inputs at their bounds (docs/design.md 4.8, the provider
quality ranking), pure: a quality-monitoring visit scores 0-100, both ends included. `make
mutation` found the upper end pinned only by chance (docs/mutation.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from marketplace.awards.engine.quality import QualityInputs, quality_score


@pytest.mark.parametrize("visit", [0, 100])
def test_a_quality_monitoring_visit_may_score_from_0_to_100_inclusive(visit: int) -> None:
    factors = quality_score(QualityInputs(None, monitoring_scores=(visit,))).factors
    (monitoring,) = [f for f in factors if f.name == "quality_monitoring"]
    assert monitoring.exact == Fraction(visit)
    assert monitoring.explanation == (
        f"1 quality-monitoring visit in the last 6 months scored {visit}: {visit}.00"
    )


@pytest.mark.parametrize("visit", [-1, 101])
def test_a_quality_monitoring_score_outside_0_to_100_is_refused(visit: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        quality_score(QualityInputs(None, monitoring_scores=(visit,)))
