"""A NUL character (which PostgreSQL cannot store in text) is a 400 naming where it is, never a
500: the fuzzing found a sign-in with one in the email failing at the audit insert."""

from __future__ import annotations

from tests.factories import bearer, make_admin, make_organisation, make_user
from tests.support import sign_in_form


async def test_a_nul_in_a_json_string_is_refused_naming_the_field(client) -> None:
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": "a\x00@example.test", "password": "x" * 12}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"field": "email", "code": "invalid", "message": "The email address must not contain NUL"}
    ]


async def test_a_nul_deep_in_a_body_is_named_by_its_path(client) -> None:
    commissioner = await make_organisation("commissioner", name="Kent")
    _, token = await make_user(commissioner.id, "commissioner")
    response = await client.put(
        "/api/v1/pricing/CSH",
        json={"rurality_weights": {"urban\x00": "1.00"}},
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rurality_weights.urban\x00"


async def test_a_nul_in_the_path_or_the_query_is_refused(client) -> None:
    _, admin = await make_admin()
    in_path = await client.get("/api/v1/postcodes/TN23%001AA", headers=bearer(admin))
    in_query = await client.get("/api/v1/admissions?status=appl%00ied", headers=bearer(admin))
    assert (in_path.status_code, in_query.status_code) == (400, 400)
    assert in_query.json()["errors"][0]["field"] == "query"


async def test_a_json_escape_of_a_backslash_is_not_taken_for_a_nul(client) -> None:
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": "a\\u0000@example.test", "password": "x" * 12}
    )
    assert response.status_code == 401


async def test_a_nul_in_a_sign_in_form_is_a_400_page(client) -> None:
    token = await sign_in_form(client)
    response = await client.post(
        "/sign-in",
        content=f"csrf_token={token}&email=a%00%40example.test&password=xxxxxxxxxxxx".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
