"""The arq worker: runs outbox entries, relays due ones from the database to Redis, and keeps the
periodic upkeep going. `marketplace worker` starts it; importing this module does no work."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from arq import cron, func
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker

from marketplace.config import get_settings
from marketplace.db import bind_engine, current_engine, start_engine, stop_engine
from marketplace.notifications.delivery import deliver
from marketplace.notifications.relay import DELIVER_JOB, relay_to_arq

QUEUE = "marketplace"
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


async def periodic_upkeep(ctx: dict[str, Any] | None = None) -> None:
    """Work done every few seconds whatever the mode: closing call-offs whose scheduled close was
    missed, concluding awards whose standstill has ended, forgetting expired idempotency keys,
    and sealing the audit log."""
    from marketplace.audit.sealing import seal_audit_log
    from marketplace.awards.conclusion import conclude_due_awards
    from marketplace.bids.opening import close_due_call_offs
    from marketplace.idempotency.service import forget_expired_keys

    await close_due_call_offs()
    await conclude_due_awards()
    await forget_expired_keys()
    await seal_audit_log()


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
