"""Redis killed while the marketplace runs: requests still succeed (sign-in limits count in the
web process meanwhile), /healthz names Redis as down, outbox entries wait in the database, and
they are relayed and delivered once when Redis is back, even those whose queued jobs died with
it. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from marketplace.notifications.relay import relay_to_arq
from marketplace.notifications.tables import OutboxEntry
from tests.factories import PASSWORD, bearer, make_admin, make_organisation
from tests.faults.conftest import app_client, health
from tests.faults.services import ThrowawayRedis, ThrowawaySmtp, start_worker, wait_until


async def run_queued_jobs() -> None:
    """The arq workers of both lanes, in burst: run what is queued, then stop."""
    from marketplace.worker import run_workers

    await run_workers(burst=True, poll_delay=0.05, cron_jobs=[])


async def welcome_entries() -> list[dict[str, Any]]:
    return await OutboxEntry.select().where(OutboxEntry.job == "send_email")


async def test_redis_killed_requests_succeed_and_waiting_entries_are_relayed_when_it_returns(
    db: str, redis: ThrowawayRedis, smtp: ThrowawaySmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.config import reset_settings
    from marketplace.worker import redis_pool

    monkeypatch.setenv("MARKETPLACE_OUTBOX_STUCK_SECONDS", "1")
    reset_settings()
    admin, _ = await make_admin()
    provider = await make_organisation("provider")
    pool = await redis_pool()  # the worker's connection, made while Redis was up
    try:
        redis.kill()
        async with app_client() as client:
            signed_in = await client.post(
                "/api/v1/auth/tokens", json={"email": admin.email, "password": PASSWORD}
            )
            assert signed_in.status_code == 201, signed_in.text
            token = signed_in.json()["token"]
            for n in (1, 2):
                added = await client.post(
                    f"/api/v1/organisations/{provider.id}/users",
                    json={
                        "email": f"carer{n}@example.org",
                        "password": PASSWORD,
                        "role": "provider",
                    },
                    headers=bearer(token),
                )
                assert added.status_code == 201, added.text
            status, states = await health(client)
            assert status == 503 and states["redis"] == "down" and states["database"] == "ok"

        with pytest.raises(RedisConnectionError):
            await relay_to_arq(pool)
        waiting = await welcome_entries()  # the admin's and the new users' welcome emails
        assert {"carer1@example.org", "carer2@example.org"} <= {r["recipient"] for r in waiting}
        assert {(row["status"], row["enqueued_at"]) for row in waiting} == {("pending", None)}

        redis.start()
        async with app_client() as client:
            assert (await health(client))[0] == 200
        assert await relay_to_arq(pool) == len(waiting)
        handed = await welcome_entries()
        assert all(row["enqueued_at"] is not None for row in handed)
        # Killed again before the worker ran them: the queued jobs are lost with Redis ...
        redis.kill()
        redis.start()
        assert await relay_to_arq(pool) == 0, "handed over lately: not again yet"
        # ... and the sweep hands them over again once they have waited the stuck time.
        await asyncio.to_thread(
            wait_until,
            lambda: all(
                row["enqueued_at"] <= datetime.now(UTC) - timedelta(seconds=1) for row in handed
            ),
            "the stuck time passed",
        )
        assert await relay_to_arq(pool) == len(waiting)
        await run_queued_jobs()
        assert await relay_to_arq(pool) == 0
    finally:
        await pool.aclose()

    delivered = await welcome_entries()
    assert {row["status"] for row in delivered} == {"done"}
    assert sorted(smtp.message_ids()) == sorted(
        f"<outbox-{row['id']}@127.0.0.1>" for row in delivered
    )


async def test_the_worker_process_outlives_a_redis_outage_and_delivers_what_waited(
    db: str, redis: ThrowawayRedis, smtp: ThrowawaySmtp, tmp_path: Path
) -> None:
    """`marketplace worker` itself, with Redis killed under it: it does not exit, and the email
    written while Redis was down is delivered once when Redis is back."""
    from marketplace.db import write_transaction
    from marketplace.notifications import outbox

    async def email(to: str) -> str:
        async with write_transaction():
            entry_id = await outbox.add_email(
                to, "welcome", {"organisation": None, "role_name": "care provider"}
            )
        return f"<outbox-{entry_id}@127.0.0.1>"

    log = tmp_path / "worker.log"
    worker = await asyncio.to_thread(start_worker, log)
    try:
        before = await email("before@example.org")
        assert await asyncio.to_thread(smtp.wait_for, 1, 60) == [before], log.read_text()
        redis.kill()
        during = await email("during@example.org")
        await asyncio.to_thread(
            wait_until,
            lambda: "Redis is not answering" in log.read_text() or worker.poll() is not None,
            "the worker noticed",
        )
        redis.start()
        delivered = await asyncio.to_thread(smtp.wait_for, 2, 60)
        assert worker.poll() is None, f"the worker exited:\n{log.read_text()}"
    finally:
        worker.terminate()
        await asyncio.to_thread(worker.wait, 30)
    assert sorted(delivered) == sorted([before, during]), log.read_text()
