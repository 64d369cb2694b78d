"""The outbox's two lanes: a close due at a deadline goes ahead of any backlog of email, in the
embedded default's in-process runner and with the arq workers alike; email goes in batches over
one SMTP connection, and a batch cut short (the runner stopped, the connection dropped) delivers
the rest later with nothing sent twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from marketplace.config import get_settings, reset_settings
from marketplace.db import write_transaction
from marketplace.notifications import outbox
from marketplace.notifications.delivery import MAIL_BATCH
from marketplace.notifications.relay import InProcessRunner, run_mail_lane
from marketplace.notifications.tables import OutboxEntry
from marketplace.tenders.jobs import CLOSE_CALL_OFF
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.integration.notifications.test_outbox import redis_url_for_tests
from tests.support_mail import Sink

BACKLOG = 1_000
WAIT_SECONDS = 300.0  # only a bound on a wait for a state; nothing here asserts a duration


class Lanes:
    """Starts and stops the outbox's runners the way the named mode runs them: the in-process
    runner (no upkeep, so that only the lanes close anything), or a worker per lane under arq
    with its relay."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._runner: InProcessRunner | None = None
        self._workers: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.mode == "in-process":

            async def no_upkeep() -> None:
                return None

            self._runner = InProcessRunner(no_upkeep)
            self._runner.start()
        else:
            from marketplace.worker import run_workers

            self._workers = asyncio.create_task(run_workers(poll_delay=0.05))

    async def stop(self) -> None:
        """Stop at once, whatever is under way (like a process that is stopped)."""
        if self._runner is not None:
            await self._runner.stop()
            self._runner = None
        if self._workers is not None:
            self._workers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._workers
            self._workers = None


@pytest.fixture(params=["in-process", "arq"])
async def lanes(
    request: pytest.FixtureRequest, db: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Lanes]:
    redis: Redis | None = None
    if request.param == "arq":
        monkeypatch.setenv("REDIS_URL", redis_url_for_tests())
        reset_settings()
        redis = Redis.from_url(redis_url_for_tests())
        await redis.flushdb()
    running = Lanes(request.param)
    yield running
    await running.stop()
    if redis is not None:
        await redis.flushdb()
        await redis.aclose()


@pytest.fixture
async def held_sink(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sink]:
    """The SMTP sink the app sends to; the test sets when it holds the mail."""
    mail = Sink().start()
    monkeypatch.setenv("SMTP_URL", mail.url)
    reset_settings()
    yield mail
    mail.release()
    mail.stop()


async def queue_emails(count: int, *, due: datetime | None = None) -> list[Any]:
    async with write_transaction():
        return [
            await outbox.add_email(
                f"person{n}@example.org",
                "welcome",
                {"organisation": "Acme Care", "role_name": "care provider"},
                run_at=due,
            )
            for n in range(count)
        ]


async def eventually(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a state (never asserting how long it took), failing if it never comes."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.25)


async def pending_mail() -> int:
    return int(
        await OutboxEntry.count().where(
            (OutboxEntry.job == outbox.SEND_EMAIL) & (OutboxEntry.status == "pending")
        )
    )


async def call_off_status(call_off_id: str) -> str:
    row = await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first()
    return str(row["status"])


async def test_a_close_due_goes_ahead_of_a_thousand_queued_emails(
    lanes: Lanes, held_sink: Sink, client: Any
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    bid = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert bid.status_code == 201, bid.text
    await run_mail_lane()  # the set-up's own emails (invitation, receipt ...)
    before = len(held_sink.message_ids())
    # A backlog of email due a minute before the deadline, so that going by due time alone
    # would send every one of them first; the sink takes ten, then holds the rest.
    await queue_emails(BACKLOG, due=datetime.now(UTC) - timedelta(minutes=1))
    await pass_the_deadline(call_off_id)
    await OutboxEntry.update({OutboxEntry.due_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        OutboxEntry.job == CLOSE_CALL_OFF
    )
    held_sink.hold_after = before + 10

    await lanes.start()

    async def closed() -> bool:
        close = await OutboxEntry.select().where(OutboxEntry.job == CLOSE_CALL_OFF).first()
        return bool(close["status"] == "done")

    await eventually(closed, "the close job done")
    assert await call_off_status(call_off_id) == "evaluated", "closed, opened (quorum 1), evaluated"
    # Held at the sink after ten (a few more where batches run side by side).
    side_by_side = get_settings().mail_connections
    assert len(held_sink.message_ids()) <= before + 10 + side_by_side
    assert await pending_mail() >= BACKLOG - 10 - side_by_side, "the backlog still queued"

    held_sink.release()

    async def drained() -> bool:
        return await pending_mail() == 0

    await eventually(drained, "every queued email sent")
    ids = held_sink.message_ids()
    assert len(ids) == before + BACKLOG and len(set(ids)) == len(ids), "each email sent once"
    per_connection = held_sink.per_connection()
    assert max(per_connection) == MAIL_BATCH, "a batch goes over one connection"
    assert len(per_connection) <= BACKLOG // 10, "not a connection per email"


async def test_a_batch_stopped_midway_delivers_the_rest_later_none_doubled(
    lanes: Lanes, held_sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_OUTBOX_STUCK_SECONDS", "0")  # the relay re-hands at once
    # One batch at a time, so that when it is held nothing accepted is left unrecorded (a stop
    # between the server's acceptance and the record of it would send that message again).
    monkeypatch.setenv("MARKETPLACE_MAIL_CONNECTIONS", "1")
    reset_settings()
    entry_ids = await queue_emails(2 * MAIL_BATCH)
    held_sink.hold_after = MAIL_BATCH // 2
    await lanes.start()
    assert await asyncio.to_thread(held_sink.held.wait, WAIT_SECONDS), "a batch was under way"
    await lanes.stop()  # in the middle of a batch, a message at the sink unanswered
    sent_before = set(held_sink.message_ids())
    assert 0 < len(sent_before) < 2 * MAIL_BATCH
    held_sink.release()
    # The stopped runner's leases run out.
    await OutboxEntry.update({OutboxEntry.claimed_until: datetime.now(UTC)}).where(
        OutboxEntry.status == "pending"
    )

    await lanes.start()

    async def drained() -> bool:
        return await pending_mail() == 0

    await eventually(drained, "the rest of the mail sent")
    await lanes.stop()
    ids = held_sink.message_ids()
    assert sorted(ids) == sorted(f"<outbox-{entry_id}@127.0.0.1>" for entry_id in entry_ids), (
        "every email sent, none twice"
    )
    rows = await OutboxEntry.select(OutboxEntry.status, OutboxEntry.attempts)
    assert {row["status"] for row in rows} == {"done"}
    assert sum(row["attempts"] > 1 for row in rows) >= 1, "the interrupted ones were tried again"


async def test_a_dropped_connection_costs_one_message_a_retry_and_the_batch_goes_on(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = Sink(drop_at=20).start()
    try:
        monkeypatch.setenv("SMTP_URL", mail.url)
        reset_settings()
        entry_ids = await queue_emails(MAIL_BATCH)

        assert await run_mail_lane() == MAIL_BATCH - 1
        assert mail.per_connection() == [19, MAIL_BATCH - 20], "a new connection after the drop"
        [dropped] = await OutboxEntry.select().where(OutboxEntry.status == "pending")
        assert dropped["id"] == entry_ids[19] and dropped["attempts"] == 1
        assert dropped["last_error"], "the failure is recorded"
        assert dropped["due_at"] > datetime.now(UTC) + timedelta(seconds=5), "it waits a backoff"
        assert await run_mail_lane() == 0, "not before its backoff"

        await OutboxEntry.update({OutboxEntry.due_at: datetime.now(UTC)}).where(
            OutboxEntry.id == dropped["id"]
        )
        assert await run_mail_lane() == 1
        ids = mail.message_ids()
        assert sorted(ids) == sorted(f"<outbox-{entry_id}@127.0.0.1>" for entry_id in entry_ids)
    finally:
        mail.stop()


async def test_the_deadline_lane_is_due_work_other_than_email(db: str) -> None:
    [email] = await queue_emails(1)
    async with write_transaction():
        close = await outbox.add_job(CLOSE_CALL_OFF, {"call_off_id": "nothing"})
    assert await outbox.due_entries(10, lane=outbox.DEADLINE_LANE) == [close]
    assert await outbox.due_entries(10, lane=outbox.MAIL_LANE) == [email]
    assert set(await outbox.due_entries(10)) == {close, email}
