"""Running outbox entries: the one function that both the arq worker and the in-process runner
call for each entry, and the registry of jobs it can run.

An entry is claimed under a lease before its job runs and marked done after it, in separate
transactions: delivery is at least once (a run whose outcome is lost is repeated), never twice at
the same time while a lease lasts, and never again once done (see outbox.py for the guarantee)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from marketplace.notifications import outbox
from marketplace.notifications.email import send_email

log = logging.getLogger("marketplace.outbox")
Job = Callable[[UUID, dict[str, Any]], Awaitable[None]]

JOBS: dict[str, Job] = {outbox.SEND_EMAIL: send_email}
# The domains' jobs (closing call-offs, award notices, conclusions ...) are registered by the
# composition root (marketplace/jobs.py), so that this platform module imports no domain.


def register_job(name: str, job: Job) -> None:
    """Add a job the outbox can run, by the name its entries carry."""
    JOBS[name] = job


async def deliver(entry_id: UUID) -> str:
    """Run one outbox entry at most once at a time and never again once done; returns what
    happened: "done", "pending" (to retry), "failed", or "skipped" (not ours to run now)."""
    entry = await outbox.claim(entry_id)
    if entry is None:
        return "skipped"
    job = JOBS.get(entry.job)
    try:
        if job is None:
            raise LookupError(f"no job called {entry.job!r}")
        await job(entry.id, entry.payload)
    except Exception as exc:
        status = await outbox.fail(entry, f"{type(exc).__name__}: {exc}")
        log.warning("outbox entry %s (%s) failed, now %s: %s", entry.id, entry.job, status, exc)
        return status
    await outbox.finish(entry)
    return "done"
