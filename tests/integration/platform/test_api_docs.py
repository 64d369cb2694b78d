"""The API documents itself at /api/docs, with its assets served locally."""

from __future__ import annotations

import re


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
