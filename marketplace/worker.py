"""The arq worker: runs outbox entries, relays due ones from the database to Redis, and keeps the
periodic upkeep going. `marketplace worker` starts it; importing this module does no work."""

from __future__ import annotations

import logging
import time
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
from marketplace.notifications.delivery import deliver
from marketplace.notifications.relay import DELIVER_JOB, relay_to_arq
from marketplace.wiring import wire

log = logging.getLogger("marketplace.worker")
QUEUE = "marketplace"
# Between attempts to start again after Redis went away: doubling from the first, at most the cap.
RESTART_FIRST_SECONDS = 1.0
RESTART_CAP_SECONDS = 30.0
EVERY_SECOND = set(range(60))
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
    return await deliver(UUID(entry_id))


async def relay_outbox(ctx: dict[str, Any]) -> int:
    return await relay_to_arq(ctx["redis"])


async def startup(ctx: dict[str, Any]) -> None:
    bind_engine(current_engine())
    await start_engine()


async def shutdown(ctx: dict[str, Any]) -> None:
    await stop_engine()


def create_worker(**overrides: Any) -> Worker:
    """An arq Worker for the marketplace (tests pass burst=True and the like)."""
    # One timeout for every job: arq waits that long (plus 10 s) before re-running a job whose
    # worker died, so a longer cron timeout would delay recovery of outbox deliveries.
    timeout = get_settings().job_timeout_seconds
    wire()
    options: dict[str, Any] = {
        "functions": [
            func(deliver_outbox_entry, name=DELIVER_JOB, timeout=timeout, max_tries=1000)
        ],
        "cron_jobs": [
            cron(relay_outbox, second=EVERY_SECOND, run_at_startup=True, timeout=timeout),
            cron(periodic_upkeep, second=EVERY_TEN_SECONDS, timeout=timeout),
        ],
        "redis_settings": redis_settings(),
        "queue_name": QUEUE,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "job_serializer": serialise,
        "job_deserializer": deserialise,
        "keep_result": 0,
        "poll_delay": 0.2,
        "max_jobs": 20,
    }
    options.update(overrides)
    return Worker(**options)


def run_through_outages() -> None:
    """`marketplace worker`: run the arq worker until it is stopped (SIGINT, SIGTERM). arq stops
    when Redis goes away under it, or cannot reach it at start-up; then a new worker is started,
    1 s later, then 2 s, 4 s ... at most 30 s apart, until Redis answers. Meanwhile the outbox
    keeps every email and job in the database, and the relay hands them over once it is back."""
    wait = RESTART_FIRST_SECONDS
    while True:
        started = time.monotonic()
        try:
            create_worker().run()
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
            time.sleep(wait)
            wait = min(RESTART_CAP_SECONDS, wait * 2)
