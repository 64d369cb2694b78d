"""The daily contingency digest: from 08:00 on working days, once per commissioner a day, even
when two workers run the upkeep at the same moment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import msgspec

from marketplace.notifications.tables import OutboxEntry
from marketplace.tenders.tables import ContingencyDigest, Package
from marketplace.tenders.waiting_list.contingency_digest import send_contingency_digests
from tests.call_off_fixtures import commissioning
from tests.factories import make_user

TUESDAY_8AM = datetime(2026, 12, 1, 8, 0, 30, tzinfo=UTC)  # GMT: 08:00 in London


async def _digests() -> list[dict[str, object]]:
    rows = await OutboxEntry.select(OutboxEntry.payload).where(OutboxEntry.job == "send_email")
    payloads = [msgspec.json.decode(row["payload"]) for row in rows]
    return [p for p in payloads if p["template"] == "contingency_digest"]


async def test_the_digest_is_sent_once_per_working_day_even_with_two_workers(db) -> None:
    c = await commissioning()
    await make_user(c.commissioner.id, "opener")
    # Urgent P-2 first offered on Friday 27 November: due on Tuesday 1 December.
    await Package.update(
        {Package.first_offered_at: datetime(2026, 11, 27, 10, 0, tzinfo=UTC)}
    ).where(Package.id == c.packages["2"])
    # Other P-1 first offered on 2 November: due on 16 November, overdue since.
    await Package.update(
        {Package.first_offered_at: datetime(2026, 11, 2, 10, 0, tzinfo=UTC)}
    ).where(Package.id == c.packages["1"])

    assert await send_contingency_digests(datetime(2026, 12, 1, 7, 59, tzinfo=UTC)) == 0
    sent = await asyncio.gather(
        send_contingency_digests(TUESDAY_8AM), send_contingency_digests(TUESDAY_8AM)
    )
    assert sorted(sent) == [0, 1], "one of the two workers sends it"
    digests = await _digests()
    assert len(digests) == 2, "one email to each of the commissioner's two active users"
    context = digests[0]["context"]
    assert isinstance(context, dict)
    assert [p["reference"][-1] for p in context["due_today"]] == ["2"]
    assert [p["reference"][-1] for p in context["overdue"]] == ["1"]
    assert await ContingencyDigest.count() == 1

    assert await send_contingency_digests(datetime(2026, 12, 1, 16, 0, tzinfo=UTC)) == 0
    assert await send_contingency_digests(datetime(2026, 12, 5, 9, 0, tzinfo=UTC)) == 0, "Saturday"
    assert len(await _digests()) == 2
    next_day = await asyncio.gather(
        *[send_contingency_digests(datetime(2026, 12, 2, 8, 5, tzinfo=UTC)) for _ in range(2)]
    )
    assert sum(next_day) == 1 and len(await _digests()) == 4


async def test_no_digest_email_when_nothing_is_due(db) -> None:
    c = await commissioning()
    await Package.update(
        {Package.first_offered_at: datetime(2026, 11, 30, 10, 0, tzinfo=UTC)}
    ).where(Package.id == c.packages["1"])
    assert await send_contingency_digests(TUESDAY_8AM) == 0
    assert await _digests() == []
