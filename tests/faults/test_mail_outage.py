"""The mail relay stopped in the middle of a delivery round: the emails wait and are retried
with backoff, /healthz names SMTP as down, and once the relay is back every email is delivered
exactly once. Through the in-process runner and the arq worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from marketplace.config import reset_settings
from marketplace.db import write_transaction
from marketplace.notifications import outbox
from marketplace.notifications.relay import relay_to_arq, run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from tests.faults.conftest import app_client, health
from tests.faults.services import ThrowawayRedis, ThrowawaySmtp, wait_until

EMAILS = 5
Run = Callable[[], Awaitable[None]]


async def arq_round() -> None:
    """What the arq worker does: relay the due entries, then run them (burst)."""
    from marketplace.worker import redis_pool, run_workers

    pool = await redis_pool()
    try:
        await relay_to_arq(pool)
    finally:
        await pool.aclose()
    await run_workers(burst=True, poll_delay=0.05, cron_jobs=[])


async def in_process_round() -> None:
    await run_due_in_process()


@pytest.fixture(params=["in-process", "arq"])
async def run_round(
    request: pytest.FixtureRequest, db: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Run]:
    if request.param == "in-process":
        yield in_process_round
        return
    redis = ThrowawayRedis().start()
    monkeypatch.setenv("REDIS_URL", redis.url)
    reset_settings()
    yield arq_round
    redis.kill()


async def rows() -> list[dict[str, object]]:
    return await OutboxEntry.select().order_by(OutboxEntry.created_at)


async def test_mail_relay_down_mid_round_retries_with_backoff_and_delivers_each_once(
    run_round: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_OUTBOX_RETRY_SECONDS", "2")
    # The first session is held at its first recipient, so the relay goes down mid-delivery.
    smtp = ThrowawaySmtp(stall_first_recipient=60).start()
    monkeypatch.setenv("SMTP_URL", smtp.url)
    reset_settings()
    try:
        async with write_transaction():
            ids = [
                await outbox.add_email(
                    f"person{n}@example.org", "welcome", {"organisation": None, "role_name": "x"}
                )
                for n in range(EMAILS)
            ]
        first_round = asyncio.create_task(run_round())
        assert await asyncio.to_thread(smtp.stalled.wait, 30), "a delivery began"
        smtp.stop()
        await first_round

        assert smtp.message_ids() == []
        failed = await rows()
        assert {row["status"] for row in failed} == {"pending"}
        assert {row["attempts"] for row in failed} == {1}
        assert all(row["due_at"] > datetime.now(UTC) for row in failed), "each waits its backoff"
        assert all(row["last_error"] for row in failed)
        async with app_client() as client:
            status, states = await health(client)
            assert status == 503 and states["smtp"] == "down" and states["database"] == "ok"

        smtp.start()
        async with app_client() as client:
            assert (await health(client))[0] == 200
        await asyncio.to_thread(
            wait_until,
            lambda: all(row["due_at"] <= datetime.now(UTC) for row in failed),
            "the backoff ran out",
        )
        await run_round()
        await run_round()  # a second round finds nothing left to send
    finally:
        smtp.stop()

    host = "127.0.0.1"
    assert sorted(smtp.message_ids()) == sorted(f"<outbox-{i}@{host}>" for i in ids)
    delivered = await rows()
    assert {row["status"] for row in delivered} == {"done"}
    assert {row["attempts"] for row in delivered} == {2}
