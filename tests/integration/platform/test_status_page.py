"""The footer's "Service status": a page that says in words whether each part of the service
works (GET /status), beside /healthz's JSON for machines; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.platform.test_pages import app_client


def tag_of(page: str, dependency: str) -> str:
    match = re.search(
        rf'id="status-{dependency}">\s*<strong class="govuk-tag[^"]*">\s*([^<]+?)\s*<', page
    )
    assert match, f"the page shows no state for {dependency}"
    return match.group(1)


async def test_the_footer_links_to_the_status_page_in_words(client: httpx.AsyncClient) -> None:
    signed_out = (await client.get("/sign-in")).text
    assert 'href="/status">Service status</a>' in signed_out
    assert 'href="/healthz"' not in signed_out

    response = await client.get("/status")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert "Every part of the service is working." in page
    assert tag_of(page, "database") == "Working"
    for dependency in ("redis", "s3", "smtp"):
        assert tag_of(page, dependency) == "Not set up"
    assert "The web server runs these jobs itself." in page
    assert "Email is written to a local mailbox, not sent." in page


async def test_the_status_page_says_what_is_not_working_without_the_error(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.config import reset_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    reset_settings()
    async with app_client() as client:
        response = await client.get("/status")
        machine = await client.get("/healthz")
    assert response.status_code == 503
    page = response.text
    assert "Part of the service is not working." in page
    assert tag_of(page, "redis") == "Not working"
    assert tag_of(page, "database") == "Working"
    assert "These may be delayed or unavailable." in page
    # The failure's detail is for the operators (/healthz, the logs), not the public page.
    detail = machine.json()["dependencies"]["redis"]["detail"]
    assert detail and detail not in page
    assert "127.0.0.1:1" not in page
