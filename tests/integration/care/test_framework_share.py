"""The framework share (docs/design.md 3.5): hours placed through the framework over all hours
placed, from real awards and an off-framework placement, with the commissioner's target."""

from __future__ import annotations

from marketplace.audit.tables import AuditEvent
from tests.call_off_fixtures import admitted_provider, commissioning
from tests.care_fixtures import concluded_cluster, today
from tests.factories import bearer


async def test_three_awards_and_one_placement_give_a_share_of_86_23_percent(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    # Packages 1, 2 and 3 (10.00, 7.25 and 12.50 hours a week) awarded through the framework.
    await concluded_cluster(client, c, token, ("1", "2", "3"))
    placed = await client.post(
        f"/api/v1/packages/{c.packages['4']}/off-framework",
        json={
            "lot_code": "CSH",
            "supplier_name": "Harbour Spot Care Ltd",
            "hourly_rate_pence": 2650,
            "weekly_hours": "4.75",
            "start_date": str(today()),
            "reason": "No framework provider in Canterbury",
            "override_reason": "Discharge cannot wait",
        },
        headers=bearer(c.token),
    )
    assert placed.status_code == 201, placed.text

    share = (await client.get("/api/v1/framework-share", headers=bearer(c.token))).json()
    assert share["target_percent"] == 90 and share["last_month"] == today().strftime("%Y-%m")
    overall = share["overall"]
    assert (overall["framework_hours"], overall["off_framework_hours"]) == ("29.75", "4.75")
    assert overall["total_hours"] == "34.50" and overall["share_percent"] == "86.23"
    assert overall["meets_target"] is False
    months = share["groups"]
    assert len(months) == 12 and months[-1]["share_percent"] == "86.23"
    assert [m["share_percent"] for m in months[:-1]] == [None] * 11

    by_area = await client.get(
        "/api/v1/framework-share", params={"group_by": "area"}, headers=bearer(c.token)
    )
    percents = {g["key"].split("-")[0]: g["share_percent"] for g in by_area.json()["groups"]}
    assert percents == {"ASHFORD": "100.00", "CANTERBURY": "0.00"}
    by_lot = await client.get(
        "/api/v1/framework-share", params={"group_by": "lot"}, headers=bearer(c.token)
    )
    assert [(g["key"], g["share_percent"]) for g in by_lot.json()["groups"]] == [("CSH", "86.23")]

    home = await client.get("/", headers=bearer(c.token))
    assert (
        "86.23% of hours placed through the framework in the last 12 months</a> (target 90%)"
        in home.text
    )
    page = await client.get("/framework-share", headers=bearer(c.token))
    assert page.status_code == 200 and 'id="share-chart"' in page.text
    assert 'id="share-by-month"' in page.text and "86.23%" in page.text


async def test_the_commissioner_sets_its_own_target(client) -> None:
    c = await commissioning()
    assert (await client.get("/api/v1/framework-share/target", headers=bearer(c.token))).json() == {
        "target_percent": 90
    }
    refused = await client.put(
        "/api/v1/framework-share/target", json={"target_percent": 101}, headers=bearer(c.token)
    )
    assert refused.status_code == 400, refused.text
    put = await client.put(
        "/api/v1/framework-share/target", json={"target_percent": 85}, headers=bearer(c.token)
    )
    assert put.status_code == 200 and put.json() == {"target_percent": 85}
    settings = await client.get("/api/v1/contingency/settings", headers=bearer(c.token))
    assert settings.json() == {"urgent_working_days": 2, "other_working_days": 10}
    share = (await client.get("/api/v1/framework-share", headers=bearer(c.token))).json()
    assert share["target_percent"] == 85 and share["overall"]["share_percent"] is None
    events = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "set_framework_share_target"
    )
    assert len(events) == 1
