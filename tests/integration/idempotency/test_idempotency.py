"""Idempotency-Key on the API's writes: a repeat gets the first response and creates nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from marketplace.idempotency.service import forget_expired_keys
from marketplace.idempotency.tables import IdempotentResponse
from marketplace.reference.tables import Lot
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import commissioning, enablement_body
from tests.factories import bearer, make_admin

LOT = {"code": "CSH", "name": "Care and Support at Home"}


def keyed(token: str, key: str) -> dict[str, str]:
    return {**bearer(token), "Idempotency-Key": key}


async def test_a_repeat_with_the_same_key_gets_the_first_response_and_creates_nothing(
    client,
) -> None:
    _, admin = await make_admin()
    first = await client.post("/api/v1/lots", json=LOT, headers=keyed(admin, "lot-csh-1"))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await client.post("/api/v1/lots", json=LOT, headers=keyed(admin, "lot-csh-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await Lot.count() == 1


async def test_the_same_key_with_another_body_is_refused_and_creates_nothing(client) -> None:
    _, admin = await make_admin()
    first = await client.post("/api/v1/lots", json=LOT, headers=keyed(admin, "k"))
    assert first.status_code == 201
    other = await client.post(
        "/api/v1/lots", json={"code": "NIGHTS", "name": "Nights"}, headers=keyed(admin, "k")
    )
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["detail"] == "This Idempotency-Key was used with a different request"
    assert [row["code"] for row in await Lot.select(Lot.code)] == ["CSH"]


async def test_without_a_key_a_repeat_is_a_new_request(client) -> None:
    _, admin = await make_admin()
    first = await client.post("/api/v1/lots", json=LOT, headers=bearer(admin))
    assert first.status_code == 201
    duplicate = await client.post("/api/v1/lots", json=LOT, headers=bearer(admin))
    assert duplicate.status_code == 409
    assert await IdempotentResponse.count() == 0


async def test_keys_belong_to_the_user_who_sent_them(client) -> None:
    _, one = await make_admin()
    _, other = await make_admin()
    first = await client.post("/api/v1/lots", json=LOT, headers=keyed(one, "shared"))
    assert first.status_code == 201
    theirs = await client.post("/api/v1/lots", json=LOT, headers=keyed(other, "shared"))
    assert theirs.status_code == 409  # a new request of theirs: the lot exists already
    assert "idempotent-replayed" not in theirs.headers


async def test_a_malformed_key_gets_400_naming_the_header(client) -> None:
    _, admin = await make_admin()
    for bad in (b"", b"x" * 256, "café".encode(), b"tab\tbed"):
        response = await client.post(
            "/api/v1/lots", json=LOT, headers={**bearer(admin), "Idempotency-Key": bad}
        )
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await Lot.count() == 0


async def test_a_refused_request_frees_its_key_for_a_corrected_retry(client) -> None:
    _, admin = await make_admin()
    refused = await client.post("/api/v1/lots", json={"code": "CSH"}, headers=keyed(admin, "k1"))
    assert refused.status_code == 400
    corrected = await client.post("/api/v1/lots", json=LOT, headers=keyed(admin, "k1"))
    assert corrected.status_code == 201
    assert "idempotent-replayed" not in corrected.headers


async def test_a_repeated_call_off_draft_returns_the_same_call_off(client) -> None:
    c = await commissioning()
    body = enablement_body(c)
    first = await client.post("/api/v1/call-offs", json=body, headers=keyed(c.token, "draft-1"))
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/call-offs", json=body, headers=keyed(c.token, "draft-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await CallOff.count() == 1


async def test_two_simultaneous_requests_with_one_key_create_once(client) -> None:
    c = await commissioning()
    body = enablement_body(c)
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/call-offs", json=body, headers=keyed(c.token, "same-time"))
            for _ in range(2)
        )
    )
    # The other one was either told the first is still in progress, or given its response.
    assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
    first = [
        r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers
    ]
    assert len(first) == 1
    assert await CallOff.count() == 1


async def test_the_upkeep_forgets_keys_past_their_lifetime(client) -> None:
    _, token = await make_admin()
    for key in ("old", "new"):
        response = await client.post(
            "/api/v1/lots",
            json={"code": f"LOT-{key.upper()}", "name": key},
            headers=keyed(token, key),
        )
        assert response.status_code == 201
    await IdempotentResponse.update(
        {IdempotentResponse.created_at: datetime.now(UTC) - timedelta(hours=25)}
    ).where(IdempotentResponse.key == "old")
    assert await forget_expired_keys() == 1
    assert [row["key"] for row in await IdempotentResponse.select(IdempotentResponse.key)] == [
        "new"
    ]
    assert await forget_expired_keys() == 0
