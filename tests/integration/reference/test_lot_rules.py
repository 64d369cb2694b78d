"""A lot's own rules (one provider per area) and the pricing's rates per service level and for
night units, through the JSON API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from marketplace.audit.tables import AuditEvent
from tests.factories import bearer, make_admin, make_organisation, make_user


async def _lot(client, admin: str, code: str = "NIGHTS") -> None:
    created = await client.post(
        "/api/v1/lots", json={"code": code, "name": "Roaming Nights"}, headers=bearer(admin)
    )
    assert created.status_code == 201, created.text


async def test_only_a_platform_admin_sets_one_provider_per_area_and_it_is_audited(client) -> None:
    _, admin = await make_admin()
    await _lot(client, admin)
    commissioner = await make_organisation("commissioner")
    _, officer = await make_user(commissioner.id, "commissioner")

    listed = await client.get("/api/v1/lots", headers=bearer(officer))
    assert listed.json()["items"][0]["one_provider_per_area"] is False
    refused = await client.put(
        "/api/v1/lots/NIGHTS/rules", json={"one_provider_per_area": True}, headers=bearer(officer)
    )
    assert refused.status_code == 403
    missing = await client.put(
        "/api/v1/lots/NOPE/rules", json={"one_provider_per_area": True}, headers=bearer(admin)
    )
    assert missing.status_code == 404
    set_ = await client.put(
        "/api/v1/lots/NIGHTS/rules", json={"one_provider_per_area": True}, headers=bearer(admin)
    )
    assert set_.status_code == 200, set_.text
    assert set_.json()["one_provider_per_area"] is True
    listed = await client.get("/api/v1/lots", headers=bearer(officer))
    assert listed.json()["items"][0]["one_provider_per_area"] is True
    event = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "put_lot_rules")
        .first()
    )
    assert event is not None
    assert json.loads(event["details"])["one_provider_per_area"] == {"old": False, "new": True}
    page = await client.get("/reference-data", headers=bearer(officer))
    assert "Only one provider awarded per area" in page.text


async def test_pricing_keeps_rates_per_service_level_and_for_night_units(client) -> None:
    _, admin = await make_admin()
    await _lot(client, admin)
    commissioner = await make_organisation("commissioner")
    _, officer = await make_user(commissioner.id, "commissioner")
    body = {
        "max_hourly_rate_pence": 2400,
        "envelope_base_rate_pence": 2000,
        "max_complex_hourly_rate_pence": 2650,
        "max_highly_complex_hourly_rate_pence": 3100,
        "max_sleep_in_night_pence": 9500,
        "max_waking_night_hourly_rate_pence": 2200,
    }
    created = await client.put("/api/v1/pricing/NIGHTS", json=body, headers=bearer(officer))
    assert created.status_code == 201, created.text
    shown = (await client.get("/api/v1/pricing/NIGHTS", headers=bearer(officer))).json()
    assert {name: shown[name] for name in body} == body
    page = await client.get("/reference-data", headers=bearer(officer))
    assert "High complex (PBS), an hour" in page.text and "£95.00" in page.text

    plain = await client.put(
        "/api/v1/pricing/NIGHTS",
        json={"max_hourly_rate_pence": 2400, "envelope_base_rate_pence": 2000},
        headers=bearer(officer),
    )
    assert plain.status_code == 200
    assert plain.json()["max_complex_hourly_rate_pence"] is None
    assert plain.json()["max_sleep_in_night_pence"] is None


async def test_a_higher_service_levels_rate_below_a_lower_ones_is_refused_naming_it(client) -> None:
    _, admin = await make_admin()
    await _lot(client, admin)
    commissioner = await make_organisation("commissioner")
    _, officer = await make_user(commissioner.id, "commissioner")
    below_standard = await client.put(
        "/api/v1/pricing/NIGHTS",
        json={
            "max_hourly_rate_pence": 2400,
            "envelope_base_rate_pence": 2000,
            "max_complex_hourly_rate_pence": 2300,
        },
        headers=bearer(officer),
    )
    assert below_standard.status_code == 422
    assert below_standard.json()["errors"][0]["field"] == "max_complex_hourly_rate_pence"
    below_complex = await client.put(
        "/api/v1/pricing/NIGHTS",
        json={
            "max_hourly_rate_pence": 2400,
            "envelope_base_rate_pence": 2000,
            "max_complex_hourly_rate_pence": 2600,
            "max_highly_complex_hourly_rate_pence": 2500,
        },
        headers=bearer(officer),
    )
    assert below_complex.status_code == 422
    assert below_complex.json()["errors"][0]["field"] == "max_highly_complex_hourly_rate_pence"
