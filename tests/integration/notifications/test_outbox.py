"""The transactional outbox: nothing is sent before the commit, and every committed email reaches
the SMTP server, once when no attempt's outcome is lost (at least once, with one Message-ID, when
one is), through the arq worker or the in-process runner alike."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from marketplace.config import reset_settings
from marketplace.db import write_transaction
from marketplace.notifications import outbox
from marketplace.notifications.delivery import MAIL_BATCH, deliver
from marketplace.notifications.email import render_email
from marketplace.notifications.relay import relay_to_arq, run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from tests.conftest import redis_url
from tests.factories import PASSWORD, bearer, make_admin, make_organisation
from tests.support_mail import Sink

Deliver = Callable[[], Awaitable[None]]


def redis_url_for_tests() -> str:
    return redis_url(offset=1)  # away from the queue other tests of this process use


async def run_arq_workers_once() -> None:
    """Relay what is due, then run each lane's worker until its queue is empty."""
    from marketplace.worker import redis_pool, run_workers

    pool = await redis_pool()
    try:
        await relay_to_arq(pool)
    finally:
        await pool.aclose()
    await run_workers(burst=True, poll_delay=0.05, cron_jobs=[])


@pytest.fixture(params=["in-process", "arq"])
async def run_outbox(
    request: pytest.FixtureRequest, db: str, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deliver]:
    """Runs every due outbox entry the way the named mode does."""
    if request.param == "in-process":

        async def in_process() -> None:
            await run_due_in_process()

        yield in_process
        return
    monkeypatch.setenv("REDIS_URL", redis_url_for_tests())
    reset_settings()
    redis = Redis.from_url(redis_url_for_tests())
    await redis.flushdb()
    yield run_arq_workers_once
    await redis.flushdb()
    await redis.aclose()


async def test_an_email_in_a_rolled_back_transaction_is_never_sent(
    run_outbox: Deliver, sink: Sink
) -> None:
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await outbox.add_email(
                "someone@example.org",
                "welcome",
                {"organisation": None, "role_name": "care provider"},
            )
            raise RuntimeError("the change fails after the email was written")
    await run_outbox()
    assert await OutboxEntry.count() == 0
    assert sink.message_ids() == []


async def test_a_committed_email_arrives_exactly_once(run_outbox: Deliver, sink: Sink) -> None:
    async with write_transaction():
        entry_id = await outbox.add_email(
            "someone@example.org",
            "welcome",
            {"organisation": "Acme Care", "role_name": "care provider"},
        )
    assert sink.message_ids() == [], "nothing is sent by the transaction itself"
    await run_outbox()
    await run_outbox()
    assert await deliver(entry_id) == "skipped", "a repeated delivery is recognised and skipped"
    assert sink.message_ids() == [f"<outbox-{entry_id}@127.0.0.1>"]
    message = sink.messages[0]
    assert message["To"] == "someone@example.org"
    assert "Acme Care" in message.get_payload(0).get_payload(decode=True).decode()
    row = await OutboxEntry.select().where(OutboxEntry.id == entry_id).first()
    assert row["status"] == "done" and row["attempts"] == 1


async def test_creating_a_user_sends_a_welcome_email_without_the_password(
    run_outbox: Deliver, sink: Sink, client
) -> None:
    _, token = await make_admin()
    provider = await make_organisation("provider", name="Oakleaf Home Care")
    await run_outbox()  # the admin's own welcome
    before = len(sink.message_ids())
    response = await client.post(
        f"/api/v1/organisations/{provider.id}/users",
        json={"email": "new.user@example.org", "password": PASSWORD, "role": "provider"},
        headers=bearer(token),
    )
    assert response.status_code == 201
    await run_outbox()
    welcome = [m for m in sink.messages if m["To"] == "new.user@example.org"]
    assert len(sink.message_ids()) == before + 1 and len(welcome) == 1
    assert welcome[0]["Subject"] == "Your account on the Care call-off marketplace"
    text = welcome[0].as_string()
    assert "Oakleaf Home Care" in text and "care provider" in text
    assert PASSWORD not in text


async def test_an_email_due_later_waits_for_its_time(run_outbox: Deliver, sink: Sink) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    async with write_transaction():
        entry_id = await outbox.add_email(
            "later@example.org",
            "welcome",
            {"organisation": None, "role_name": "commissioner"},
            run_at=later,
        )
    await run_outbox()
    assert sink.message_ids() == []
    await OutboxEntry.update({OutboxEntry.due_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        OutboxEntry.id == entry_id
    )
    await run_outbox()
    assert len(sink.message_ids()) == 1


async def test_a_failing_delivery_backs_off_then_fails_and_an_admin_can_retry(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support_mail import free_port

    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("MARKETPLACE_OUTBOX_MAX_ATTEMPTS", "2")
    reset_settings()
    async with write_transaction():
        entry_id = await outbox.add_email(
            "x@example.org", "welcome", {"organisation": None, "role_name": "commissioner"}
        )
    assert await deliver(entry_id) == "pending"
    row = await OutboxEntry.select().where(OutboxEntry.id == entry_id).first()
    assert row["attempts"] == 1 and row["last_error"]
    assert row["due_at"] > datetime.now(UTC) + timedelta(seconds=5), "the retry waits a backoff"
    assert await deliver(entry_id) == "skipped", "not due yet"
    await OutboxEntry.update({OutboxEntry.due_at: datetime.now(UTC)}).where(
        OutboxEntry.id == entry_id
    )
    assert await deliver(entry_id) == "failed"
    assert [e["id"] for e in await outbox.entries_with_status("failed")] == [entry_id]
    assert await outbox.retry_failed(entry_id)
    row = await OutboxEntry.select().where(OutboxEntry.id == entry_id).first()
    assert row["status"] == "pending" and row["attempts"] == 0


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert outbox.backoff(30) == timedelta(hours=1)


async def test_redis_flushed_between_relay_and_run_still_delivers_once(
    db: str, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.worker import redis_pool, run_workers

    monkeypatch.setenv("REDIS_URL", redis_url_for_tests())
    monkeypatch.setenv("MARKETPLACE_OUTBOX_STUCK_SECONDS", "0")
    reset_settings()
    redis = Redis.from_url(redis_url_for_tests())
    await redis.flushdb()
    async with write_transaction():
        await outbox.add_email(
            "flushed@example.org", "welcome", {"organisation": None, "role_name": "commissioner"}
        )
    pool = await redis_pool()
    assert await relay_to_arq(pool) == 1
    await redis.flushdb()  # Redis loses the queued job
    await run_workers(burst=True, poll_delay=0.05, cron_jobs=[])
    assert sink.message_ids() == []
    assert await relay_to_arq(pool) == 1, "the sweep hands the lost entry over again"
    for _ in range(2):
        await run_workers(burst=True, poll_delay=0.05, cron_jobs=[])
        await relay_to_arq(pool)
    await pool.aclose()
    await redis.aclose()
    assert len(sink.message_ids()) == 1


async def test_batches_sent_side_by_side_deliver_each_email_once_as_rendered(
    run_outbox: Deliver, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_MAIL_CONNECTIONS", "3")
    reset_settings()
    context = {"organisation": "Acme Care", "role_name": "care provider"}
    async with write_transaction():
        entry_ids = await outbox.add_emails(
            [(f"person{n}@example.org", "welcome", context) for n in range(3 * MAIL_BATCH + 7)]
        )
    await run_outbox()
    ids = sink.message_ids()
    assert sorted(ids) == sorted(f"<outbox-{entry_id}@127.0.0.1>" for entry_id in entry_ids), (
        "every email once"
    )
    peers = list(sink.peers)
    turns = sum(a != b for a, b in itertools.pairwise(peers))
    assert turns > len(set(peers)) - 1, "connections taking turns: batches sent side by side"
    assert await OutboxEntry.count().where(OutboxEntry.status == "done") == len(entry_ids)
    # The part rendered once is the message render_email() makes, but for its own headers.
    last = len(entry_ids) - 1
    message = sink.messages[ids.index(f"<outbox-{entry_ids[last]}@127.0.0.1>")]
    expected = render_email(entry_ids[last], f"person{last}@example.org", "welcome", context)
    for header in ("From", "To", "Subject", "Message-ID", "Auto-Submitted"):
        assert message[header] == expected[header]

    def parts(email: Any) -> list[bytes]:  # as sent: CRLF line ends
        return [p.get_payload(decode=True).replace(b"\r\n", b"\n") for p in email.get_payload()]

    assert parts(message) == parts(expected)


async def test_two_workers_at_once_double_nothing(
    db: str, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.worker import redis_pool, run_workers

    monkeypatch.setenv("REDIS_URL", redis_url_for_tests())
    reset_settings()
    redis = Redis.from_url(redis_url_for_tests())
    await redis.flushdb()
    async with write_transaction():
        for n in range(10):
            await outbox.add_email(
                f"person{n}@example.org",
                "welcome",
                {"organisation": None, "role_name": "commissioner"},
            )
    pool = await redis_pool()
    await relay_to_arq(pool)
    monkeypatch.setenv("MARKETPLACE_OUTBOX_STUCK_SECONDS", "0")
    reset_settings()
    assert await relay_to_arq(pool) == 10  # handed over again while still queued ...
    assert await redis.zcard("marketplace:mail") == 1  # ... and arq keeps one job per batch
    await asyncio.gather(*(run_workers(burst=True, poll_delay=0.05, cron_jobs=[]) for _ in "ab"))
    await pool.aclose()
    await redis.aclose()
    ids = sink.message_ids()
    assert len(ids) == 10 and len(set(ids)) == 10


async def start_worker(marketplace: object) -> asyncio.subprocess.Process:
    """`marketplace worker` in its own process, with this test's environment."""
    import os

    return await asyncio.create_subprocess_exec(
        str(marketplace),
        "worker",
        env=dict(os.environ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_worker_killed_mid_delivery_leaves_exactly_one_delivery(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal
    import sys
    from pathlib import Path

    marketplace = Path(sys.executable).parent / "marketplace"
    mail = Sink(stall_first_recipient=4).start()
    try:
        for name, value in {
            "REDIS_URL": redis_url_for_tests(),
            "SMTP_URL": mail.url,
            "MARKETPLACE_JOB_TIMEOUT_SECONDS": "2",
            "MARKETPLACE_OUTBOX_LEASE_SECONDS": "2",
            "MARKETPLACE_OUTBOX_STUCK_SECONDS": "2",
        }.items():
            monkeypatch.setenv(name, value)
        reset_settings()
        redis = Redis.from_url(redis_url_for_tests())
        await redis.flushdb()
        async with write_transaction():
            entry_id = await outbox.add_email(
                "killed@example.org", "welcome", {"organisation": None, "role_name": "commissioner"}
            )

        first = await start_worker(marketplace)
        try:
            assert await asyncio.to_thread(mail.stalled.wait, 30), (
                "the first worker began the delivery"
            )
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert mail.message_ids() == [], "killed before the SMTP server accepted the message"

        second = await start_worker(marketplace)
        try:
            await asyncio.to_thread(mail.wait_for, 1, 60)
            await asyncio.sleep(3)  # time enough for a second delivery, were there one
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 20)
        assert mail.message_ids() == [f"<outbox-{entry_id}@127.0.0.1>"]
        row = await OutboxEntry.select().where(OutboxEntry.id == entry_id).first()
        assert row["status"] == "done" and row["attempts"] == 2
        await redis.flushdb()
        await redis.aclose()
    finally:
        mail.stop()
