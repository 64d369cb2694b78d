"""The arq workers, one per lane: the deadline lane runs deadline jobs (closing and opening,
award notices, conclusions), relays due entries from the database to Redis and keeps the periodic
upkeep going; the mail lane sends email in batches over one SMTP connection each. Each lane has its
own arq queue and its own worker, so a backlog of mail never holds up a close.
`marketplace worker` starts both in one process (or one, with --lane); importing this module does
no work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from arq import cron, func
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from redis.exceptions import RedisError

from marketplace.binding import bind_engine
from marketplace.config import get_settings
from marketplace.db import current_engine, start_engine, stop_engine
from marketplace.jobs import periodic_upkeep
from marketplace.notifications.delivery import deliver, deliver_mail
from marketplace.notifications.outbox import DEADLINE_LANE, LANES, MAIL_LANE
from marketplace.notifications.relay import (
    DELIVER_JOB,
    DELIVER_MAIL_JOB,
    QUEUES,
    DeadlineFirst,
    relay_to_arq,
)
from marketplace.wiring import wire
from marketplace.working_days import is_working_day

log = logging.getLogger("marketplace.worker")
QUEUE = QUEUES[DEADLINE_LANE]
# Between attempts to start again after Redis went away: doubling from the first, at most the cap.
RESTART_FIRST_SECONDS = 1.0
RESTART_CAP_SECONDS = 30.0
EVERY_SECOND = set(range(60))
# The relay runs on arq's cron every second, and again every quarter of it within each run, so
# that a close is handed over within about a quarter second of its deadline.
RELAY_ROUNDS_PER_SECOND = 4
EVERY_TEN_SECONDS = set(range(0, 60, 10))


def serialise(value: Any) -> bytes:
    return msgspec.msgpack.encode(value)


def deserialise(data: bytes) -> Any:
    return msgspec.msgpack.decode(data)


def redis_settings() -> RedisSettings:
    url = get_settings().redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not set: without it jobs run inside the web process")
    return RedisSettings.from_dsn(url)


async def redis_pool() -> Any:
    """A connection to arq's Redis with the marketplace's serialiser (never pickle)."""
    return await create_pool(
        redis_settings(),
        job_serializer=serialise,
        job_deserializer=deserialise,
        default_queue_name=QUEUE,
    )


async def deliver_outbox_entry(ctx: dict[str, Any], entry_id: str) -> str:
    gate: DeadlineFirst | None = ctx.get("deadline_first")
    if gate is None:
        return await deliver(UUID(entry_id))
    async with gate.running():
        return await deliver(UUID(entry_id))


async def deliver_mail_batch(ctx: dict[str, Any], entry_ids: list[str]) -> dict[str, int]:
    gate: DeadlineFirst | None = ctx.get("deadline_first")
    outcomes = await deliver_mail(
        [UUID(entry_id) for entry_id in entry_ids],
        before_each=gate.wait if gate is not None else None,
    )
    return dict(outcomes)


async def relay_outbox(ctx: dict[str, Any]) -> int:
    """The relay: both lanes now, then the deadline lane alone every quarter second until the
    next run (handing over mail takes longer, and once a second is enough for it)."""
    handed = await relay_to_arq(ctx["redis"])
    for _ in range(RELAY_ROUNDS_PER_SECOND - 1):
        await asyncio.sleep(1 / RELAY_ROUNDS_PER_SECOND)
        handed += await relay_to_arq(ctx["redis"], lanes=(DEADLINE_LANE,))
    return handed


async def startup(ctx: dict[str, Any]) -> None:
    bind_engine(current_engine())
    await start_engine()
    # The first bank-holiday lookup builds the holidays package's tables (about a second):
    # made here, off the event loop, rather than by the first upkeep, which would hold up both
    # lanes meanwhile.
    await asyncio.to_thread(is_working_day, datetime.now(UTC).date())


async def shutdown(ctx: dict[str, Any]) -> None:
    await stop_engine()


def create_worker(lane: str = DEADLINE_LANE, **overrides: Any) -> Worker:
    """An arq Worker for one lane of the marketplace (tests pass burst=True and the like)."""
    # One timeout for every job: arq waits that long (plus 10 s) before re-running a job whose
    # worker died, so a longer cron timeout would delay recovery of outbox deliveries.
    timeout = get_settings().job_timeout_seconds
    wire()
    options: dict[str, Any] = {
        "redis_settings": redis_settings(),
        "queue_name": QUEUES[lane],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "job_serializer": serialise,
        "job_deserializer": deserialise,
        "keep_result": 0,
        "poll_delay": 0.2,
    }
    if lane == MAIL_LANE:
        options |= {
            "functions": [
                func(deliver_mail_batch, name=DELIVER_MAIL_JOB, timeout=timeout, max_tries=1000)
            ],
            "cron_jobs": [],
            # Mail batches sent at once: as many SMTP connections (MARKETPLACE_MAIL_CONNECTIONS).
            "max_jobs": get_settings().mail_connections,
        }
    elif lane == DEADLINE_LANE:
        options |= {
            "functions": [
                func(deliver_outbox_entry, name=DELIVER_JOB, timeout=timeout, max_tries=1000)
            ],
            "cron_jobs": [
                cron(relay_outbox, second=EVERY_SECOND, run_at_startup=True, timeout=timeout),
                cron(periodic_upkeep, second=EVERY_TEN_SECONDS, timeout=timeout),
            ],
            "max_jobs": 20,
            "poll_delay": 0.1,
        }
    else:
        raise ValueError(f"no lane called {lane!r} (there are: {', '.join(LANES)})")
    options.update(overrides)
    return Worker(**options)


async def run_workers(lanes: Sequence[str] = LANES, **overrides: Any) -> None:
    """Run a worker for each lane in this process until SIGTERM or SIGINT (or, in burst mode,
    until each has emptied its queue); then let their jobs end and close them."""
    gate = DeadlineFirst()  # the mail lane waits while a deadline job runs in this process
    workers = [
        create_worker(lane, handle_signals=False, ctx={"deadline_first": gate}, **overrides)
        for lane in lanes
    ]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    mains = []
    for worker in workers:
        worker.main_task = asyncio.create_task(worker.main())
        mains.append(worker.main_task)
    stopping = asyncio.create_task(stop.wait())
    try:
        if overrides.get("burst"):
            await asyncio.gather(*mains)
        else:
            await asyncio.wait([*mains, stopping], return_when=asyncio.FIRST_COMPLETED)
            for main in mains:  # a worker that failed fails the process
                if main.done() and not main.cancelled() and main.exception() is not None:
                    raise main.exception()  # type: ignore[misc]
    finally:
        stopping.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        for worker in workers:
            try:
                await worker.close()
            except (RedisError, OSError) as exc:  # Redis gone: what arq cleans up there is lost
                log.warning("a worker could not close cleanly: %s: %s", type(exc).__name__, exc)
        for main in mains:
            with contextlib.suppress(asyncio.CancelledError):
                await main


def run_through_outages(lanes: Sequence[str] = LANES) -> None:
    """`marketplace worker`: run the lanes' arq workers until stopped (SIGINT, SIGTERM). arq stops
    when Redis goes away under it, or cannot reach it at start-up; then new workers are started,
    1 s later, then 2 s, 4 s ... at most 30 s apart, until Redis answers. Meanwhile the outbox
    keeps every email and job in the database, and the relay hands them over once it is back.
    One event loop throughout, so the database pool the first workers opened serves the next."""
    asyncio.run(_run_through_outages(lanes))


async def _run_through_outages(lanes: Sequence[str]) -> None:
    wait = RESTART_FIRST_SECONDS
    while True:
        started = time.monotonic()
        try:
            await run_workers(lanes)
            return
        except (RedisError, OSError) as exc:
            if time.monotonic() - started > RESTART_CAP_SECONDS:
                wait = RESTART_FIRST_SECONDS  # it had been running: a fresh outage
            log.warning(
                "Redis is not answering (%s: %s); the worker starts again in %g s",
                type(exc).__name__,
                exc,
                wait,
            )
            await asyncio.sleep(wait)
            wait = min(RESTART_CAP_SECONDS, wait * 2)
