"""Moving due outbox entries to where they run, in two lanes so that a backlog of email never
delays a deadline: the deadline lane (every job but email: closing and opening at a deadline,
award notices, conclusions) and the mail lane (email, in batches over one SMTP connection).

With Redis, the relay hands each lane to its own arq queue: a deadline entry as one job (job id
= entry id), email as batch jobs. In the embedded default the in-process runner drains each lane
in a loop of its own, and the mail loop steps aside whenever the deadline loop has work."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID

from marketplace.config import get_settings
from marketplace.notifications import outbox
from marketplace.notifications.delivery import MAIL_BATCH, deliver, deliver_mail

log = logging.getLogger("marketplace.outbox")
DELIVER_JOB = "deliver_outbox_entry"
DELIVER_MAIL_JOB = "deliver_mail_batch"
# arq queue of each lane (the deadline lane keeps the name of the queue before there were lanes).
QUEUES = {outbox.DEADLINE_LANE: "marketplace", outbox.MAIL_LANE: "marketplace:mail"}
RELAY_BATCH = 500
MAIL_RELAY_ROUNDS = 10  # at most 5,000 emails handed over a run


def mail_batch_job_id(entry_ids: list[UUID]) -> str:
    """The same batch handed over twice is one arq job (arq refuses a second with its id)."""
    digest = hashlib.sha256(b"".join(entry.bytes for entry in sorted(entry_ids))).hexdigest()
    return f"mail-{digest[:32]}"


async def relay_to_arq(redis: Any, lanes: tuple[str, ...] = outbox.LANES) -> int:
    """Enqueue every due entry (of these lanes) not yet handed over, or handed over so long ago
    that Redis may have lost it: the deadline lane first, each entry a job on its queue, then
    email in batches on the mail queue. arq refuses a second job with the same id while the
    first is queued, and an entry runs only under its lease, so a relay repeated by several
    workers doubles nothing. Returns how many entries were handed over."""
    handed = 0
    if outbox.DEADLINE_LANE in lanes:
        entry_ids = await outbox.due_entries(RELAY_BATCH, for_relay=True, lane=outbox.DEADLINE_LANE)
        for entry_id in entry_ids:
            await redis.enqueue_job(
                DELIVER_JOB,
                str(entry_id),
                _job_id=str(entry_id),
                _queue_name=QUEUES[outbox.DEADLINE_LANE],
            )
        await outbox.mark_enqueued(entry_ids)
        handed += len(entry_ids)
    if outbox.MAIL_LANE in lanes:
        # A few rounds, so that a call-off's thousands of invitations are all handed over at once.
        for _ in range(MAIL_RELAY_ROUNDS):
            entry_ids = await outbox.due_entries(RELAY_BATCH, for_relay=True, lane=outbox.MAIL_LANE)
            for start in range(0, len(entry_ids), MAIL_BATCH):
                batch = entry_ids[start : start + MAIL_BATCH]
                await redis.enqueue_job(
                    DELIVER_MAIL_JOB,
                    [str(entry_id) for entry_id in batch],
                    _job_id=mail_batch_job_id(batch),
                    _queue_name=QUEUES[outbox.MAIL_LANE],
                )
            await outbox.mark_enqueued(entry_ids)
            handed += len(entry_ids)
            if len(entry_ids) < RELAY_BATCH:
                break
    return handed


async def run_deadline_lane() -> int:
    """Run every due entry of the deadline lane here and now; returns how many were done."""
    done = 0
    while entry_ids := await outbox.due_entries(RELAY_BATCH, lane=outbox.DEADLINE_LANE):
        results = [await deliver(entry_id) for entry_id in entry_ids]
        done += results.count("done")
        if "done" not in results:
            break
    return done


async def run_mail_lane(
    *, before_each: Callable[[], Awaitable[object]] | None = None, rounds: int | None = None
) -> int:
    """Send due email here and now in batches, each over an SMTP connection of its own, up to
    MARKETPLACE_MAIL_CONNECTIONS batches at once (at most `rounds` rounds of them, if given);
    returns how many were sent."""
    connections = get_settings().mail_connections
    sent = 0
    while rounds is None or rounds > 0:
        entry_ids = await outbox.due_entries(MAIL_BATCH * connections, lane=outbox.MAIL_LANE)
        if not entry_ids:
            break
        results = await asyncio.gather(
            *(
                deliver_mail(entry_ids[start : start + MAIL_BATCH], before_each=before_each)
                for start in range(0, len(entry_ids), MAIL_BATCH)
            )
        )
        outcomes = sum(results, Counter[str]())
        sent += outcomes["done"]
        if not outcomes["done"] and not outcomes["released"]:
            break
        if rounds is not None:
            rounds -= 1
    return sent


async def run_due_in_process() -> int:
    """Embedded default (and tests): run every due entry here and now, the deadline lane first;
    returns how many were done."""
    done = await run_deadline_lane()
    done += await run_mail_lane()
    # What waited on the mail just sent (an award notice on its assessment summaries), now.
    if await outbox.wake_waiting():
        done += await run_deadline_lane()
        done += await run_mail_lane()
    return done + await run_deadline_lane()  # any job the mail lane's wait let fall due


class DeadlineFirst:
    """Within one process, the mail lane waits before each message while deadline work runs
    (the in-process runner's loops, or the two arq workers of `marketplace worker`)."""

    def __init__(self) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._running += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._running -= 1
            if not self._running:
                self._idle.set()

    async def wait(self) -> None:
        await self._idle.wait()


class InProcessRunner:
    """The web process's stand-in for the worker when no REDIS_URL is set: the same outbox and
    the same deliveries, in three loops of their own: the deadline lane (polled every quarter
    second), the mail lane (batches; it pauses before each message while the deadline lane has
    work), and the periodic upkeep it is given (the app's)."""

    def __init__(
        self,
        upkeep: Callable[[], Awaitable[None]],
        interval: float = 0.5,
        upkeep_every: float = 10.0,
        deadline_interval: float = 0.25,
    ) -> None:
        self.upkeep = upkeep
        self.interval = interval
        self.upkeep_every = upkeep_every
        self.deadline_interval = deadline_interval
        self.deadline_first = DeadlineFirst()
        self._tasks: list[asyncio.Task[None]] = []

    async def _deadline_round(self) -> None:
        if not await outbox.due_entries(1, lane=outbox.DEADLINE_LANE):
            return
        async with self.deadline_first.running():
            await run_deadline_lane()

    async def _mail_round(self) -> None:
        await run_mail_lane(before_each=self.deadline_first.wait)

    @staticmethod
    async def _repeat(name: str, work: Callable[[], Awaitable[object]], every: float) -> None:
        while True:
            try:
                await work()
            except Exception:  # the loop must outlive a bad round
                log.exception("in-process %s round failed", name)
            await asyncio.sleep(every)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(
                self._repeat("deadline lane", self._deadline_round, self.deadline_interval),
                name="in-process outbox: deadline lane",
            ),
            asyncio.create_task(
                self._repeat("mail lane", self._mail_round, self.interval),
                name="in-process outbox: mail lane",
            ),
            asyncio.create_task(
                self._repeat("upkeep", self.upkeep, self.upkeep_every),
                name="in-process upkeep",
            ),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
