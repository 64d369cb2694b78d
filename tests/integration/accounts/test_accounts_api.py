"""The accounts API: tokens, organisations and users, with problem+json errors."""

from __future__ import annotations

import pytest

from marketplace.accounts.tables import Organisation
from tests.factories import PASSWORD, bearer, make_admin, make_organisation, make_user


async def test_wrong_credentials_get_401_problem_json(client) -> None:
    admin, _ = await make_admin()
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": admin.email, "password": "not it at all"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 401
    assert problem["title"] == "Not signed in"
    assert "password" in problem["detail"]


async def test_right_credentials_get_a_token_that_works(client) -> None:
    admin, _ = await make_admin()
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": admin.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["expires_at"]
    created = await client.post(
        "/api/v1/organisations",
        json={"kind": "commissioner", "name": "Kent County Council"},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Kent County Council"


async def test_unknown_field_gets_400_naming_it(client) -> None:
    _, token = await make_admin()
    response = await client.post(
        "/api/v1/organisations",
        json={"kind": "provider", "name": "Acme Care", "colour": "blue"},
        headers=bearer(token),
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"] == [
        {
            "field": "colour",
            "code": "unknown_field",
            "message": "The colour is not a field of this request",
        }
    ]
    assert "colour" in problem["detail"]


async def test_invalid_value_gets_400_naming_the_field(client) -> None:
    _, token = await make_admin()
    response = await client.post(
        "/api/v1/organisations",
        json={"kind": "provider", "name": "Acme", "cqc_rating": "superb"},
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["cqc_rating"]


@pytest.mark.parametrize(
    ("field", "text_value"), [("enforcement_pending", "false"), ("name", 2500)]
)
async def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(
    client, field: str, text_value: object
) -> None:
    _, token = await make_admin()
    body = {"kind": "provider", "name": "Acme Care", field: text_value}
    response = await client.post("/api/v1/organisations", json=body, headers=bearer(token))
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert await Organisation.count().where(Organisation.name == "Acme Care") == 0


async def test_provider_token_gets_403_creating_an_organisation(client) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    _, token = await make_user(provider.id, "provider")
    response = await client.post(
        "/api/v1/organisations", json={"kind": "provider", "name": "Another"}, headers=bearer(token)
    )
    assert response.status_code == 403
    assert response.json()["title"] == "Not allowed"


async def test_no_or_bad_token_gets_401(client) -> None:
    assert (
        await client.post("/api/v1/organisations", json={"kind": "provider", "name": "X"})
    ).status_code == 401
    response = await client.post(
        "/api/v1/organisations",
        json={"kind": "provider", "name": "X"},
        headers=bearer("mkt_not-a-real-token"),
    )
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


async def test_commissioner_records_provider_enforcement_but_not_its_name(client) -> None:
    commissioner = await make_organisation("commissioner")
    provider = await make_organisation("provider", cqc_rating="good")
    _, token = await make_user(commissioner.id, "commissioner")
    changed = await client.patch(
        f"/api/v1/organisations/{provider.id}",
        json={"enforcement_pending": True},
        headers=bearer(token),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["enforcement_pending"] is True
    renamed = await client.patch(
        f"/api/v1/organisations/{provider.id}", json={"name": "Hijacked"}, headers=bearer(token)
    )
    assert renamed.status_code == 403


async def test_rules_across_an_organisations_fields_get_422_naming_the_field(client) -> None:
    _, token = await make_admin()
    commissioner = await make_organisation("commissioner")
    path = f"/api/v1/organisations/{commissioner.id}"

    empty = await client.patch(path, json={}, headers=bearer(token))
    only_nulls = await client.patch(path, json={"name": None}, headers=bearer(token))
    flagged = await client.patch(path, json={"enforcement_pending": True}, headers=bearer(token))
    created = await client.post(
        "/api/v1/organisations",
        json={"kind": "commissioner", "name": "Surrey", "cqc_location_id": "1-123456789"},
        headers=bearer(token),
    )

    for refused in (empty, only_nulls):
        assert refused.status_code == 422
        assert refused.json()["errors"] == [
            {
                "field": "body",
                "code": "nothing_to_change",
                "message": "Give at least one field to change",
            }
        ]
    assert flagged.status_code == 422
    assert [(e["field"], e["code"]) for e in flagged.json()["errors"]] == [
        ("enforcement_pending", "not_a_provider")
    ]
    assert created.status_code == 422
    assert [(e["field"], e["code"]) for e in created.json()["errors"]] == [
        ("cqc_location_id", "not_a_provider")
    ]


async def test_provider_cannot_see_or_change_another_organisation(client) -> None:
    mine = await make_organisation("provider")
    theirs = await make_organisation("provider")
    _, token = await make_user(mine.id, "provider")
    assert (
        await client.get(f"/api/v1/organisations/{theirs.id}", headers=bearer(token))
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/organisations/{mine.id}", headers=bearer(token))
    ).status_code == 200
    response = await client.patch(
        f"/api/v1/organisations/{theirs.id}",
        json={"cqc_rating": "outstanding"},
        headers=bearer(token),
    )
    assert response.status_code == 403


async def test_users_get_roles_that_fit_their_organisation(client) -> None:
    _, token = await make_admin()
    commissioner = await make_organisation("commissioner")
    wrong = await client.post(
        f"/api/v1/organisations/{commissioner.id}/users",
        json={"email": "p@example.org", "password": PASSWORD, "role": "provider"},
        headers=bearer(token),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "role"
    assert wrong.json()["errors"][0]["code"] == "not_a_choice"
    right = await client.post(
        f"/api/v1/organisations/{commissioner.id}/users",
        json={"email": "opener@example.org", "password": PASSWORD, "role": "opener"},
        headers=bearer(token),
    )
    assert right.status_code == 201
    assert right.json()["role"] == "opener"
    assert "password" not in right.text
    again = await client.post(
        f"/api/v1/organisations/{commissioner.id}/users",
        json={"email": "Opener@example.org", "password": PASSWORD, "role": "opener"},
        headers=bearer(token),
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "email"


async def test_short_password_is_refused_naming_the_field(client) -> None:
    _, token = await make_admin()
    provider = await make_organisation("provider")
    response = await client.post(
        f"/api/v1/organisations/{provider.id}/users",
        json={"email": "p@example.org", "password": "short", "role": "provider"},
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "password"


async def test_commissioner_cannot_add_users_to_another_organisation(client) -> None:
    mine = await make_organisation("commissioner")
    other = await make_organisation("commissioner")
    _, token = await make_user(mine.id, "commissioner")
    response = await client.post(
        f"/api/v1/organisations/{other.id}/users",
        json={"email": "x@example.org", "password": PASSWORD, "role": "commissioner"},
        headers=bearer(token),
    )
    assert response.status_code == 404
