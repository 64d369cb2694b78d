"""The home pages as work queues, through the whole ASGI app on SQLite and PostgreSQL: each queue's
items appear and disappear as the call-offs, bids, awards and care move; each counter links to
the filtered list; an empty queue says what is true; and a home page costs the same number of
queries whatever the number of items (counted, never timed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.tables import OutcomeRead
from marketplace.db import current_engine
from marketplace.notifications.relay import run_due_in_process
from marketplace.tenders.call_offs.status import end_of_today
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_user
from tests.integration.awards.test_awards import accepted, bid
from tests.integration.bids.test_bids import published
from tests.support import sign_in


def queue(page: str, key: str) -> str:
    match = re.search(rf'<section class="app-queue" id="queue-{key}".*?</section>', page, re.S)
    assert match, f"the page has the queue {key}"
    return match.group(0)


def counter(page: str, key: str) -> tuple[str, int]:
    match = re.search(
        rf'<a [^>]*href="([^"]+)" id="count-{key}"><span[^>]*data-count>(\d+)</span>', page
    )
    assert match, f"the page has the counter {key}"
    return match.group(1).replace("&amp;", "&"), int(match.group(2))


async def deadline_now(call_off_id: str, after: timedelta = timedelta(seconds=1)) -> None:
    """Bring the deadline to just after now: due today, and within 48 hours."""
    moment = datetime.now(UTC) + after
    await CallOff.update({CallOff.deadline: moment}).where(CallOff.id == call_off_id)


async def deadline_later_today(call_off_id: str) -> None:
    """Halfway between now and the end of the UK day: still open, and closing today."""
    now = datetime.now(UTC)
    end = end_of_today(now, "Europe/London")
    await CallOff.update({CallOff.deadline: now + (end - now) / 2}).where(CallOff.id == call_off_id)


async def as_commissioner(client: httpx.AsyncClient, c: Any) -> None:
    user, _ = await make_user(c.commissioner.id, "commissioner")
    assert (await sign_in(client, user.email)).status_code == 303


async def test_an_empty_commissioner_home_says_what_is_true(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    await as_commissioner(client, c)
    page = (await client.get("/")).text
    assert "will appear here as they are added" not in page
    assert 'id="framework-share-headline"' in page
    assert "No call-offs close today." in queue(page, "closing-today")
    assert "No call-offs are waiting for their bids to be opened." in queue(page, "bids-to-open")
    assert "No evaluations are waiting for an award." in queue(page, "to-award")
    assert "No standstill is running." in queue(page, "standstills")
    assert "No contingency packages are due." in queue(page, "contingency-due")
    for key in ("closing-today", "bids-to-open", "to-award", "standstills", "contingency-due"):
        assert counter(page, key)[1] == 0


async def test_commissioner_queues_follow_the_call_offs(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    closing = await published(client, c, enablement_body(c, title="Closing today"))
    later = await published(
        client,
        c,
        enablement_body(c, title="Closing later", package_ids=[str(c.packages["3"])]),
    )
    await deadline_now(closing)
    await bid(client, closing, oakleaf, accepted(1900))
    await as_commissioner(client, c)

    page = (await client.get("/")).text
    section = queue(page, "closing-today")
    assert f'href="/call-offs/{closing}"' in section and "Closing today" in section
    assert later not in section
    href, count = counter(page, "closing-today")
    assert (href, count) == ("/call-offs?queue=closing-today", 1)
    listed = (await client.get(href)).text
    assert f"/call-offs/{closing}" in listed and f"/call-offs/{later}" not in listed
    assert (
        "No call-offs are waiting for an award."
        in (await client.get(counter(page, "to-award")[0])).text
    )

    # The deadline passes: the call-off closes, its bids open (quorum 1) and it is evaluated.
    await deadline_now(closing, -timedelta(seconds=1))
    assert await close_due_call_offs() == 1
    page = (await client.get("/")).text
    assert closing not in queue(page, "closing-today")
    section = queue(page, "to-award")
    assert f'href="/call-offs/{closing}/evaluation"' in section
    href, count = counter(page, "to-award")
    assert (href, count) == ("/call-offs?status=evaluated", 1)
    assert f"/call-offs/{closing}" in (await client.get(href)).text

    # The award starts the standstill: the call-off moves to "standstills running".
    award = await client.post(
        f"/api/v1/call-offs/{closing}/award", json={}, headers=bearer(c.token)
    )
    assert award.status_code == 200, award.text
    page = (await client.get("/")).text
    assert "No evaluations are waiting for an award." in queue(page, "to-award")
    section = queue(page, "standstills")
    assert f'href="/call-offs/{closing}/evaluation#award"' in section
    assert "Standstill ends" in section
    href, count = counter(page, "standstills")
    assert (href, count) == ("/call-offs?status=awarded", 1)
    assert f"/call-offs/{closing}" in (await client.get(href)).text


async def test_a_closed_call_off_waits_in_bids_to_open(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c, opening_quorum=2))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await deadline_now(call_off_id, -timedelta(seconds=1))
    assert await close_due_call_offs() == 1
    await as_commissioner(client, c)
    page = (await client.get("/")).text
    assert f'href="/call-offs/{call_off_id}"' in queue(page, "bids-to-open")
    href, count = counter(page, "bids-to-open")
    assert (href, count) == ("/call-offs?status=closed", 1)
    assert f"/call-offs/{call_off_id}" in (await client.get(href)).text
    assert "No call-offs close today." in queue(page, "closing-today")


async def signed_in_provider(client: httpx.AsyncClient) -> tuple[Any, Any, str]:
    """A commissioner's world, an admitted provider and its API token, one of its users signed in."""
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    return c, provider, token


async def test_provider_queues_follow_invitations_bids_outcomes_and_care(
    client: httpx.AsyncClient,
) -> None:
    c, provider, token = await signed_in_provider(client)
    page = (await client.get("/")).text
    assert "No new invitations" in queue(page, "new-invitations")
    assert "No deadlines in the next 48 hours." in queue(page, "deadlines-soon")
    assert "No outcomes to read" in queue(page, "outcomes")
    assert "No care is waiting for you to record its start." in queue(page, "care-to-start")
    assert "will appear here" not in page

    call_off_id = await published(
        client, c, enablement_body(c, title="Ashford reablement", standstill_working_days=0)
    )
    page = (await client.get("/")).text
    assert f'href="/opportunities/{call_off_id}"' in queue(page, "new-invitations")
    assert call_off_id not in queue(page, "deadlines-soon"), "the deadline is 3 days away"
    assert counter(page, "new-invitations") == ("/opportunities", 1)

    await bid(client, call_off_id, token, accepted(1900))
    await deadline_now(call_off_id, timedelta(hours=2))
    page = (await client.get("/")).text
    assert call_off_id not in queue(page, "new-invitations"), "a bid answers the invitation"
    soon = queue(page, "deadlines-soon")
    assert f'href="/opportunities/{call_off_id}"' in soon and "your bid is in" in soon

    await deadline_now(call_off_id, -timedelta(seconds=1))
    assert await close_due_call_offs() == 1
    award = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert award.status_code == 200, award.text
    await run_due_in_process()  # the standstill of 0 days ends: concluded, care awarded
    page = (await client.get("/")).text
    assert call_off_id not in queue(page, "deadlines-soon")
    assert f'href="/my-bids/{call_off_id}/outcome"' in queue(page, "outcomes")
    assert counter(page, "outcomes") == ("/my-bids", 1)
    care = queue(page, "care-to-start")
    assert re.search(r'href="/my-care/[0-9a-f-]{36}"', care) and "Promised start" in care
    href, count = counter(page, "care-to-start")
    assert (href, count) == ("/my-care?status=awaiting_start", 1)
    assert (await client.get(href)).status_code == 200

    outcome = await client.get(f"/my-bids/{call_off_id}/outcome")
    assert outcome.status_code == 200
    page = (await client.get("/")).text
    assert call_off_id not in queue(page, "outcomes"), "an outcome opened leaves the queue"
    assert "No outcomes to read" in queue(page, "outcomes")
    assert counter(page, "outcomes") == ("/my-bids", 0)
    assert (await client.get(f"/my-bids/{call_off_id}/outcome")).status_code == 200
    assert await OutcomeRead.count() == 1, "read once, however often it is opened"
    colleague, _ = await make_user(provider.id, "provider")
    client.cookies.clear()  # another browser
    assert (await sign_in(client, colleague.email)).status_code == 303
    page = (await client.get("/")).text
    assert f'href="/my-bids/{call_off_id}/outcome"' in queue(page, "outcomes"), (
        "each user reads the outcome for themself"
    )


async def test_an_outcome_opened_before_the_award_is_decided_is_still_to_read_after(
    client: httpx.AsyncClient,
) -> None:
    c, _, token = await signed_in_provider(client)
    call_off_id = await published(client, c, enablement_body(c, standstill_working_days=0))
    await bid(client, call_off_id, token, accepted(1900))
    await deadline_now(call_off_id, -timedelta(seconds=1))
    assert await close_due_call_offs() == 1
    pending = await client.get(f"/my-bids/{call_off_id}/outcome")
    assert pending.status_code == 200 and await OutcomeRead.count() == 0
    award = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert award.status_code == 200, award.text
    page = (await client.get("/")).text
    assert f'href="/my-bids/{call_off_id}/outcome"' in queue(page, "outcomes")


async def test_admin_home_shows_outbox_failures_and_admissions_waiting(
    client: httpx.AsyncClient,
) -> None:
    from marketplace.admissions.applications import apply
    from marketplace.admissions.schemas import AdmissionCreate
    from marketplace.notifications.tables import OutboxEntry
    from tests.call_off_fixtures import suffix_of
    from tests.factories import make_admin, make_organisation, principal_of

    c = await commissioning()
    admin, _ = await make_admin()
    assert (await sign_in(client, admin.email)).status_code == 303
    page = (await client.get("/")).text
    assert "No deliveries have failed." in queue(page, "outbox-failures")
    assert "No applications are waiting for a decision." in queue(page, "admissions-waiting")

    provider = await make_organisation("provider", name="Rowan Care")
    user, _ = await make_user(provider.id, "provider")
    await apply(
        principal_of(user, provider),
        AdmissionCreate(
            lot_code="CSH", area_codes=[f"ASHFORD-{suffix_of(c)}"], accepts_maximum_prices=True
        ),
    )
    await OutboxEntry.insert(
        OutboxEntry(job="send_email", status="failed", attempts=5, last_error="SMTP refused")
    )
    page = (await client.get("/")).text
    failures = queue(page, "outbox-failures")
    assert 'href="/admin/outbox"' in failures and "SMTP refused" in failures
    assert counter(page, "outbox-failures") == ("/admin/outbox", 1)
    waiting = queue(page, "admissions-waiting")
    assert "Rowan Care: lot CSH" in waiting and "Kent County Council" in waiting
    assert counter(page, "admissions-waiting")[1] == 1


@contextmanager
def counting_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    engine_class = type(current_engine())
    seen: list[str] = []
    original = engine_class.run_querystring

    async def run(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring)[:60])
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", run)
    yield seen
    monkeypatch.setattr(engine_class, "run_querystring", original)


async def test_a_home_page_costs_the_same_queries_whatever_its_queues_hold(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    first = await published(client, c, enablement_body(c, title="First"))
    await deadline_later_today(first)
    await as_commissioner(client, c)
    with counting_queries(monkeypatch) as few:
        assert (await client.get("/")).status_code == 200
    for n in ("2", "3"):
        body = enablement_body(c, title=f"More {n}", package_ids=[str(c.packages[n])])
        await deadline_later_today(await published(client, c, body))
    with counting_queries(monkeypatch) as many:
        page = await client.get("/")
    assert counter(page.text, "closing-today")[1] == 3
    assert len(many) == len(few), (few, many)

    user, _ = await make_user(provider.id, "provider")
    client.cookies.clear()
    assert (await sign_in(client, user.email)).status_code == 303
    with counting_queries(monkeypatch) as provider_queries:
        page = await client.get("/")
    assert counter(page.text, "new-invitations")[1] == 3
    await bid(client, first, token, accepted(1900))
    with counting_queries(monkeypatch) as after_bid:
        page = await client.get("/")
    assert counter(page.text, "new-invitations")[1] == 2
    assert len(after_bid) == len(provider_queries)


async def test_a_contingency_package_due_appears_on_the_commissioner_home(
    client: httpx.AsyncClient,
) -> None:
    from marketplace.tenders.tables import Package
    from tests.call_off_fixtures import suffix_of

    c = await commissioning()
    await Package.update(
        {
            Package.first_offered_at: datetime.now(UTC) - timedelta(days=30),
            Package.contingency_reason: "no_award",
        }
    ).where(Package.id == c.packages["2"])
    await as_commissioner(client, c)
    page = (await client.get("/")).text
    reference = f"P-{suffix_of(c)}-2"
    section = queue(page, "contingency-due")
    assert f'href="/contingency#package-{reference}"' in section
    assert "Urgent: overdue, it was due on" in section
    assert counter(page, "contingency-due") == ("/contingency", 1)
    assert f'id="package-{reference}"' in (await client.get("/contingency")).text
