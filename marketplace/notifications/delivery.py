"""Running outbox entries: the one function that both the arq worker and the in-process runner
call for each entry, and the registry of jobs it can run.

An entry is claimed under a lease before its job runs and marked done after it, in separate
transactions: delivery is at least once (a run whose outcome is lost is repeated), never twice at
the same time while a lease lasts, and never again once done (see outbox.py for the guarantee).
Email goes in batches: many entries claimed in one transaction and sent over one SMTP connection,
each marked done as soon as the server has accepted it."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from marketplace.config import get_settings
from marketplace.notifications import outbox
from marketplace.notifications.email import (
    Mailer,
    Outgoing,
    is_rendered,
    render_outgoing,
    send_email,
)

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
    except outbox.Waiting as exc:
        return await outbox.wait(entry, str(exc))
    except Exception as exc:
        status = await outbox.fail(entry, f"{type(exc).__name__}: {exc}")
        log.warning("outbox entry %s (%s) failed, now %s: %s", entry.id, entry.job, status, exc)
        return status
    await outbox.finish(entry)
    return "done"


MAIL_BATCH = 50


class _DoneRecorder:
    """Marks accepted emails done while the next ones are sent: each group that was accepted
    while the last group was being recorded is recorded in one transaction (so the database's
    commits keep pace with the SMTP server instead of holding it up, and an email accepted is
    left unrecorded only as long as one commit takes)."""

    def __init__(self) -> None:
        self._waiting: list[UUID] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, entry_id: UUID) -> None:
        self._waiting.append(entry_id)
        if self._task is None or self._task.done():
            if self._task is not None:
                self._task.result()  # a failed record fails the batch
            self._task = asyncio.create_task(self._record())

    async def _record(self) -> None:
        while self._waiting:
            entry_ids, self._waiting = self._waiting, []
            await outbox.finish_many(entry_ids)

    async def flush(self) -> None:
        if self._task is not None:
            await self._task


async def _render(entry: outbox.ClaimedEntry) -> Outgoing:
    """The entry's message. What the templates render is made once per template and context
    (every invitation to a call-off shares it) off the event loop, which stays free for deadline
    work; each message then only adds its own headers to it, on the loop."""
    payload = entry.payload
    to, template, context = payload["to"], payload["template"], payload.get("context", {})
    if is_rendered(template, context):
        return render_outgoing(entry.id, to, template, context)
    return await asyncio.to_thread(render_outgoing, entry.id, to, template, context)


async def deliver_mail(
    entry_ids: list[UUID], *, before_each: Callable[[], Awaitable[object]] | None = None
) -> Counter[str]:
    """Send a batch of email entries over one SMTP connection (reconnecting after a failure):
    claimed together, then each marked done once the server accepted it (in groups, while the
    next are sent), or failed to retry after its backoff, on its own. Entries not yet tried when
    half the lease has gone are released for another round. `before_each` is awaited before each
    message (the in-process runner lets the deadline lane go first there). Returns how many ended
    in each state (as deliver() names them, and "released")."""
    entries = await outbox.claim_batch(entry_ids)
    outcomes: Counter[str] = Counter(skipped=len(set(entry_ids)) - len(entries))
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + get_settings().outbox_lease_seconds / 2
    done = _DoneRecorder()
    try:
        async with Mailer() as mailer:
            for index, entry in enumerate(entries):
                if before_each is not None:
                    await before_each()
                if loop.time() >= stop_at:
                    await outbox.release(entries[index:])
                    outcomes["released"] += len(entries) - index
                    break
                try:
                    if entry.job != outbox.SEND_EMAIL:
                        raise LookupError(f"{entry.job!r} is not an email")
                    message = await _render(entry)
                    await mailer.send(message)
                except Exception as exc:
                    status = await outbox.fail(entry, f"{type(exc).__name__}: {exc}")
                    log.warning("outbox email %s failed, now %s: %s", entry.id, status, exc)
                    outcomes[status] += 1
                    continue
                done.add(entry.id)
                outcomes["done"] += 1
    finally:
        await done.flush()  # even when stopped: what the server accepted is recorded
    return outcomes
