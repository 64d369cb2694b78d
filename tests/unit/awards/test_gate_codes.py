"""Every failed gate carries a stable code with its sentence, so that tests, reports and clients
match on the code; stored evaluations of the old shape (sentences only) are given their codes by
the migrations (pure)."""

from __future__ import annotations

import copy
import importlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
import pytest

from marketplace.admissions.rules import (
    GateFailure,
    ProviderGate,
    decode_gate_failures,
    encode_gate_failures,
    gate_failures,
)
from marketplace.awards.engine.gates import BidGate
from marketplace.awards.engine.ranking import (
    AreaOffer,
    BidFacts,
    CallOffTerms,
    PilotArea,
    Question,
    bid_gate_failures,
    evaluate,
)

AWARDS_MIGRATION = importlib.import_module(
    "marketplace.awards.piccolo_migrations.awards_2026_11_24t10_00_01_000000"
)
BIDS_MIGRATION = importlib.import_module(
    "marketplace.bids.piccolo_migrations.bids_2026_11_24t10_00_00_000000"
)
ENABLEMENT = CallOffTerms("enablement", 2400, 44000, Decimal("20.00"))
CLUSTER = CallOffTerms("cluster", 2400, 44000, Decimal("20.00"), latest_start=date(2027, 1, 14))
PILOT = CallOffTerms(
    "pilot",
    2400,
    200000,
    Decimal(0),
    pilot_areas=(PilotArea("DOVER", Decimal("100.00")),),
    questions=(Question("plan", 1),),
    quality_weight=60,
    price_weight=40,
    min_quality_percent=50,
)
CQC = GateFailure(ProviderGate.CQC_INADEQUATE, "CQC rating inadequate")


def bid(number: int = 1, **facts: Any) -> BidFacts:
    return BidFacts(
        **{
            "bid_id": UUID(int=number),
            "provider_id": UUID(int=1000 + number),
            "provider_name": f"Provider {number}",
            "received_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            "hourly_rate_pence": 1950,
            "mobilisation_date": date(2027, 1, 2),
            "accepts_enablement_budget": True,
            **facts,
        }
    )


def codes(failures: Any) -> list[str]:
    return [failure.code for failure in failures]


# Each case fails the gates named by its codes, in the order the gates are checked.
CASES: list[tuple[CallOffTerms, dict[str, Any], str | None, list[str]]] = [
    (
        ENABLEMENT,
        {
            "hourly_rate_pence": 2500,
            "altered": True,
            "provider_failures": (CQC,),
            "accepts_enablement_budget": False,
        },
        None,
        [
            "cqc_inadequate",
            "altered",
            "above_max_rate",
            "outside_envelope",
            "enablement_budget_not_accepted",
        ],
    ),
    (ENABLEMENT, {"hourly_rate_pence": None}, None, ["no_rate"]),
    (ENABLEMENT, {"hourly_rate_pence": 0}, None, ["rate_not_positive"]),
    (CLUSTER, {"mobilisation_date": None}, None, ["no_mobilisation_date"]),
    (
        CLUSTER,
        {"mobilisation_date": date(2027, 1, 15)},
        None,
        ["mobilisation_after_latest_start"],
    ),
    (PILOT, {"hourly_rate_pence": None}, None, ["no_area_offered"]),
    (PILOT, {"areas": (AreaOffer("KENT", 2000),)}, "KENT", ["not_a_pilot_area"]),
    (PILOT, {"areas": (AreaOffer("THANET", 2000),)}, "DOVER", ["no_offer_for_area"]),
    (PILOT, {"areas": (AreaOffer("DOVER", 2300),)}, "DOVER", ["outside_envelope"]),
]


@pytest.mark.parametrize(("terms", "facts", "area", "expected"), CASES)
def test_each_failed_bid_gate_has_its_code(
    terms: CallOffTerms, facts: dict[str, Any], area: str | None, expected: list[str]
) -> None:
    assert codes(bid_gate_failures(terms, bid(**facts), area)) == expected


def test_a_pilot_offer_below_the_minimum_quality_is_excluded_by_code() -> None:
    scored = AreaOffer("DOVER", 2000, ({"plan": 40},))
    [assessment] = evaluate(PILOT, [bid(areas=(scored,))]).assessments
    assert codes(assessment.exclusions) == ["below_min_quality"]
    assert assessment.exclusions == ("scored 40.00% for quality, below the minimum of 50%",)


def test_an_excluded_bid_keeps_the_codes_of_every_gate_it_failed() -> None:
    evaluation = evaluate(
        ENABLEMENT, [bid(1, hourly_rate_pence=2401), bid(2, provider_failures=(CQC,))]
    )
    by_bid = {item.bid_id.int: codes(item.exclusions) for item in evaluation.assessments}
    assert by_bid == {1: ["above_max_rate", "outside_envelope"], 2: ["cqc_inadequate"]}


def test_each_failed_provider_gate_has_its_code() -> None:
    failures = gate_failures("LOT1", ["DOVER", "ASHFORD"], "Missed visits", "inadequate", True)
    assert codes(failures) == [
        "not_admitted",
        "not_admitted",
        "blocked",
        "cqc_inadequate",
        "enforcement_pending",
    ]


def test_every_code_is_given_by_some_gate() -> None:
    given = {code for *_, expected in CASES for code in expected}
    given |= {"below_min_quality"}
    given |= set(codes(gate_failures("L", ["A"], "reason", "inadequate", True)))
    assert given == set(BidGate) | set(ProviderGate)


def test_a_failed_gate_is_its_sentence_and_keeps_its_code_when_copied() -> None:
    failure = GateFailure(BidGate.ABOVE_MAX_RATE, "above the maximum price of £24.00/h")
    assert failure == "above the maximum price of £24.00/h"
    assert failure.code == "above_max_rate" and type(failure.code) is str
    for copied in (copy.copy(failure), copy.deepcopy(failure)):
        assert copied == failure and copied.code == "above_max_rate"


def test_failed_gates_are_stored_as_code_and_sentence_together() -> None:
    stored = encode_gate_failures([CQC, GateFailure("blocked", "blocked by this commissioner: x")])
    assert msgspec.json.decode(stored) == [
        {"code": "cqc_inadequate", "sentence": "CQC rating inadequate"},
        {"code": "blocked", "sentence": "blocked by this commissioner: x"},
    ]
    read = decode_gate_failures(stored)
    assert codes(read) == ["cqc_inadequate", "blocked"] and read[0] == "CQC rating inadequate"
    assert decode_gate_failures(None) == []


# The migrations of stored evaluations (the old shape: a JSON list of sentences)


def _every_sentence_the_gates_write() -> list[GateFailure]:
    written = [
        failure
        for terms, facts, area, _ in CASES
        for failure in bid_gate_failures(terms, bid(**facts), area)
    ]
    scored = AreaOffer("DOVER", 2000, ({"plan": 40},))
    written += evaluate(PILOT, [bid(areas=(scored,))]).assessments[0].exclusions
    written += gate_failures("LOT1", ["DOVER"], "Late starts: 3\nMissed visits", "inadequate", True)
    written += [
        GateFailure("outside_envelope", "outside the envelope of £2,000.00 a week for DOVER")
    ]
    return written


def test_the_migration_codes_every_sentence_the_gates_write_as_they_code_it() -> None:
    written = _every_sentence_the_gates_write()
    assert {failure.code for failure in written} == set(BidGate) | set(ProviderGate)
    for failure in written:
        assert AWARDS_MIGRATION.code_of(str(failure)) == failure.code, failure


def test_an_old_stored_evaluation_becomes_codes_with_sentences() -> None:
    old = msgspec.json.encode(
        ["CQC rating inadequate", "above the maximum price of £24.00/h", "a wording never written"]
    ).decode()
    new = AWARDS_MIGRATION.with_codes(old)
    assert msgspec.json.decode(new) == [
        {"code": "cqc_inadequate", "sentence": "CQC rating inadequate"},
        {"code": "above_max_rate", "sentence": "above the maximum price of £24.00/h"},
        {"code": "unclassified", "sentence": "a wording never written"},
    ]
    assert codes(decode_gate_failures(new)) == ["cqc_inadequate", "above_max_rate", "unclassified"]
    assert AWARDS_MIGRATION.with_codes(new) == new, "converting twice changes nothing"
    assert AWARDS_MIGRATION.sentences_only(new) == old, "backwards gives the sentences back"
    assert AWARDS_MIGRATION.with_codes("[]") == "[]"


def test_an_old_bid_gate_record_becomes_codes_with_sentences() -> None:
    provider_failures = gate_failures("LOT1", ["DOVER"], "Missed visits", "inadequate", True)
    old = msgspec.json.encode([str(failure) for failure in provider_failures]).decode()
    new = BIDS_MIGRATION.with_codes(old)
    assert new == encode_gate_failures(provider_failures)
    assert BIDS_MIGRATION.with_codes(new) == new
    assert BIDS_MIGRATION.sentences_only(new) == old
    assert BIDS_MIGRATION.with_codes(None) is None
