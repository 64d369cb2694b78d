"""The state of each configured dependency: GET /healthz for machines (JSON; 503 when one is
down) and GET /status for people (the footer's "Service status" page, in words)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlparse

import aiosmtplib
import boto3
from botocore.config import Config
from litestar import get
from litestar.response import Response, Template
from redis.asyncio import Redis

from marketplace.config import get_settings
from marketplace.db import current_engine

CHECK_TIMEOUT_SECONDS = 3.0


async def check_database() -> str:
    await current_engine()._run_in_new_connection("SELECT 1")  # type: ignore[attr-defined]
    return "ok"


async def check_redis(url: str) -> str:

    client = Redis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        await client.ping()
    finally:
        await client.aclose()
    return "ok"


async def check_s3() -> str:

    settings = get_settings()
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        config=Config(
            connect_timeout=CHECK_TIMEOUT_SECONDS,
            read_timeout=CHECK_TIMEOUT_SECONDS,
            retries={"max_attempts": 1},
        ),
    )
    await asyncio.to_thread(client.head_bucket, Bucket=settings.s3_bucket)
    return "ok"


async def check_smtp(url: str) -> str:

    parsed = urlparse(url)
    client = aiosmtplib.SMTP(
        hostname=parsed.hostname or "127.0.0.1",
        port=parsed.port or 25,
        timeout=CHECK_TIMEOUT_SECONDS,
        start_tls=False,
        use_tls=parsed.scheme == "smtps",
    )
    await client.connect()
    try:
        await client.noop()
    finally:
        await client.quit()
    return "ok"


async def _run(check: Any) -> dict[str, str]:
    try:
        await asyncio.wait_for(check, timeout=CHECK_TIMEOUT_SECONDS * 2)
        return {"status": "ok"}
    except Exception as exc:
        return {"status": "down", "detail": f"{type(exc).__name__}: {exc}"[:300]}


async def dependency_states() -> dict[str, dict[str, str]]:
    settings = get_settings()
    checks: dict[str, Any] = {"database": check_database()}
    embedded = {
        "redis": "not configured: jobs run in the web process",
        "s3": "not configured: documents kept in a local folder",
        "smtp": "not configured: email written to a local maildir",
    }
    if settings.redis_url:
        checks["redis"] = check_redis(settings.redis_url)
    if settings.s3_configured:
        checks["s3"] = check_s3()
    if settings.smtp_url:
        checks["smtp"] = check_smtp(settings.smtp_url)
    names = list(checks)
    results = await asyncio.gather(*(_run(checks[name]) for name in names))
    states = dict(zip(names, results, strict=True))
    for name, note in embedded.items():
        states.setdefault(name, {"status": "embedded", "detail": note})
    return states


@get("/healthz", opt={"public": True}, tags=["operations"], summary="State of each dependency")
async def healthz() -> Response[dict[str, Any]]:
    states = await dependency_states()
    healthy = all(state["status"] != "down" for state in states.values())
    return Response(
        {"status": "ok" if healthy else "down", "dependencies": states},
        status_code=200 if healthy else 503,
        headers={"cache-control": "no-store"},
    )


# The page names each dependency by what it does for the user, and what stands in for it when
# it is not set up (development and the demo), in the order they meet it.
STATUS_ROWS = [
    ("database", "Database", "Call-offs, bids, awards and care records.", ""),
    (
        "redis",
        "Job queue (Redis)",
        "Deadlines, reminders and sending email in the background.",
        "The web server runs these jobs itself.",
    ),
    (
        "s3",
        "Document archive (S3)",
        "Uploaded documents and award records.",
        "Documents are kept in a folder on the server.",
    ),
    (
        "smtp",
        "Email (SMTP)",
        "Notifications to commissioners and providers.",
        "Email is written to a local mailbox, not sent.",
    ),
]


@get("/status", opt={"public": True}, include_in_schema=False)
async def service_status() -> Template:
    """The footer's "Service status": whether each part of the service works, in words. The
    failure detail stays in /healthz and the logs, not on a public page."""
    states = await dependency_states()
    rows = [
        {"key": key, "name": name, "purpose": purpose, "instead": instead, **states[key]}
        for key, name, purpose, instead in STATUS_ROWS
    ]
    working = all(row["status"] != "down" for row in rows)
    return Template(
        "status.html",
        context={"rows": rows, "working": working},
        headers={"cache-control": "no-store"},
        status_code=200 if working else 503,
    )
