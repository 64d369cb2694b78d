"""The rules of a bid's own content: one definition for the submission, the live check and the
award engine's gates, so the three never disagree."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from marketplace.awards.engine.gates import bid_gate_failures
from marketplace.awards.engine.values import BidFacts, CallOffTerms
from marketplace.bids.compliance import Limits
from marketplace.bids.forms import mobilisation_check, rate_check
from marketplace.bids.rules import never_compliant
from marketplace.bids.schemas import AreaBid, BidSubmission
from marketplace.web.forms import FormReader
from marketplace.web.sentences import is_plain

TODAY = date(2026, 11, 25)
LATEST = date(2026, 12, 5)
LIMITS = Limits(2400, 19500, Decimal("10.00"), latest_start=LATEST)
PILOT = Limits(2400, 500_000, Decimal(0), pilot_area_hours={"ASHFORD": Decimal("200.00")})
TERMS = CallOffTerms("cluster", 2400, 19500, Decimal("10.00"), latest_start=LATEST)
CONTENT_CODES = {"above_max_rate", "outside_envelope", "mobilisation_after_latest_start"}


def test_a_rate_above_the_maximum_is_refused_with_the_maximum_in_pounds() -> None:
    errors = never_compliant("enablement", LIMITS, BidSubmission(hourly_rate_pence=3000), TODAY)
    assert [e.code for e in errors] == ["above_max_rate", "outside_envelope"]
    error = errors[0]
    assert error.field == "hourly_rate_pence"
    assert "£24.00" in error.message and "£30.00" in error.message and is_plain(error.message)


def test_a_rate_outside_the_envelope_names_the_highest_rate_within_it() -> None:
    [error] = never_compliant("enablement", LIMITS, BidSubmission(hourly_rate_pence=1951), TODAY)
    assert error.code == "outside_envelope" and "£19.50 or less" in error.message
    assert never_compliant("enablement", LIMITS, BidSubmission(hourly_rate_pence=1950), TODAY) == []


def test_a_mobilisation_date_gone_by_or_after_the_latest_start_is_refused() -> None:
    past = BidSubmission(hourly_rate_pence=1900, mobilisation_date=date(2020, 1, 6))
    [error] = never_compliant("cluster", LIMITS, past, TODAY)
    assert error.code == "mobilisation_in_past" and "6 January 2020" in error.message
    late = BidSubmission(hourly_rate_pence=1900, mobilisation_date=LATEST + timedelta(days=1))
    [error] = never_compliant("cluster", LIMITS, late, TODAY)
    assert error.code == "mobilisation_after_latest_start" and "5 December 2026" in error.message
    on_time = BidSubmission(hourly_rate_pence=1900, mobilisation_date=TODAY)
    assert never_compliant("cluster", LIMITS, on_time, TODAY) == []


def test_an_offer_for_an_area_not_in_the_pilot_is_refused() -> None:
    bid = BidSubmission(areas=[AreaBid(area_code="DOVER", hourly_rate_pence=1900)])
    [error] = never_compliant("pilot", PILOT, bid, TODAY)
    assert error.field == "areas[0].area_code" and error.code == "not_a_pilot_area"


@given(st.integers(min_value=1, max_value=100_000))
def test_the_live_check_and_the_submission_agree_on_every_rate(rate: int) -> None:
    typed = f"{rate // 100}.{rate % 100:02d}"
    can_comply, sentence = rate_check(typed, LIMITS)
    refused = never_compliant("enablement", LIMITS, BidSubmission(hourly_rate_pence=rate), TODAY)
    assert can_comply == (not refused)
    assert is_plain(sentence)
    if refused:
        assert sentence == refused[0].message


@given(st.integers(min_value=1, max_value=100_000), st.integers(min_value=-3000, max_value=60))
def test_what_submission_refuses_the_award_gates_exclude(rate: int, days: int) -> None:
    offered = TODAY + timedelta(days=days)
    bid = BidSubmission(hourly_rate_pence=rate, mobilisation_date=offered)
    refused = {e.code for e in never_compliant("cluster", LIMITS, bid, TODAY)}
    facts = BidFacts(None, None, "", None, hourly_rate_pence=rate, mobilisation_date=offered)  # type: ignore[arg-type]
    excluded = {failure.code for failure in bid_gate_failures(TERMS, facts)}
    # A date gone by is refused only at submission: the close may come after a date offered.
    assert refused - {"mobilisation_in_past"} == excluded & CONTENT_CODES


def _typed(day: date) -> FormReader:
    parts = {"day": day.day, "month": day.month, "year": day.year}
    return FormReader({f"mobilisation_date-{part}": str(n) for part, n in parts.items()})


@given(st.integers(min_value=-3000, max_value=60))
def test_the_live_check_and_the_submission_agree_on_every_mobilisation_date(days: int) -> None:
    offered = TODAY + timedelta(days=days)
    checked = mobilisation_check(_typed(offered), LIMITS, TODAY)
    assert checked is not None
    can_comply, sentence = checked
    bid = BidSubmission(hourly_rate_pence=1900, mobilisation_date=offered)
    refused = never_compliant("cluster", LIMITS, bid, TODAY)
    assert can_comply == (not refused)
    assert is_plain(sentence)
    if refused:
        assert sentence == refused[0].message


def test_the_live_check_of_a_date_waits_for_its_three_parts_and_says_a_date_is_not_real() -> None:
    assert mobilisation_check(FormReader({"mobilisation_date-day": "3"}), LIMITS, TODAY) is None
    not_real = {"mobilisation_date-day": "31", "mobilisation_date-month": "2"}
    checked = mobilisation_check(
        FormReader({**not_real, "mobilisation_date-year": "2027"}), LIMITS, TODAY
    )
    assert checked is not None and checked[0] is False and is_plain(checked[1])
