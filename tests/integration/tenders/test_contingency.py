"""The contingency clock and queue (docs/design.md 3.5): started at the first offer, kept through
a cancellation and a re-publication, counted in working days, restarted after a hand-back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.tenders.call_offs.lifecycle import award_packages, return_packages_for_contingency
from marketplace.tenders.tables import CallOff, Package
from marketplace.tenders.waiting_list.contingency import contingency_queue
from marketplace.tenders.waiting_list.hand_backs import return_handed_back
from marketplace.working_days import add_working_days
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    suffix_of,
)
from tests.factories import bearer, make_user

LONDON = ZoneInfo("Europe/London")


async def _draft_and_publish(client: Any, token: str, body: dict[str, Any]) -> str:
    drafted = await client.post("/api/v1/call-offs", json=body, headers=bearer(token))
    assert drafted.status_code == 201, drafted.text
    call_off_id: str = drafted.json()["id"]
    published = await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(token))
    assert published.status_code == 200, published.text
    return call_off_id


async def _queue(client: Any, token: str) -> dict[str, Any]:
    response = await client.get("/api/v1/contingency", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {item["reference"].rsplit("-", 1)[1]: item for item in response.json()["items"]}


async def test_the_clock_starts_at_the_first_offer_and_a_cancellation_does_not_reset_it(
    client,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    assert await _queue(client, c.token) == {}, "no clock before the first offer"

    first = await _draft_and_publish(client, c.token, cluster_body(c))
    queue = await _queue(client, c.token)
    assert sorted(queue) == ["1", "2", "3"]
    urgent, other = queue["2"], queue["1"]
    offered_on = datetime.fromisoformat(urgent["first_offered_at"]).astimezone(LONDON).date()
    assert urgent["reason"] == "waiting" and urgent["status"] == "in_call_off"
    assert urgent["working_days"] == 2 and other["working_days"] == 10
    due = add_working_days(offered_on + timedelta(days=1), 2)
    assert urgent["due_on"] == due.isoformat()
    assert urgent["overdue"] is False and urgent["working_days_elapsed"] == 0
    response = await client.get("/api/v1/contingency", headers=bearer(c.token))
    first_due = response.json()["items"][0]["reference"]
    assert first_due == f"P-{suffix_of(c)}-2", "the urgent package is due first"

    cancelled = await client.post(
        f"/api/v1/call-offs/{first}/cancel", json={"reason": "Re-bundling"}, headers=bearer(c.token)
    )
    assert cancelled.status_code == 200, cancelled.text
    after_cancel = await _queue(client, c.token)
    assert after_cancel["2"]["first_offered_at"] == urgent["first_offered_at"]
    assert after_cancel["2"]["reason"] == "cancelled" and after_cancel["2"]["status"] == "waiting"
    assert after_cancel["2"]["due_on"] == urgent["due_on"]

    second = await _draft_and_publish(client, c.token, enablement_body(c))
    again = await _queue(client, c.token)
    assert again["1"]["first_offered_at"] == other["first_offered_at"], "not restarted"
    assert [(h["id"], h["status"]) for h in again["1"]["call_offs"]] == [
        (first, "cancelled"),
        (second, "published"),
    ]


async def test_the_clocks_count_working_days_across_a_weekend_and_a_bank_holiday(db) -> None:
    c = await commissioning()
    # Urgent P-2 first offered on Friday 28 August 2026; Monday 31 August is a bank holiday.
    await Package.update(
        {Package.first_offered_at: datetime(2026, 8, 28, 15, 0, tzinfo=UTC)}
    ).where(Package.id == c.packages["2"])
    # Other P-1 first offered on Christmas Eve 2026 (Boxing Day observed on Monday 28th).
    await Package.update(
        {Package.first_offered_at: datetime(2026, 12, 24, 9, 0, tzinfo=UTC)}
    ).where(Package.id == c.packages["1"])

    on_tuesday = await contingency_queue(c.officer, on=date(2026, 9, 1))
    urgent = next(i for i in on_tuesday.items if i.reference.endswith("-2"))
    assert urgent.due_on == date(2026, 9, 2) and urgent.working_days_elapsed == 1
    assert not urgent.due_today and not urgent.overdue and urgent.working_days_left == 1
    on_wednesday = await contingency_queue(c.officer, on=date(2026, 9, 2))
    assert on_wednesday.items[0].due_today
    on_thursday = await contingency_queue(c.officer, on=date(2026, 9, 3))
    assert on_thursday.items[0].overdue

    over_christmas = await contingency_queue(c.officer, on=date(2026, 12, 31))
    other = next(i for i in over_christmas.items if i.reference.endswith("-1"))
    assert other.due_on == date(2027, 1, 12) and other.working_days_elapsed == 3
    assert [i.reference[-1] for i in over_christmas.items] == ["2", "1"], "soonest due first"


async def test_a_handed_back_package_starts_a_new_clock_at_its_next_offer(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    first = await _draft_and_publish(client, c.token, enablement_body(c))
    old = (await _queue(client, c.token))["1"]["first_offered_at"]
    await client.post(
        f"/api/v1/call-offs/{first}/cancel", json={"reason": "Spot"}, headers=bearer(c.token)
    )
    await award_packages(UUID(first))  # as at a conclusion: the clock stops
    package = await client.get(f"/api/v1/packages/{c.packages['1']}", headers=bearer(c.token))
    assert package.json()["status"] == "awarded" and package.json()["first_offered_at"] is None
    assert package.json()["contingency_reason"] is None
    assert await return_handed_back(c.packages["1"], datetime.now(UTC))
    package = await client.get(f"/api/v1/packages/{c.packages['1']}", headers=bearer(c.token))
    assert package.json()["contingency_reason"] == "handed_back"
    assert package.json()["first_offered_at"] is None
    assert "1" not in await _queue(client, c.token)

    await _draft_and_publish(client, c.token, enablement_body(c))
    queue = await _queue(client, c.token)
    assert queue["1"]["reason"] == "handed_back"
    assert queue["1"]["first_offered_at"] > old, "a new clock"


async def test_the_time_scales_are_the_commissioners_own_from_1_to_30_working_days(
    client,
) -> None:
    c = await commissioning()
    settings = await client.get("/api/v1/contingency/settings", headers=bearer(c.token))
    assert settings.json() == {"urgent_working_days": 2, "other_working_days": 10}
    put = await client.put(
        "/api/v1/contingency/settings",
        json={"urgent_working_days": 3, "other_working_days": 12},
        headers=bearer(c.token),
    )
    assert put.status_code == 200 and put.json()["urgent_working_days"] == 3
    await Package.update(
        {Package.first_offered_at: datetime(2026, 11, 27, 12, 0, tzinfo=UTC)}
    ).where(Package.id == c.packages["2"])
    queue = await contingency_queue(c.officer, on=date(2026, 11, 30))
    assert queue.items[0].working_days == 3 and queue.items[0].due_on == date(2026, 12, 2)

    for field, value in (("urgent_working_days", 0), ("other_working_days", 31)):
        body = {"urgent_working_days": 2, "other_working_days": 10, field: value}
        refused = await client.put(
            "/api/v1/contingency/settings", json=body, headers=bearer(c.token)
        )
        assert refused.status_code in (400, 422) and field in refused.text, refused.text

    _, opener_token = await make_user(c.commissioner.id, "opener")
    by_opener = await client.put(
        "/api/v1/contingency/settings",
        json={"urgent_working_days": 5, "other_working_days": 10},
        headers=bearer(opener_token),
    )
    assert by_opener.status_code == 403
    _, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    assert (
        await client.get("/api/v1/contingency", headers=bearer(provider_token))
    ).status_code == 403


async def test_the_console_page_shows_the_queue_and_refreshes_its_countdown(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    await _draft_and_publish(client, c.token, cluster_body(c))
    page = await client.get("/contingency", headers=bearer(c.token))
    assert page.status_code == 200, page.text
    assert f"P-{suffix_of(c)}-2" in page.text and "working days left" in page.text
    assert 'hx-get="/contingency/countdown"' in page.text and 'href="/contingency"' in page.text
    fragment = await client.get("/contingency/countdown", headers=bearer(c.token))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="contingency-queue"' in fragment.text


async def test_no_award_says_why_it_waits_and_a_confirmed_award_stops_the_clock(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    failed = await _draft_and_publish(client, c.token, enablement_body(c))
    offered = (await _queue(client, c.token))["1"]["first_offered_at"]
    await CallOff.update({CallOff.status: "no_award"}).where(CallOff.id == UUID(failed))
    await return_packages_for_contingency(UUID(failed))
    queue = await _queue(client, c.token)
    assert queue["1"]["reason"] == "no_award" and queue["1"]["first_offered_at"] == offered

    awarded = await _draft_and_publish(client, c.token, enablement_body(c))
    assert "1" in await _queue(client, c.token)
    await CallOff.update({CallOff.status: "awarded"}).where(CallOff.id == UUID(awarded))
    assert "1" not in await _queue(client, c.token), "awarded: the clock has stopped"
