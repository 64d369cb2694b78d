"""Moving due outbox entries to where they run: to arq (job id = outbox id), or, in the embedded
default, straight to deliver() in this process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from marketplace.notifications import outbox
from marketplace.notifications.delivery import deliver

log = logging.getLogger("marketplace.outbox")
DELIVER_JOB = "deliver_outbox_entry"
RELAY_BATCH = 500


async def relay_to_arq(redis: Any) -> int:
    """Enqueue every due entry not yet handed over, or handed over so long ago that Redis may
    have lost it. arq refuses a second job with the same id while the first is queued, so a
    relay repeated by several workers doubles nothing. Returns how many were handed over."""
    entry_ids = await outbox.due_entries(RELAY_BATCH, for_relay=True)
    for entry_id in entry_ids:
        await redis.enqueue_job(DELIVER_JOB, str(entry_id), _job_id=str(entry_id))
    await outbox.mark_enqueued(entry_ids)
    return len(entry_ids)


async def run_due_in_process() -> int:
    """Embedded default: deliver every due entry here and now; returns how many were done."""
    delivered = 0
    while entry_ids := await outbox.due_entries(RELAY_BATCH):
        results = [await deliver(entry_id) for entry_id in entry_ids]
        delivered += results.count("done")
        if "done" not in results:
            break
    return delivered


class InProcessRunner:
    """The web process's stand-in for the worker when no REDIS_URL is set: the same outbox, the
    same deliver(), polled every half second, and the periodic upkeep it is given (the app's)."""

    def __init__(
        self,
        upkeep: Callable[[], Awaitable[None]],
        interval: float = 0.5,
        upkeep_every: float = 10.0,
    ) -> None:
        self.upkeep = upkeep
        self.interval = interval
        self.upkeep_every = upkeep_every
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_upkeep = loop.time()
        while True:
            try:
                await run_due_in_process()
                if loop.time() >= next_upkeep:
                    next_upkeep = loop.time() + self.upkeep_every
                    await self.upkeep()
            except Exception:  # the loop must outlive a bad round
                log.exception("in-process outbox round failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="in-process outbox runner")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
