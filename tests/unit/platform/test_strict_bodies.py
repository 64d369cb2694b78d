"""A refused JSON body is read field by field, so that one answer names every wrong field."""

from __future__ import annotations

from marketplace.bids.schemas import BidSubmission
from marketplace.tenders.call_offs.schemas import CallOffCreate
from marketplace.web.sentences import is_plain
from marketplace.web.strict_bodies import every_refusal


def _codes(value: object, shape: object) -> dict[str, str]:
    errors = every_refusal(value, shape)
    assert all(is_plain(error.message) for error in errors), errors
    return {error.field: error.code for error in errors}


def test_a_single_unknown_key_is_named_by_itself() -> None:
    assert _codes({"hourly_rate_pence": 1900, "colour": "red"}, BidSubmission) == {
        "colour": "unknown_field"
    }


def test_every_wrong_field_is_named_strictly_with_unknown_keys_at_any_depth() -> None:
    body = {
        "hourly_rate_pence": "2500",
        "accepts_enablement_budget": "false",
        "areas": [{"area_code": "ASHFORD", "hourly_rate_pence": 0, "shade": 1}],
    }
    assert _codes(body, BidSubmission) == {
        "hourly_rate_pence": "not_a_number",
        "accepts_enablement_budget": "not_a_choice",
        "areas[0].hourly_rate_pence": "too_small",
        "areas[0].shade": "unknown_field",
    }


def test_a_nested_struct_names_each_of_its_own_wrong_fields() -> None:
    body = {
        "kind": "enablement",
        "title": "Ashford",
        "lot_code": "CSH",
        "deadline": "2099-01-01T12:00:00Z",
        "enablement": {"budget_pence": "100", "weeks": 9, "outcomes": [], "extra": True},
    }
    assert set(_codes(body, CallOffCreate)) == {
        "enablement.budget_pence",
        "enablement.weeks",
        "enablement.outcomes",
        "enablement.extra",
    }
