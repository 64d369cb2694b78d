"""What the fuzzing found after the merge: the API accepts what its OpenAPI document says it
accepts, and refuses with 422 (not 400) a rule no schema can say."""

from __future__ import annotations

import re
from typing import Any

from marketplace.accounts.tables import CqcRatingChange
from tests.factories import bearer, make_admin, make_organisation


async def test_the_email_pattern_names_every_space_either_regex_dialect_knows(
    client: Any,
) -> None:
    # JSON Schema's patterns are ECMA regexes: `\s` there leaves out \x1d, which Python's `\s`
    # takes in, so a schema-valid email was refused. The pattern now names both sets.
    document = (await client.get("/api/docs/openapi.json")).json()
    patterns = {
        schema["properties"]["email"]["pattern"]
        for schema in document["components"]["schemas"].values()
        if "pattern" in schema.get("properties", {}).get("email", {})
    }
    assert patterns
    for pattern in patterns:
        assert "\\x1c-\\x1f" in pattern and "\\x85" in pattern and "\\ufeff" in pattern
        assert re.search(pattern, "care@example.org")
        for space in ("\x1d", "\x85", "\ufeff", "\u00a0", " "):
            assert not re.search(pattern, f"care{space}x@example.org")


async def test_a_rating_for_an_organisation_that_is_not_a_provider_breaks_a_rule(
    client: Any,
) -> None:
    commissioner = await make_organisation("commissioner")
    _, token = await make_admin()

    refused = await client.put(
        f"/api/v1/organisations/{commissioner.id}/cqc-rating",
        json={"rating": "good", "reason": "read the report"},
        headers=bearer(token),
    )

    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("rating", "not_a_provider")
    ]
    assert await CqcRatingChange.count() == 0


async def test_a_cqc_location_id_is_written_in_ascii_digits(client: Any) -> None:
    _, token = await make_admin()
    # Arabic-Indic digits are digits to Python's `\d`, not to JSON Schema's.
    refused = await client.post(
        "/api/v1/organisations",
        json={
            "kind": "provider",
            "name": "Eastern Digits Care",
            "cqc_location_id": "1-\u0661\u0662\u0663\u0664\u0665\u0666",
            "cqc_rating": "good",
        },
        headers=bearer(token),
    )
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["cqc_location_id"]
