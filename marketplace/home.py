"""The home page each kind of user lands on after signing in: a work queue composed from several
domains (call-offs, bids, awards, care, the contingency queue, admissions, the outbox), so it sits
above them all. Each queue is read in a fixed number of queries, never one per row
(docs/design.md 9.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import get
from litestar.response import Template

from marketplace.accounts.service import count_organisations, get_organisation
from marketplace.admissions.queries import applications_waiting
from marketplace.awards.queries import outcomes_to_read, standstills_running
from marketplace.bids.queries import responses_of
from marketplace.care.framework_share import share_of
from marketplace.care.queries import care_to_start
from marketplace.config import get_settings
from marketplace.notifications import outbox
from marketplace.principal import Principal
from marketplace.reference.service import reference_counts
from marketplace.reporting.spend import shown, spend
from marketplace.tenders.call_offs.queries import call_offs_needing_action, open_invitations
from marketplace.tenders.call_offs.status import end_of_today
from marketplace.tenders.waiting_list.contingency import due_packages
from marketplace.tenders.waiting_list.packages import count_waiting
from marketplace.web.labels import URGENCY
from marketplace.web.security import SignedIn
from marketplace.web.templating import local_time

# A provider's deadlines "soon" are those in the next 48 hours; an outcome is "to read" until the
# user opens it (awards.outcome_reading).
DEADLINE_HOURS = 48
SHOWN = 10  # rows shown in each queue; its counter links to the whole list


@dataclass(frozen=True)
class Item:
    href: str
    text: str
    detail: str


@dataclass(frozen=True)
class Queue:
    """One kind of work on a home page: its items, a counter linking to the filtered list, and
    the sentence that is true when there is none."""

    key: str
    title: str
    href: str
    empty: str
    items: list[Item] = field(default_factory=list)
    # How many there are when more exist than were read (the admin's queues read the first few).
    count: int | None = None

    @property
    def total(self) -> int:
        return len(self.items) if self.count is None else self.count

    @property
    def shown(self) -> list[Item]:
        return self.items[:SHOWN]


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def _day(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else "no date promised"


async def commissioner_queues(principal: Principal, now: datetime) -> list[Queue]:
    assert principal.organisation_id is not None
    rows = await call_offs_needing_action(
        principal.organisation_id, end_of_today(now, get_settings().timezone)
    )

    def call_offs(status: str) -> Iterable[Any]:
        return [r for r in rows if r["status"] == status]

    closing = [
        Item(
            f"/call-offs/{r['id']}",
            r["title"],
            f"Deadline today at {local_time(r['deadline'], '%-I:%M%p')}",
        )
        for r in call_offs("published")
    ]
    to_open = [
        Item(f"/call-offs/{r['id']}", r["title"], f"Closed {local_time(r['deadline'])}")
        for r in call_offs("closed")
    ]
    to_award = [
        Item(f"/call-offs/{r['id']}/evaluation", r["title"], "Bids opened and evaluated")
        for r in call_offs("evaluated")
    ]
    standstills = [
        Item(
            f"/call-offs/{r['id']}/evaluation#award",
            r["title"],
            f"Standstill ends {local_time(r['standstill_ends_at'])}",
        )
        for r in await standstills_running(principal.organisation_id)
    ]
    due = [
        Item(
            f"/contingency#package-{p.reference}",
            f"{p.reference} ({p.area_code})",
            f"{URGENCY.get(p.urgency, p.urgency)}: "
            + (f"overdue, it was due on {_day(p.due_on)}" if p.overdue else "due today"),
        )
        for p in await due_packages(principal.organisation_id, now.astimezone(_zone()).date())
    ]
    return [
        Queue("closing-today", "Call-offs closing today", "/call-offs?queue=closing-today",
              "No call-offs close today.", closing),
        Queue("bids-to-open", "Bids to open", "/call-offs?status=closed",
              "No call-offs are waiting for their bids to be opened.", to_open),
        Queue("to-award", "Evaluations to award", "/call-offs?status=evaluated",
              "No evaluations are waiting for an award.", to_award),
        Queue("standstills", "Standstills running", "/call-offs?status=awarded",
              "No standstill is running.", standstills),
        Queue("contingency-due", "Contingency packages due", "/contingency",
              "No contingency packages are due.", due),
    ]  # fmt: skip


async def provider_queues(principal: Principal, now: datetime) -> list[Queue]:
    assert principal.organisation_id is not None
    invited = await open_invitations(principal.organisation_id)
    answered = await responses_of(principal.organisation_id, [r["id"] for r in invited])
    new = [
        Item(f"/opportunities/{r['id']}", r["title"], f"Deadline {local_time(r['deadline'])}")
        for r in invited
        if r["id"] not in answered
    ]
    answer_words = {"bid": "your bid is in", "withdrawn": "you withdrew your bid"}
    soon = [
        Item(
            f"/opportunities/{r['id']}",
            r["title"],
            f"Deadline {local_time(r['deadline'])}: "
            + answer_words.get(answered.get(r["id"], ""), "you have not bid"),
        )
        for r in invited
        if r["deadline"] <= now + timedelta(hours=DEADLINE_HOURS)
        and answered.get(r["id"]) != "declined"
    ]
    outcomes = [
        Item(f"/my-bids/{r['id']}/outcome", r["title"], f"Decided {local_time(r['at'])}")
        for r in await outcomes_to_read(principal.organisation_id, principal.signed_in_user)
    ]
    care = [
        Item(
            f"/my-care/{r['id']}",
            f"{r['title']} ({r['area_code']})",
            f"Promised start {_day(r['promised_mobilisation_date'])}",
        )
        for r in await care_to_start(principal.organisation_id)
    ]
    return [
        Queue("new-invitations", "New invitations", "/opportunities",
              "No new invitations: you have bid on or declined every open call-off you are invited to.", new),
        Queue("deadlines-soon", "Deadlines in the next 48 hours", "/opportunities",
              "No deadlines in the next 48 hours.", soon),
        Queue("outcomes", "Outcomes to read", "/my-bids",
              "No outcomes to read: you have opened every decided outcome.", outcomes),
        Queue("care-to-start", "Care to start", "/my-care?status=awaiting_start",
              "No care is waiting for you to record its start.", care),
    ]  # fmt: skip


async def admin_queues() -> list[Queue]:
    failed_count = (await outbox.status_counts())["failed"]
    failed = [
        Item("/admin/outbox", str(e["job"]), f"Failed after {e['attempts']} tries: {(e['last_error'] or 'no error kept')[:160]}")
        for e in await outbox.entries_with_status("failed", limit=SHOWN)
    ]  # fmt: skip
    count, waiting = await applications_waiting(SHOWN)
    admissions = [
        Item(
            f"/admissions/{r['id']}",
            f"{r['provider_name']}: lot {r['lot_code']}",
            f"Applied {local_time(r['applied_at'])}, for {r['commissioner_name']} to decide",
        )
        for r in waiting
    ]
    return [
        Queue("outbox-failures", "Outbox failures", "/admin/outbox",
              "No deliveries have failed.", failed, failed_count),
        Queue("admissions-waiting", "Admissions waiting", "/admissions?status=applied",
              "No applications are waiting for a decision.", admissions, count),
    ]  # fmt: skip


@get("/", summary="Home", include_in_schema=False)
async def home(principal: SignedIn) -> Template:
    now = datetime.now(UTC)
    if principal.is_admin:
        return Template(
            "admin/home.html",
            context={
                "queues": await admin_queues(),
                "counts": await reference_counts(None),
                "commissioners": await count_organisations("commissioner"),
                "providers": await count_organisations("provider"),
            },
        )
    assert principal.organisation_id is not None
    if principal.is_commissioner:
        context = {
            "queues": await commissioner_queues(principal, now),
            "counts": await reference_counts(principal.organisation_id),
            "providers": await count_organisations("provider"),
            "waiting_packages": await count_waiting(principal.organisation_id),
            "share": await share_of(principal.organisation_id),
            **shown(await spend(principal), ["by-month"]),
        }
        return Template("commissioner/home.html", context=context)
    organisation = await get_organisation(principal, principal.organisation_id)
    return Template(
        "provider/home.html",
        context={
            "organisation": organisation,
            "queues": await provider_queues(principal, now),
            "counts": await reference_counts(None),
        },
    )
