"""Hours variations through the API, on SQLite and PostgreSQL (Dorset Lot 1 specification,
6.3-6.5): within +/- 5.00 hours a week of the hours awarded, cumulatively, a change applies at once
and the commissioner is told; 5.25 away it is a request the commissioner approves or refuses
with a reason; the commissioner sees the use of the tolerance per package and per provider."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, commissioning
from tests.care_fixtures import backdate, care_ids, concluded_cluster, days_ago, started
from tests.factories import bearer
from tests.support_mail import Sink


async def vary(client: Any, token: str, care_id: UUID, hours: str, days: int = 0) -> Any:
    return await client.post(
        f"/api/v1/care/{care_id}/variations",
        json={"weekly_hours": hours, "effective_from": days_ago(days), "reason": "Review"},
        headers=bearer(token),
    )


async def decide(client: Any, token: str, care_id: UUID, variation: str, **body: Any) -> Any:
    return await client.post(
        f"/api/v1/care/{care_id}/variations/{variation}/decision", json=body, headers=bearer(token)
    )


async def active_care(client: Any) -> tuple[Any, str, UUID, UUID]:
    """Two packages of care (10.00 and 7.25 hours awarded), started 5 days ago."""
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    ten, seven = await care_ids(await concluded_cluster(client, c, token))
    for care_id in (ten, seven):
        await backdate(care_id, awarded_days_ago=6)
        await started(client, token, care_id, days=5)
    return c, token, ten, seven


async def test_changes_within_five_hours_apply_at_once_and_five_and_a_quarter_is_a_request(
    client: Any, sink: Sink
) -> None:
    c, token, ten, _ = await active_care(client)
    sink.messages.clear()
    first = await vary(client, token, ten, "12.00", days=4)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "applied" and first.json()["tolerance_used"] == "2.00"
    edge = await vary(client, token, ten, "15.00", days=3)
    assert edge.json()["status"] == "applied", "5.00 exactly is within the tolerance"
    assert edge.json()["within_tolerance"] is True
    care = (await client.get(f"/api/v1/care/{ten}", headers=bearer(token))).json()
    assert care["weekly_hours"] == "15.00" and care["tolerance_left"] == "0.00"

    beyond = await vary(client, token, ten, "15.25", days=2)
    assert beyond.status_code == 201
    assert beyond.json()["status"] == "requested" and beyond.json()["tolerance_used"] == "5.25"
    care = (await client.get(f"/api/v1/care/{ten}", headers=bearer(token))).json()
    assert care["weekly_hours"] == "15.00", "a request changes nothing until it is approved"
    waiting = await vary(client, token, ten, "14.00", days=1)
    assert waiting.status_code == 409 and "waiting for the commissioner" in waiting.text

    by_provider = await decide(client, token, ten, beyond.json()["id"], decision="approve")
    assert by_provider.status_code == 403
    approved = await decide(
        client, c.token, ten, beyond.json()["id"], decision="approve", reason="Needs more help"
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    care = (await client.get(f"/api/v1/care/{ten}", headers=bearer(c.token))).json()
    assert care["weekly_hours"] == "15.25" and care["tolerance_used"] == "5.25"
    assert [e["action"] for e in care["timeline"]][-4:] == [
        "vary_care_hours",
        "vary_care_hours",
        "request_care_hours",
        "approve_care_hours",
    ]
    again = await decide(client, c.token, ten, beyond.json()["id"], decision="refuse", reason="x")
    assert again.status_code == 409

    await run_due_in_process()
    subjects = [m["Subject"] for m in sink.messages]
    assert subjects.count(f"Weekly hours changed: {care['package_reference']}") == 2
    assert f"Change of hours to approve: {care['package_reference']}" in subjects
    assert f"Change of hours approved: {care['package_reference']}" in subjects


async def test_the_tolerance_is_cumulative_both_ways_and_a_refusal_needs_a_reason(
    client: Any,
) -> None:
    c, token, _, seven = await active_care(client)
    assert (await vary(client, token, seven, "4.25")).json()["status"] == "applied"
    assert (await vary(client, token, seven, "2.25")).json()["status"] == "applied"  # -5.00
    request = await vary(client, token, seven, "2.00")  # -5.25 from the 7.25 awarded
    assert request.json()["status"] == "requested"
    assert request.json()["previous_weekly_hours"] == "2.25"
    unexplained = await decide(client, c.token, seven, request.json()["id"], decision="refuse")
    assert unexplained.status_code == 422 and unexplained.json()["errors"][0]["field"] == "reason"
    refused = await decide(
        client, c.token, seven, request.json()["id"], decision="refuse", reason="Reassess first"
    )
    assert refused.json()["status"] == "refused"
    care = (await client.get(f"/api/v1/care/{seven}", headers=bearer(token))).json()
    assert care["weekly_hours"] == "2.25"
    back = await vary(client, token, seven, "12.25")  # +5.00 from the hours awarded
    assert back.json()["status"] == "applied"


async def test_a_variation_keeps_to_its_rules(client: Any) -> None:
    c, token, ten, _ = await active_care(client)
    same = await vary(client, token, ten, "10.00")
    assert same.status_code == 422 and same.json()["errors"][0]["field"] == "weekly_hours"
    places = await vary(client, token, ten, "10.125")
    assert places.status_code == 400 and "two decimal places" in places.text
    before_start = await vary(client, token, ten, "11.00", days=6)
    assert before_start.status_code == 422
    assert before_start.json()["errors"][0]["field"] == "effective_from"
    assert (await vary(client, token, ten, "11.00", days=2)).status_code == 201
    earlier = await vary(client, token, ten, "11.50", days=3)
    assert earlier.status_code == 422, "not before the last variation"
    by_commissioner = await vary(client, c.token, ten, "11.00")
    assert by_commissioner.status_code == 403


async def test_care_awaiting_its_start_is_not_varied(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    [care_id, _] = await care_ids(await concluded_cluster(client, c, token))
    answer = await vary(client, token, care_id, "11.00")
    assert answer.status_code == 409 and "awaiting start" in answer.json()["detail"]


async def test_the_commissioner_sees_the_tolerance_used_per_package_and_per_provider(
    client: Any,
) -> None:
    c, token, ten, seven = await active_care(client)
    await vary(client, token, ten, "13.50")
    await vary(client, token, seven, "6.25")
    pending = await vary(client, token, seven, "13.00")
    assert pending.json()["status"] == "requested"
    answer = await client.get("/api/v1/care/tolerance", headers=bearer(c.token))
    assert answer.status_code == 200, answer.text
    use = answer.json()
    assert use["tolerance_hours"] == "5.00"
    by_care = {p["care_id"]: p for p in use["packages"]}
    assert by_care[str(ten)]["tolerance_used"] == "3.50"
    assert by_care[str(ten)]["tolerance_left"] == "1.50"
    assert by_care[str(seven)]["tolerance_used"] == "-1.00"
    assert by_care[str(seven)]["requests_pending"] == 1
    [provider] = use["providers"]
    assert provider["provider_name"] == "Oakleaf Home Care"
    assert provider["care_records"] == 2 and provider["records_varied"] == 2
    assert provider["hours_varied"] == "4.50" and provider["variations_applied"] == 2
    assert provider["requests"] == 1 and provider["requests_pending"] == 1
    refused = await client.get("/api/v1/care/tolerance", headers=bearer(token))
    assert refused.status_code == 403
