"""Fixtures of the fault tests: throwaway services pointed at by the app under test, and the
app's own view of them (/healthz)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from marketplace.config import reset_settings
from tests.faults.services import ThrowawayRedis, ThrowawayS3, ThrowawaySmtp


@asynccontextmanager
async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app made now, after the test has pointed it at its services."""
    from marketplace.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


async def health(client: httpx.AsyncClient) -> tuple[int, dict[str, str]]:
    """/healthz's status code and each dependency's status."""
    response = await client.get("/healthz")
    states = response.json()["dependencies"]
    return response.status_code, {name: state["status"] for name, state in states.items()}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThrowawayS3]:
    """An S3 of this test's own, with the archive's bucket configured (not yet created)."""
    server = ThrowawayS3().start()
    for name, value in {
        "S3_ENDPOINT_URL": server.url,
        # moto keeps its buckets for the life of the process: each test has its own.
        "S3_BUCKET": f"fault-archive-{uuid.uuid4().hex[:12]}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThrowawaySmtp]:
    mail = ThrowawaySmtp().start()
    monkeypatch.setenv("SMTP_URL", mail.url)
    reset_settings()
    yield mail
    mail.stop()


@pytest.fixture
def redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis().start()
    monkeypatch.setenv("REDIS_URL", server.url)
    reset_settings()
    yield server
    server.kill()


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    return body
