"""The footer's "Service status": a page that says in words whether each part of the service
works (GET /status), beside /healthz's JSON for machines; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import pytest

from tests.conftest import service_url
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
    assert "The service is working. Some parts are not set up as services of their own" in page
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


async def test_the_status_page_says_every_service_works_when_each_is_set_up(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from marketplace.config import reset_settings

    bucket = f"status-{uuid.uuid4().hex[:12]}"
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "eu-west-2"),
        ("REDIS_URL", service_url("REDIS_URL")),
        ("S3_ENDPOINT_URL", service_url("S3_ENDPOINT_URL")),
        ("S3_BUCKET", bucket),
        ("SMTP_URL", service_url("SMTP_URL")),
    ):
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=service_url("S3_ENDPOINT_URL"), region_name="eu-west-2")
    await asyncio.to_thread(
        s3.create_bucket,
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
    )
    reset_settings()
    try:
        async with app_client() as client:
            response = await client.get("/status")
    finally:
        await asyncio.to_thread(s3.delete_bucket, Bucket=bucket)
    assert response.status_code == 200
    assert "Every part of the service is working." in response.text
    for dependency in ("database", "redis", "s3", "smtp"):
        assert tag_of(response.text, dependency) == "Working"
