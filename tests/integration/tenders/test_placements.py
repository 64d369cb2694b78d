"""Off-framework placements (docs/design.md 3.5): allowed once the package's contingency clock is
due, earlier only with a recorded override reason; the package leaves the waiting list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from marketplace.audit.tables import AuditEvent
from marketplace.tenders.tables import Package
from tests.call_off_fixtures import commissioning
from tests.factories import bearer
from tests.support import csrf_token_in, sign_in


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "lot_code": "CSH",
        "supplier_name": "Harbour Spot Care Ltd",
        "hourly_rate_pence": 2650,
        "weekly_hours": "10.50",
        "start_date": "2026-12-07",
        "reason": "No framework provider could take the package",
    } | overrides


async def _place(client: Any, token: str, package_id: Any, body: dict[str, Any]) -> Any:
    return await client.post(
        f"/api/v1/packages/{package_id}/off-framework", json=body, headers=bearer(token)
    )


async def test_an_early_placement_without_an_override_reason_is_refused(client) -> None:
    c = await commissioning()
    package_id = c.packages["1"]  # never offered: no clock, so never due

    refused = await _place(client, c.token, package_id, _body())
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["override_reason"]
    blank = await _place(client, c.token, package_id, _body(override_reason="   "))
    assert blank.status_code == 422, blank.text

    placed = await _place(
        client, c.token, package_id, _body(override_reason="Hospital discharge tomorrow")
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["early_override_reason"] == "Hospital discharge tomorrow"
    assert placed.json()["weekly_hours"] == "10.50"
    package = await client.get(f"/api/v1/packages/{package_id}", headers=bearer(c.token))
    assert package.json()["status"] == "placed_off_framework"

    queue = (await client.get("/api/v1/contingency", headers=bearer(c.token))).json()
    assert [p["early_override_reason"] for p in queue["placements"]] == [
        "Hospital discharge tomorrow"
    ]
    page = await client.get("/contingency", headers=bearer(c.token))
    assert page.status_code == 200, page.text
    assert "Placed before due" in page.text and "Hospital discharge tomorrow" in page.text
    events = await AuditEvent.select(AuditEvent.details).where(
        (AuditEvent.action == "place_off_framework") & (AuditEvent.entity_id == str(package_id))
    )
    details = json.loads(events[0]["details"])
    assert details["early"] is True and details["override_reason"] == "Hospital discharge tomorrow"


async def test_a_due_package_is_placed_without_an_override_and_its_clock_stops(client) -> None:
    c = await commissioning()
    package_id = c.packages["2"]
    await Package.update(
        {
            Package.first_offered_at: datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
            Package.contingency_reason: "no_award",
        }
    ).where(Package.id == package_id)
    queue = (await client.get("/api/v1/contingency", headers=bearer(c.token))).json()
    assert [i["overdue"] for i in queue["items"]] == [True]

    placed = await _place(client, c.token, package_id, _body(override_reason="ignored"))
    assert placed.status_code == 201, placed.text
    assert placed.json()["early_override_reason"] is None, "not early: no override recorded"
    queue = (await client.get("/api/v1/contingency", headers=bearer(c.token))).json()
    assert queue["items"] == [] and len(queue["placements"]) == 1
    listed = await client.get("/api/v1/off-framework-placements", headers=bearer(c.token))
    assert [p["supplier_name"] for p in listed.json()] == ["Harbour Spot Care Ltd"]

    again = await _place(client, c.token, package_id, _body())
    assert again.status_code == 409, again.text


async def test_only_the_commissioners_own_waiting_package_is_placed(client) -> None:
    c = await commissioning()
    other = await commissioning("Dorset Council")
    await Package.update({Package.status: "in_call_off"}).where(Package.id == c.packages["3"])

    held = await _place(client, c.token, c.packages["3"], _body(override_reason="Urgent"))
    assert held.status_code == 409, held.text
    foreign = await _place(client, other.token, c.packages["1"], _body(override_reason="x"))
    assert foreign.status_code == 404, foreign.text


async def test_the_commissioner_places_a_due_package_from_the_queue_page(client) -> None:
    c = await commissioning()
    assert (await sign_in(client, c.officer.email)).status_code == 303
    package_id = c.packages["2"]
    await Package.update({Package.first_offered_at: datetime(2026, 1, 5, 10, 0, tzinfo=UTC)}).where(
        Package.id == package_id
    )
    queue = await client.get("/contingency")
    form_path = f"/contingency/packages/{package_id}/place"
    assert f'href="{form_path}"' in queue.text
    early_path = f"/contingency/packages/{c.packages['1']}/place"
    token = csrf_token_in((await client.get(early_path)).text)
    form = {
        "csrf_token": token,
        "lot_code": "CSH",
        "supplier_name": "Harbour Spot Care Ltd",
        "hourly_rate": "26.50",
        "weekly_hours": "7.25",
        "start_date": "2026-12-07",
        "reason": "No framework provider",
    }
    early = await client.post(early_path, data=form)
    assert early.status_code == 422 and 'href="#override_reason"' in early.text

    placed = await client.post(form_path, data=form)
    assert placed.status_code == 303, placed.text
    page = await client.get(placed.headers["location"])
    assert "Harbour Spot Care Ltd" in page.text and "£26.50" in page.text
