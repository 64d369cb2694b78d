"""Awarded care through the API, on SQLite and PostgreSQL: a concluded call-off becomes care per
package (or per pilot area), the provider records the actual start (boundaries: the promised day
is on time, the next is late; not before the award, not in the future), the commissioner corrects
it with a reason or ends the care, each party lists and reads only its own, and every event is on
the care's timeline, in the audit log and in the other party's email."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marketplace.audit.tables import AuditEvent
from marketplace.care.tables import AwardedCare
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, commissioning, suffix_of
from tests.care_fixtures import (
    backdate,
    care_ids,
    concluded_cluster,
    days_ago,
    plain_text,
    started,
    today,
)
from tests.factories import bearer, make_admin
from tests.support_mail import Sink


async def get(client: Any, token: str, path: str, **params: Any) -> Any:
    return await client.get(f"/api/v1{path}", params=params, headers=bearer(token))


async def test_a_concluded_cluster_becomes_care_awaiting_its_start_for_each_package(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await concluded_cluster(client, c, token)
    mine = await get(client, token, "/care")
    assert mine.status_code == 200, mine.text
    items = mine.json()["items"]
    assert len(items) == 2
    assert {i["package_reference"] for i in items} == {
        f"P-{suffix_of(c)}-1",
        f"P-{suffix_of(c)}-2",
    }
    first = next(i for i in items if i["package_reference"].endswith("-1"))
    assert first["status"] == "awaiting_start" and first["call_off_id"] == call_off_id
    assert first["provider_id"] == str(provider.id) and first["hourly_rate_pence"] == 1950
    assert first["awarded_weekly_hours"] == "10.00" and first["weekly_hours"] == "10.00"
    assert first["promised_mobilisation_date"] == str(today() + timedelta(days=3))
    assert first["area_code"] == f"ASHFORD-{suffix_of(c)}" and first["actual_start"] is None
    care = (await get(client, c.token, f"/care/{first['id']}")).json()
    assert [e["action"] for e in care["timeline"]] == ["begin_care"]
    assert (
        "Awarded to Oakleaf Home Care at £19.50/h for 10.00 hours a week"
        in (care["timeline"][0]["sentence"])
    )
    await run_due_in_process()
    concluded_mail = next(m for m in sink.messages if m["Subject"].startswith("Award concluded"))
    assert "record the actual start in My care" in plain_text(concluded_mail)
    assert await AuditEvent.count().where(AuditEvent.action == "begin_care") == 2


async def test_the_start_on_the_promised_day_is_on_time_and_the_next_day_is_late(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    on_time, late = await care_ids(await concluded_cluster(client, c, token))
    promised = today() - timedelta(days=2)
    for care_id in (on_time, late):
        await backdate(care_id, awarded_days_ago=5, promised=promised)

    future = await client.put(
        f"/api/v1/care/{on_time}/start",
        json={"actual_start": str(today() + timedelta(days=1))},
        headers=bearer(token),
    )
    assert future.status_code == 422
    assert future.json()["errors"] == [
        {
            "field": "actual_start",
            "code": "invalid",
            "message": "The actual start cannot be in the future",
        }
    ]
    early = await client.put(
        f"/api/v1/care/{on_time}/start",
        json={"actual_start": days_ago(6)},
        headers=bearer(token),
    )
    assert early.status_code == 422 and "before the care was awarded" in early.text

    sink.messages.clear()
    answer = await started(client, token, on_time, days=2)
    assert answer["status"] == "active" and answer["late_start"] is False
    assert answer["actual_start"] == str(promised)
    assert "on time" in answer["timeline"][-1]["sentence"]
    answer = await started(client, token, late, days=1)
    assert answer["late_start"] is True and "a late start" in answer["timeline"][-1]["sentence"]

    again = await client.put(
        f"/api/v1/care/{late}/start", json={"actual_start": days_ago(1)}, headers=bearer(token)
    )
    assert again.status_code == 409 and "active" in again.json()["detail"]
    late_ones = (await get(client, c.token, "/care", late="true")).json()["items"]
    assert [i["id"] for i in late_ones] == [str(late)]
    active = (await get(client, c.token, "/care", status="active")).json()["items"]
    assert len(active) == 2
    [ranked] = (await get(client, c.token, "/providers/ranking")).json()
    late_starts = next(f for f in ranked["factors"] if f["name"] == "late_starts")
    assert late_starts["score"] == "50.00", "one of two recorded starts late: 100 * (1 - 1/2)"
    assert "1 of 2 starts later than promised" in late_starts["explanation"]

    await run_due_in_process()
    to_commissioner = [m for m in sink.messages if m["Subject"].startswith("Care started")]
    assert len(to_commissioner) == 2
    assert to_commissioner[0]["To"] == c.officer.email
    assert f"/care/{on_time}" in plain_text(to_commissioner[0])


async def test_a_start_on_the_day_of_the_award_is_accepted(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    [care_id, _] = await care_ids(await concluded_cluster(client, c, token))
    await backdate(care_id, awarded_days_ago=4)
    answer = await started(client, token, care_id, days=4)
    assert answer["actual_start"] == days_ago(4) and answer["late_start"] is False


async def test_the_commissioner_corrects_the_start_with_a_reason(client: Any, sink: Sink) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    [care_id, _] = await care_ids(await concluded_cluster(client, c, token))
    await backdate(care_id, awarded_days_ago=6, promised=today() - timedelta(days=3))
    before = await client.post(
        f"/api/v1/care/{care_id}/start-correction",
        json={"actual_start": days_ago(3), "reason": "The visit log shows it"},
        headers=bearer(c.token),
    )
    assert before.status_code == 409, "nothing to correct before the start is recorded"
    await started(client, token, care_id, days=3)

    by_provider = await client.post(
        f"/api/v1/care/{care_id}/start-correction",
        json={"actual_start": days_ago(1), "reason": "x"},
        headers=bearer(token),
    )
    assert by_provider.status_code == 403
    no_reason = await client.post(
        f"/api/v1/care/{care_id}/start-correction",
        json={"actual_start": days_ago(1), "reason": ""},
        headers=bearer(c.token),
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    sink.messages.clear()
    corrected = await client.post(
        f"/api/v1/care/{care_id}/start-correction",
        json={"actual_start": days_ago(1), "reason": "The first visit was on the 2nd day"},
        headers=bearer(c.token),
    )
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert body["actual_start"] == days_ago(1) and body["late_start"] is True
    assert [e["action"] for e in body["timeline"]] == [
        "begin_care",
        "record_care_start",
        "correct_care_start",
    ]
    assert "Reason: The first visit was on the 2nd day" in body["timeline"][-1]["sentence"]
    await run_due_in_process()
    [mail] = [m for m in sink.messages if m["Subject"].startswith("Actual start corrected")]
    assert "/my-care/" in plain_text(mail)


async def test_the_commissioner_ends_active_care(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    [care_id, other] = await care_ids(await concluded_cluster(client, c, token))
    waiting = await client.post(
        f"/api/v1/care/{other}/end",
        json={"reason": "Moved away", "last_care_date": days_ago(0)},
        headers=bearer(c.token),
    )
    assert waiting.status_code == 409
    await backdate(care_id, awarded_days_ago=3)
    await started(client, token, care_id, days=2)
    too_early = await client.post(
        f"/api/v1/care/{care_id}/end",
        json={"reason": "Moved away", "last_care_date": days_ago(3)},
        headers=bearer(c.token),
    )
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0]["field"] == "last_care_date"
    ended = await client.post(
        f"/api/v1/care/{care_id}/end",
        json={"reason": "Moved into a care home", "last_care_date": days_ago(0)},
        headers=bearer(c.token),
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended" and ended.json()["end_reason"].startswith("Moved")
    assert (await get(client, token, "/care", status="ended")).json()["items"][0]["id"] == str(
        care_id
    )


async def test_no_one_sees_or_touches_another_partys_care(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    _, other_token = await admitted_provider(c, "Birch Care")
    [care_id, _] = await care_ids(await concluded_cluster(client, c, token))
    elsewhere = await commissioning("Dorset Council")
    _, admin_token = await make_admin()

    for who in (other_token, elsewhere.token):
        assert (await get(client, who, f"/care/{care_id}")).status_code == 404
        assert (await get(client, who, "/care")).json()["items"] == []
    writes = [
        ("PUT", "start", {"actual_start": days_ago(0)}),
        (
            "POST",
            "variations",
            {"weekly_hours": "11.00", "effective_from": days_ago(0), "reason": "More help"},
        ),
        ("POST", "hand-back", {"reason": "No staff", "last_care_date": days_ago(0)}),
    ]
    for method, path, body in writes:
        answer = await client.request(
            method, f"/api/v1/care/{care_id}/{path}", json=body, headers=bearer(other_token)
        )
        assert answer.status_code == 404, (path, answer.text)
    correction = await client.post(
        f"/api/v1/care/{care_id}/start-correction",
        json={"actual_start": days_ago(0), "reason": "x"},
        headers=bearer(elsewhere.token),
    )
    assert correction.status_code == 404
    assert (await get(client, admin_token, "/care")).status_code == 403
    row = await AwardedCare.select(AwardedCare.status).where(AwardedCare.id == care_id).first()
    assert row["status"] == "awaiting_start"


async def test_unknown_fields_and_bad_dates_are_refused(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    [care_id, _] = await care_ids(await concluded_cluster(client, c, token))
    unknown = await client.put(
        f"/api/v1/care/{care_id}/start",
        json={"actual_start": days_ago(0), "late": False},
        headers=bearer(token),
    )
    assert unknown.status_code == 400 and "late" in unknown.text
    malformed = await client.put(
        f"/api/v1/care/{care_id}/start", json={"actual_start": "yesterday"}, headers=bearer(token)
    )
    assert malformed.status_code == 400
