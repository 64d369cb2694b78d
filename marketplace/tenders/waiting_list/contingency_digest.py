"""The daily contingency digest (docs/design.md 3.5): from 08:00 Europe/London on a working
day, each commissioner's active users get one email listing the packages due today and those
overdue. Run by the periodic upkeep, on every worker: a `contingency_digest` row per
commissioner and day, unique, inserted in the same transaction as the emails, makes sure only
one run sends it (the other's insert does nothing, so it sends nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from marketplace.accounts.service import active_user_emails
from marketplace.db import write_transaction
from marketplace.notifications.outbox import add_email
from marketplace.tenders.tables import ContingencyDigest, Package
from marketplace.tenders.waiting_list import contingency_rules as rules
from marketplace.tenders.waiting_list import contingency_schemas as schemas
from marketplace.tenders.waiting_list.contingency import (
    WAITING_STATUSES,
    queue_for,
    settings_of,
    zone,
)

TEMPLATE = "contingency_digest"


async def _commissioners_to_tell(day: date) -> list[UUID]:
    """Commissioners with a running clock and no digest yet for `day`."""
    done = {
        row["commissioner"]
        for row in await ContingencyDigest.select(ContingencyDigest.commissioner).where(
            ContingencyDigest.day == day
        )
    }
    rows = await (
        Package.select(Package.commissioner)
        .where(
            Package.status.is_in(list(WAITING_STATUSES)) & Package.first_offered_at.is_not_null()
        )
        .distinct()
    )
    return sorted({row["commissioner"] for row in rows} - done)


def _line(item: schemas.WaitingPackage) -> dict[str, Any]:
    return {
        "reference": item.reference,
        "urgency": item.urgency,
        "reason": item.reason.replace("_", " "),
        "due_on": item.due_on.strftime("%A %-d %B %Y"),
        "working_days_elapsed": item.working_days_elapsed,
    }


async def send_digest(commissioner_id: UUID, day: date) -> bool:
    """Send the commissioner's digest for `day` unless it was sent already; True when this run
    sent it. With nothing due or overdue the day is recorded and no email is sent (the due dates
    are whole days, so nothing new becomes due later that day)."""
    settings = await settings_of(commissioner_id)
    items = [i for i in await queue_for(commissioner_id, settings, day) if i.due_today or i.overdue]
    async with write_transaction():
        inserted = (
            await ContingencyDigest.insert(
                ContingencyDigest(commissioner=commissioner_id, day=day, packages=len(items))
            )
            .on_conflict(
                target=(ContingencyDigest.commissioner, ContingencyDigest.day),
                action="DO NOTHING",
            )
            .returning(ContingencyDigest.id)
        )
        if not inserted or not items:  # sent already; or nothing due: no email today
            return False
        context = {
            "day": day.strftime("%A %-d %B %Y"),
            "due_today": [_line(i) for i in items if i.due_today],
            "overdue": [_line(i) for i in items if i.overdue],
        }
        for email in await active_user_emails([commissioner_id]):
            await add_email(email, TEMPLATE, context)
    return True


async def send_contingency_digests(now: datetime | None = None) -> int:
    """Send every digest due at `now` (the upkeep calls this every few seconds): how many were
    sent by this run."""
    day = rules.digest_day(now or datetime.now(UTC), zone())
    if day is None:
        return 0
    sent = 0
    for commissioner_id in await _commissioners_to_tell(day):
        sent += await send_digest(commissioner_id, day)
    return sent
