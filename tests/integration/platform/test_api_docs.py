"""The API documents itself at /api/docs, with its assets served locally."""

from __future__ import annotations

import re

from tests.factories import bearer, make_admin, make_organisation, make_user


async def test_openapi_schema_lists_the_contract_paths_without_signing_in(client) -> None:
    response = await client.get("/api/docs/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/tokens",
        "/api/v1/organisations",
        "/api/v1/lots",
        "/api/v1/pricing/{lot_code}",
    ):
        assert path in paths


async def test_swagger_ui_loads_only_assets_served_by_the_marketplace(client) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert urls, "the page refers to its scripts and styles"
    assert all(url.startswith("/") for url in urls), urls
    for url in urls:
        assert (await client.get(url)).status_code == 200, url


async def test_a_method_the_route_does_not_take_is_405_with_the_allowed_ones(client) -> None:
    response = await client.delete("/api/v1/lots")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "GET" in response.headers["allow"]


async def _document(client) -> dict:
    response = await client.get("/api/docs/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_every_signed_in_operation_declares_the_bearer_scheme(client) -> None:
    document = await _document(client)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "an API token from POST /api/v1/auth/tokens",
    }
    public = {
        ("/api/v1/auth/tokens", "post"),
        ("/api/v1/documents/{document_id}/content", "get"),
        ("/api/v1/call-offs/{call_off_id}/ocds", "get"),
        ("/api/v1/ocds/releases", "get"),
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not path.startswith("/api/v1") or method == "parameters":
                continue
            if (path, method) in public:
                assert "security" not in operation, (path, method)
            else:
                assert operation["security"] == [{"bearerAuth": []}], (path, method)


async def test_every_error_answer_is_declared_as_problem_json(client) -> None:
    document = await _document(client)
    problem = document["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    assert "code" not in problem["properties"]["errors"]["items"]["required"]
    operation = document["paths"]["/api/v1/call-offs/{call_off_id}/publish"]["post"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )
    assert "429" in document["paths"]["/api/v1/auth/tokens"]["post"]["responses"]
    upload = document["paths"]["/api/v1/documents"]["post"]["responses"]
    assert {"413", "415"} <= set(upload)


async def test_the_document_describes_the_api_not_the_pages(client) -> None:
    document = await _document(client)
    assert all(path.startswith("/api/") or path == "/healthz" for path in document["paths"])


async def test_the_call_off_pages_are_told_apart_by_their_view(client) -> None:
    document = await _document(client)
    answer = document["paths"]["/api/v1/call-offs"]["get"]["responses"]["200"]
    branches = answer["content"]["application/json"]["schema"]["oneOf"]
    views = set()
    for branch in branches:
        page = document["components"]["schemas"][branch["$ref"].rsplit("/", 1)[1]]
        assert "view" in page["required"]
        views.add(page["properties"]["view"]["const"])
    assert views == {"call_offs", "opportunities"}


async def test_the_document_says_what_the_server_refuses(client) -> None:
    document = await _document(client)
    lots = document["paths"]["/api/v1/lots"]
    limit = next(p for p in lots["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 200)
    body = lots["post"]["requestBody"]["content"]["application/json"]["schema"]
    lot_create = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert lot_create["additionalProperties"] is False
    content = document["paths"]["/api/v1/documents/{document_id}/content"]["get"]
    assert "403" in content["responses"]  # a signed link that is not valid


async def test_the_document_declares_the_bounds_and_patterns_the_server_enforces(client) -> None:
    document = await _document(client)
    schemas = document["components"]["schemas"]

    def body_of(path: str, method: str = "post") -> dict:
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        return schemas[body["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]

    # Left out by Litestar, copied from msgspec: a list's items, an optional number's 0.
    assert body_of("/api/v1/admissions")["area_codes"]["items"]["minLength"] == 1
    assert body_of("/api/v1/providers/ranking/reviews")["members"]["items"]["minLength"] == 1
    score = body_of("/api/v1/admissions/{admission_id}/decision")["tender_score"]["oneOf"][0]
    assert (score["minimum"], score["maximum"]) == (0, 100)
    # Patterns the server enforces as declared.
    hours = body_of("/api/v1/packages")["weekly_hours"]
    assert hours["type"] == "string" and re.search(hours["pattern"], "7.50")
    assert not re.search(hours["pattern"], "168.01")
    postcode = document["paths"]["/api/v1/postcodes/{postcode}"]["get"]["parameters"][0]
    assert re.search(postcode["schema"]["pattern"], "CT1 1AA")
    lots = document["paths"]["/api/v1/lots"]["get"]
    cursor = next(p for p in lots["parameters"] if p["name"] == "cursor")
    assert cursor["schema"]["pattern"] and "422" in lots["responses"]


async def test_hours_not_of_their_pattern_are_refused_naming_them(client) -> None:
    commissioner = await make_organisation("commissioner")
    _, token = await make_user(commissioner.id, "commissioner")
    for hours in ("07.5", "7.555", 7.5, "1e1"):
        response = await client.post(
            "/api/v1/packages/bundle-suggestions",
            json={"max_radius_km": 5, "max_weekly_hours": hours},
            headers=bearer(token),
        )
        assert response.status_code == 400, hours
        assert [e["field"] for e in response.json()["errors"]] == ["max_weekly_hours"], hours


async def test_a_limit_out_of_range_is_refused_naming_it(client) -> None:
    _, admin = await make_admin()
    for limit in (0, 201):
        response = await client.get(f"/api/v1/lots?limit={limit}", headers=bearer(admin))
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "limit"
