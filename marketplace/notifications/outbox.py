"""Writing to the outbox, and the life of an entry: claimed by one worker, then done, retried
with exponential backoff, or failed after the last try.

Services call add_email() or add_job() inside their own write_transaction(): the entry commits
with the change it belongs to, or not at all, and nothing runs before the commit.

What it guarantees: every committed entry runs **at least once**. An email keeps one Message-ID
over every attempt (derived from its entry), and is handed to the SMTP server exactly once except
when the outcome of an attempt is lost after the server accepted the message: the worker dies or
its job times out before the entry is marked done, the server's reply is lost, or marking it done
fails. Then it is sent again with the same Message-ID, so a repeat is recognisable. The other
jobs are idempotent, so a repeat of them changes nothing. See docs/design.md, 6.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from marketplace.config import get_settings
from marketplace.db import Statement, for_update, insert_rows, write_transaction
from marketplace.notifications.tables import OutboxEntry

SEND_EMAIL = "send_email"
# The two lanes, each drained by its own loop or arq queue: every job but email (closing and
# opening at a deadline, award notices, conclusions) in the deadline lane, never behind mail.
DEADLINE_LANE = "deadline"
MAIL_LANE = "mail"
LANES = (DEADLINE_LANE, MAIL_LANE)
BACKOFF_CAP_SECONDS = 3600


def now() -> datetime:
    return datetime.now(UTC)


async def add_job(
    job: str,
    payload: dict[str, Any],
    run_at: datetime | None = None,
    *,
    recipient: str | None = None,
) -> UUID:
    """Add a job to run after the current transaction commits (at `run_at` if given); an email
    names its `recipient`."""
    (entry_id,) = await _add_entries([(job, payload, recipient)], run_at)
    return entry_id


def job_statement(
    job: str,
    payload: dict[str, Any],
    run_at: datetime | None = None,
    *,
    recipient: str | None = None,
) -> tuple[UUID, Statement]:
    """(the new entry's id, the statement adding it), for a caller that writes it together with
    its own writes (`write_together`, in its transaction); as `add_job` takes it."""
    values = _entry_row(job, payload, recipient, run_at or now(), now())
    return values[0], Statement(_INSERT_ENTRY, values)


async def add_email(
    to: str, template: str, context: dict[str, Any], run_at: datetime | None = None
) -> UUID:
    """Add an email (templates/emails/<template>.txt and .html) to send after the commit."""
    (entry_id,) = await add_emails([(to, template, context)], run_at)
    return entry_id


def email_statement(
    to: str, template: str, context: dict[str, Any], run_at: datetime | None = None
) -> tuple[UUID, Statement]:
    """(the entry's id, the statement adding the email), as `add_email` takes it, for a caller
    that writes it together with its own writes."""
    return job_statement(
        SEND_EMAIL, _email_payload(to, template, context), run_at, recipient=_address(to)
    )


async def add_emails(
    emails: Sequence[tuple[str, str, dict[str, Any]]], run_at: datetime | None = None
) -> list[UUID]:
    """Add many emails (each: to, template, context) in as few statements as the engine's limit
    on parameters allows: a call-off's invitations to thousands of providers, say."""
    return await _add_entries(
        [
            (SEND_EMAIL, _email_payload(to, template, context), _address(to))
            for to, template, context in emails
        ],
        run_at,
    )


def _email_payload(to: str, template: str, context: dict[str, Any]) -> dict[str, Any]:
    return {"to": to, "template": template, "context": context}


def _address(to: str) -> str:
    return to.strip().lower()


_ENTRY_COLUMNS = (
    "id",
    "job",
    "payload",
    "run_at",
    "due_at",
    "status",
    "attempts",
    "created_at",
    "recipient",
)
# Hand-written: every email and job is one, bid receipts at the deadline rush among them.
_INSERT_ENTRY = """
INSERT INTO outbox_entry (id, job, payload, run_at, due_at, status, attempts, created_at,
                          recipient)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})
"""


def _entry_row(
    job: str, payload: dict[str, Any], recipient: str | None, when: datetime, created: datetime
) -> tuple[Any, ...]:
    return (
        uuid.uuid4(),
        job,
        msgspec.json.encode(payload).decode(),
        when,
        when,
        "pending",
        0,
        created,
        recipient,
    )


async def _add_entries(
    entries: Sequence[tuple[str, dict[str, Any], str | None]], run_at: datetime | None
) -> list[UUID]:
    """Insert outbox entries (job, payload, recipient), due at `run_at` or now, in multi-row
    statements (a call-off's invitations to thousands of providers in one)."""
    when = run_at or now()
    created = now()
    rows = [
        _entry_row(job, payload, recipient, when, created) for job, payload, recipient in entries
    ]
    await insert_rows(OutboxEntry, _ENTRY_COLUMNS, rows)
    return [row[0] for row in rows]


async def all_done(entry_ids: list[UUID]) -> bool:
    """Whether every one of these entries has run to completion (an email: has been sent)."""
    if not entry_ids:
        return True
    done = await OutboxEntry.count().where(
        OutboxEntry.id.is_in(entry_ids) & (OutboxEntry.status == "done")
    )
    return bool(done == len(set(entry_ids)))


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... doubling after each failed try, at most an hour (the first wait is
    MARKETPLACE_OUTBOX_RETRY_SECONDS)."""
    first = get_settings().outbox_retry_seconds
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, first * 2 ** max(0, attempts - 1)))


class ClaimedEntry(msgspec.Struct, frozen=True):
    id: UUID
    job: str
    payload: dict[str, Any]
    attempts: int


async def claim(entry_id: UUID) -> ClaimedEntry | None:
    """Take the lease on a pending, due entry that no live worker holds; None if another worker
    has it or it is already done (this is how a repeated delivery is recognised and skipped)."""
    moment = now()
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    async with write_transaction():
        row = await for_update(OutboxEntry.select().where(OutboxEntry.id == entry_id)).first()
        if row is None or row["status"] != "pending" or row["due_at"] > moment:
            return None
        if row["claimed_until"] is not None and row["claimed_until"] > moment:
            return None
        attempts = row["attempts"] + 1
        await OutboxEntry.update(
            {OutboxEntry.claimed_until: moment + lease, OutboxEntry.attempts: attempts}
        ).where(OutboxEntry.id == entry_id)
    return ClaimedEntry(
        id=row["id"], job=row["job"], payload=msgspec.json.decode(row["payload"]), attempts=attempts
    )


async def claim_batch(entry_ids: list[UUID]) -> list[ClaimedEntry]:
    """Take the lease on every one of these entries that claim() would take, in one transaction
    (a mail batch); those another worker holds, or that are done or not due, are left out."""
    if not entry_ids:
        return []
    moment = now()
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    free = OutboxEntry.claimed_until.is_null() | (OutboxEntry.claimed_until <= moment)
    async with write_transaction():
        rows = await for_update(
            OutboxEntry.select(
                OutboxEntry.id, OutboxEntry.job, OutboxEntry.payload, OutboxEntry.attempts
            )
            .where(OutboxEntry.id.is_in(entry_ids))
            .where((OutboxEntry.status == "pending") & (OutboxEntry.due_at <= moment) & free)
            .order_by(OutboxEntry.due_at)
        )
        if rows:
            await OutboxEntry.update(
                {
                    OutboxEntry.claimed_until: moment + lease,
                    OutboxEntry.attempts: OutboxEntry.attempts + 1,
                }
            ).where(OutboxEntry.id.is_in([row["id"] for row in rows]))
    return [
        ClaimedEntry(
            id=row["id"],
            job=row["job"],
            payload=msgspec.json.decode(row["payload"]),
            attempts=row["attempts"] + 1,
        )
        for row in rows
    ]


async def release(entries: list[ClaimedEntry]) -> None:
    """Give back the lease on claimed entries that were not tried (a batch stopped before
    them): they are due again at once, and the claim does not count as an attempt."""
    if not entries:
        return
    async with write_transaction():
        await OutboxEntry.update(
            {
                OutboxEntry.claimed_until: None,
                OutboxEntry.enqueued_at: None,
                OutboxEntry.attempts: OutboxEntry.attempts - 1,
            }
        ).where(OutboxEntry.id.is_in([entry.id for entry in entries]))


async def finish(entry: ClaimedEntry) -> None:
    """The entry's job ran: it is done."""
    async with write_transaction():
        await OutboxEntry.update(
            {
                OutboxEntry.status: "done",
                OutboxEntry.done_at: now(),
                OutboxEntry.claimed_until: None,
                OutboxEntry.last_error: None,
            }
        ).where(OutboxEntry.id == entry.id)


async def finish_many(entry_ids: list[UUID]) -> None:
    """These entries' jobs ran (a group of emails the server accepted): each is done."""
    if not entry_ids:
        return
    async with write_transaction():
        await OutboxEntry.update(
            {
                OutboxEntry.status: "done",
                OutboxEntry.done_at: now(),
                OutboxEntry.claimed_until: None,
                OutboxEntry.last_error: None,
            }
        ).where(OutboxEntry.id.is_in(entry_ids))


class Waiting(Exception):
    """Raised by a job that waits on other entries (an award notice on its assessment
    summaries): it is tried again after the first backoff, and the try is not counted, so a long
    mail outage never uses up its attempts."""


WAITING = "waiting: "


async def wait(entry: ClaimedEntry, why: str) -> str:
    """The entry's job waits on others: pending again, its try given back."""
    async with write_transaction():
        await OutboxEntry.update(
            {
                OutboxEntry.status: "pending",
                OutboxEntry.attempts: max(0, entry.attempts - 1),
                OutboxEntry.due_at: now() + backoff(1),
                OutboxEntry.claimed_until: None,
                OutboxEntry.enqueued_at: None,
                OutboxEntry.last_error: (WAITING + why)[:2000],
            }
        ).where(OutboxEntry.id == entry.id)
    return "pending"


async def wake_waiting() -> int:
    """Make the entries that wait on others due now (once what they wait on has run); returns
    how many."""
    waiting = (OutboxEntry.status == "pending") & OutboxEntry.last_error.like(WAITING + "%")
    async with write_transaction():
        count = await OutboxEntry.count().where(waiting)
        if count:
            await OutboxEntry.update({OutboxEntry.due_at: now()}).where(waiting)
    return int(count)


async def fail(entry: ClaimedEntry, error: str) -> str:
    """The entry's job failed: try again after a backoff, or mark it failed after the last try.
    Returns the entry's new status."""
    settings = get_settings()
    status = "failed" if entry.attempts >= settings.outbox_max_attempts else "pending"
    async with write_transaction():
        await OutboxEntry.update(
            {
                OutboxEntry.status: status,
                OutboxEntry.due_at: now() + backoff(entry.attempts),
                OutboxEntry.claimed_until: None,
                OutboxEntry.enqueued_at: None,
                OutboxEntry.last_error: error[:2000],
            }
        ).where(OutboxEntry.id == entry.id)
    return status


def lane_of(job: str) -> str:
    """The lane an entry's job runs in: email in the mail lane, every other job in the deadline
    lane."""
    return MAIL_LANE if job == SEND_EMAIL else DEADLINE_LANE


async def due_entries(
    limit: int = 100, *, for_relay: bool = False, lane: str | None = None
) -> list[UUID]:
    """Pending entries that are due and held by no live lease (of one lane, if named), the
    longest due first. For the relay, only those not handed to arq yet, or handed over so long
    ago that Redis may have lost them (the sweep)."""
    moment = now()
    free = OutboxEntry.claimed_until.is_null() | (OutboxEntry.claimed_until < moment)
    query = OutboxEntry.select(OutboxEntry.id).where(
        (OutboxEntry.status == "pending") & (OutboxEntry.due_at <= moment) & free
    )
    if lane == MAIL_LANE:
        query = query.where(OutboxEntry.job == SEND_EMAIL)
    elif lane == DEADLINE_LANE:
        query = query.where(OutboxEntry.job != SEND_EMAIL)
    if for_relay:
        stuck = moment - timedelta(seconds=get_settings().outbox_stuck_seconds)
        query = query.where(OutboxEntry.enqueued_at.is_null() | (OutboxEntry.enqueued_at <= stuck))
    rows = await query.order_by(OutboxEntry.due_at).limit(limit)
    return [row["id"] for row in rows]


async def mark_enqueued(entry_ids: list[UUID]) -> None:
    if not entry_ids:
        return
    async with write_transaction():
        await OutboxEntry.update({OutboxEntry.enqueued_at: now()}).where(
            OutboxEntry.id.is_in(entry_ids)
        )


async def retry_failed(entry_id: UUID) -> bool:
    """An admin sends a failed entry round again; False if it was not failed."""
    async with write_transaction():
        row = await for_update(
            OutboxEntry.select(OutboxEntry.status).where(OutboxEntry.id == entry_id)
        ).first()
        if row is None or row["status"] != "failed":
            return False
        await OutboxEntry.update(
            {
                OutboxEntry.status: "pending",
                OutboxEntry.attempts: 0,
                OutboxEntry.due_at: now(),
                OutboxEntry.enqueued_at: None,
            }
        ).where(OutboxEntry.id == entry_id)
    return True


async def entries_with_status(status: str, limit: int = 200) -> list[dict[str, Any]]:
    return await (
        OutboxEntry.select()
        .where(OutboxEntry.status == status)
        .order_by(OutboxEntry.created_at, ascending=False)
        .limit(limit)
    )


async def status_counts() -> dict[str, int]:
    return {
        status: await OutboxEntry.count().where(OutboxEntry.status == status)
        for status in ("pending", "done", "failed")
    }
