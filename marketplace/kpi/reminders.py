"""The KPI returns' daily run (docs/design.md 8.9), from the periodic upkeep on every worker: from
08:00 Europe/London on a working day it opens the last quarter's returns (once: when none is
open yet) and reminds each provider whose return is open, 5 working days before the due date, on
it, and every working day after it. A `kpi_reminder` row per return and day, unique, inserted in
the same transaction as the emails, makes sure only one run sends a day's reminder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marketplace.accounts.service import active_user_emails
from marketplace.db import write_transaction
from marketplace.kpi import rules
from marketplace.kpi.service import open_returns, zone
from marketplace.kpi.tables import KpiReminder, KpiReturn
from marketplace.notifications.outbox import add_email
from marketplace.tenders.waiting_list.contingency_rules import digest_day

TEMPLATE = "kpi_return_reminder"


async def send_reminder(kpi_return: dict[str, Any], day: date, kind: str) -> bool:
    """Remind the provider of this open return for `day` unless a run did already: True when
    this run sent it."""
    async with write_transaction():
        inserted = (
            await KpiReminder.insert(KpiReminder(kpi_return=kpi_return["id"], day=day, kind=kind))
            .on_conflict(target=(KpiReminder.kpi_return, KpiReminder.day), action="DO NOTHING")
            .returning(KpiReminder.id)
        )
        if not inserted:
            return False
        quarter = rules.Quarter(kpi_return["year"], kpi_return["quarter"])
        context = {
            "quarter": quarter.label,
            "commissioner": kpi_return["commissioner_name"],
            "due_on": kpi_return["due_on"].strftime("%A %-d %B %Y"),
            "overdue": kind == "overdue",
        }
        for email in await active_user_emails([kpi_return["provider"]]):
            await add_email(email, TEMPLATE, context)
    return True


async def send_kpi_reminders(now: datetime | None = None) -> int:
    """Open the last quarter's returns if none is yet, then send every reminder due at `now`
    (the upkeep calls this every few seconds): how many this run sent."""
    day = digest_day(now or datetime.now(UTC), zone())
    if day is None:
        return 0
    last = rules.quarter_of(day).previous
    if not await KpiReturn.exists().where(
        (KpiReturn.year == last.year) & (KpiReturn.quarter == last.number)
    ):
        await open_returns(last)
    done = {
        row["kpi_return"]
        for row in await KpiReminder.select(KpiReminder.kpi_return).where(KpiReminder.day == day)
    }
    open_ones = await KpiReturn.select(
        KpiReturn.id,
        KpiReturn.provider,
        KpiReturn.year,
        KpiReturn.quarter,
        KpiReturn.due_on,
        KpiReturn.commissioner.name.as_alias("commissioner_name"),
    ).where(KpiReturn.status == "open")
    sent = 0
    for row in open_ones:
        kind = rules.reminder_kind(day, row["due_on"])
        if kind is not None and row["id"] not in done:
            sent += await send_reminder(row, day, kind)
    return sent
