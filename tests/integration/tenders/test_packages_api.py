"""The waiting list and bundle suggestions through the JSON API, on both engines."""

from __future__ import annotations

from typing import Any

from marketplace.audit.tables import AuditEvent
from tests.factories import bearer, make_admin, make_organisation, make_user

POSTCODES = {
    # postcode: (rurality, latitude, longitude) - three in Ashford, one in a village 20 km off
    "TN23 1AA": ("urban_city_and_town", 51.1465, 0.8750),
    "TN23 1AB": ("urban_city_and_town", 51.1500, 0.8800),
    "TN24 8AA": ("rural_town_and_fringe", 51.1600, 0.8900),
    "TN27 0AA": ("rural_village_and_dispersed", 51.1700, 0.6000),
}


async def _directory(client: Any) -> None:
    _, admin = await make_admin()
    for postcode, (rurality, latitude, longitude) in POSTCODES.items():
        response = await client.put(
            f"/api/v1/postcodes/{postcode}",
            json={"rurality": rurality, "latitude": latitude, "longitude": longitude},
            headers=bearer(admin),
        )
        assert response.status_code == 201, response.text


async def _commissioner(client: Any, *area_codes: str) -> str:
    commissioner = await make_organisation("commissioner")
    _, token = await make_user(commissioner.id, "commissioner")
    for code in area_codes:
        response = await client.post(
            "/api/v1/areas",
            json={"code": code, "name": code.title(), "commissioner_id": str(commissioner.id)},
            headers=bearer(token),
        )
        assert response.status_code == 201, response.text
    return token


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "reference": "ASH-0001",
        "postcode": "tn231aa",
        "weekly_hours": "10.50",
        "service_level": "standard",
        "urgency": "standard",
        "start_by": "2026-12-14",
        "area_code": "ASHFORD",
        **fields,
    }


async def _add(client: Any, token: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/packages", json=_body(**fields), headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


async def test_commissioner_adds_a_package_with_rurality_from_the_directory(client) -> None:
    await _directory(client)
    token = await _commissioner(client, "ASHFORD")
    package = await _add(
        client,
        token,
        postcode="tn24 8aa",
        urgency="urgent",
        urgency_reason="hospital_discharge",
        weekly_hours="14",
    )
    assert package["postcode"] == "TN24 8AA"
    assert package["rurality"] == "rural_town_and_fringe"
    assert package["weekly_hours"] == "14.00"
    assert package["status"] == "waiting"
    assert (package["urgency"], package["urgency_reason"]) == ("urgent", "hospital_discharge")
    shown = await client.get(f"/api/v1/packages/{package['id']}", headers=bearer(token))
    assert shown.status_code == 200 and shown.json() == package
    events = await AuditEvent.select().where(AuditEvent.action == "add_package")
    assert [event["entity_id"] for event in events] == [package["id"]]
    assert "TN24" not in events[0]["details"]  # the postcode stays out of the permanent log


async def test_invalid_packages_are_refused_naming_the_field(client) -> None:
    await _directory(client)
    token = await _commissioner(client, "ASHFORD")
    await _commissioner(client, "ELSEWHERE")
    cases = [
        ({"postcode": "not a postcode"}, 400, "postcode"),
        ({"postcode": "TN99 9ZZ"}, 422, "postcode"),
        ({"urgency": "urgent"}, 422, "urgency_reason"),
        ({"urgency_reason": "end_of_life"}, 422, "urgency_reason"),
        ({"weekly_hours": "10.125"}, 400, "weekly_hours"),
        ({"weekly_hours": "0"}, 400, "weekly_hours"),
        ({"weekly_hours": "168.25"}, 400, "weekly_hours"),
        ({"area_code": "ELSEWHERE"}, 422, "area_code"),
        ({"area_code": "NOWHERE"}, 422, "area_code"),
        ({"reference": "Jane Smith"}, 400, "reference"),
        ({"reference": "x" * 41}, 400, "reference"),
        ({"service_level": "premium"}, 400, "service_level"),
        ({"start_by": "next week"}, 400, "start_by"),
        ({"nhs_number": "943 476 5919"}, 400, "nhs_number"),
    ]
    for fields, status, field in cases:
        response = await client.post(
            "/api/v1/packages", json=_body(**fields), headers=bearer(token)
        )
        assert response.status_code == status, (fields, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (fields, response.text)
    unknown = await client.post(
        "/api/v1/packages", json=_body(postcode="TN99 9ZZ"), headers=bearer(token)
    )
    assert unknown.json()["detail"] == "TN99 9ZZ is not in the postcode directory"
    named = await client.post(
        "/api/v1/packages", json=_body(reference="Jane Smith"), headers=bearer(token)
    )
    assert "pseudonymous reference, not a name" in named.json()["detail"]
    listed = await client.get("/api/v1/packages", headers=bearer(token))
    assert listed.json()["items"] == []


async def test_a_reference_is_used_once_per_commissioner(client) -> None:
    await _directory(client)
    mine = await _commissioner(client, "ASHFORD")
    theirs = await _commissioner(client, "DOVER")
    await _add(client, mine, reference="REF/1")
    again = await client.post(
        "/api/v1/packages", json=_body(reference="REF/1"), headers=bearer(mine)
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "reference"
    await _add(client, theirs, reference="REF/1", area_code="DOVER")


async def test_providers_cannot_see_or_add_packages(client) -> None:
    provider = await make_organisation("provider")
    _, token = await make_user(provider.id, "provider")
    for response in [
        await client.post("/api/v1/packages", json=_body(), headers=bearer(token)),
        await client.get("/api/v1/packages", headers=bearer(token)),
        await client.post(
            "/api/v1/packages/bundle-suggestions",
            json={"max_radius_km": 5, "max_weekly_hours": "40"},
            headers=bearer(token),
        ),
    ]:
        assert response.status_code == 403


async def test_the_waiting_list_is_own_only_filtered_and_paginated(client) -> None:
    await _directory(client)
    mine = await _commissioner(client, "ASHFORD", "CANTERBURY")
    theirs = await _commissioner(client, "DOVER")
    their_package = await _add(client, theirs, reference="THEIRS-1", area_code="DOVER")
    await _add(client, mine, reference="A-3")
    await _add(client, mine, reference="A-1", service_level="complex")
    await _add(client, mine, reference="A-2", urgency="urgent", urgency_reason="end_of_life")
    await _add(client, mine, reference="C-1", area_code="CANTERBURY")

    async def references(query: str, token: str = mine) -> list[str]:
        response = await client.get(f"/api/v1/packages?{query}", headers=bearer(token))
        assert response.status_code == 200, response.text
        return [item["reference"] for item in response.json()["items"]]

    assert await references("status=waiting") == ["A-1", "A-2", "A-3", "C-1"]
    assert await references("status=awarded") == []
    assert await references("area_code=CANTERBURY") == ["C-1"]
    assert await references("area_code=DOVER") == []
    assert await references("urgency=urgent") == ["A-2"]
    assert await references("service_level=complex&area_code=ASHFORD") == ["A-1"]
    first = await client.get("/api/v1/packages?limit=3", headers=bearer(mine))
    assert [item["reference"] for item in first.json()["items"]] == ["A-1", "A-2", "A-3"]
    cursor = first.json()["next_cursor"]
    assert await references(f"limit=3&cursor={cursor}") == ["C-1"]
    bad = await client.get("/api/v1/packages?urgency=soon", headers=bearer(mine))
    assert bad.status_code == 400
    hidden = await client.get(f"/api/v1/packages/{their_package['id']}", headers=bearer(mine))
    assert hidden.status_code == 404


async def test_bundle_suggestions_cover_own_waiting_packages_area_by_area(client) -> None:
    await _directory(client)
    mine = await _commissioner(client, "ASHFORD", "WEALD")
    theirs = await _commissioner(client, "DOVER")
    for n in range(3):
        await _add(client, theirs, reference=f"T-{n}", area_code="DOVER")
    a1 = await _add(client, mine, reference="A-1", postcode="TN23 1AA", weekly_hours="10.50")
    a2 = await _add(client, mine, reference="A-2", postcode="TN23 1AB", weekly_hours="12.25")
    a3 = await _add(client, mine, reference="A-3", postcode="TN24 8AA", weekly_hours="8.75")
    village = await _add(client, mine, reference="A-4", postcode="TN27 0AA")
    big = await _add(client, mine, reference="A-5", weekly_hours="60")
    # Same place as A-1, but another area: bundles never cross areas.
    weald = await _add(client, mine, reference="W-1", area_code="WEALD")

    response = await client.post(
        "/api/v1/packages/bundle-suggestions",
        json={"max_radius_km": 5, "max_weekly_hours": "40.00"},
        headers=bearer(mine),
    )
    assert response.status_code == 200, response.text
    (suggestion,) = response.json()["items"]
    assert suggestion["area_code"] == "ASHFORD"
    assert suggestion["package_ids"] == sorted([a1["id"], a2["id"], a3["id"]])
    assert sorted(suggestion["references"]) == ["A-1", "A-2", "A-3"]
    assert suggestion["total_weekly_hours"] == "31.50"
    assert suggestion["radius_km"] <= 5
    assert suggestion["rurality_mix"] == {"urban_city_and_town": 2, "rural_town_and_fringe": 1}
    assert suggestion["explanation"].startswith("3 packages within ")
    left = {item["package_id"]: item["reason"] for item in response.json()["unbundled"]}
    assert left == {
        village["id"]: "no_partner",
        big["id"]: "over_hours_limit",
        weald["id"]: "no_partner",
    }

    one_area = await client.post(
        "/api/v1/packages/bundle-suggestions",
        json={"area_code": "WEALD", "max_radius_km": 5, "max_weekly_hours": "40"},
        headers=bearer(mine),
    )
    assert one_area.json()["items"] == []
    assert [item["reference"] for item in one_area.json()["unbundled"]] == ["W-1"]
    for body, field in [
        ({"area_code": "DOVER", "max_radius_km": 5, "max_weekly_hours": "40"}, "area_code"),
        ({"max_radius_km": 0, "max_weekly_hours": "40"}, "max_radius_km"),
        ({"max_radius_km": 5e-324, "max_weekly_hours": "40"}, "max_radius_km"),  # was a 500
        ({"max_radius_km": 5, "max_weekly_hours": 40}, "max_weekly_hours"),  # text, not a number
        ({"max_radius_km": 5, "max_weekly_hours": "40.001"}, "max_weekly_hours"),
        ({"max_radius_km": 5, "max_weekly_hours": "40", "lot": "X"}, "lot"),
    ]:
        refused = await client.post(
            "/api/v1/packages/bundle-suggestions", json=body, headers=bearer(mine)
        )
        assert refused.status_code in (400, 422), refused.text
        assert refused.json()["errors"][0]["field"] == field
