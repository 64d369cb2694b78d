"""Lots, areas, pricing and the postcode directory through the JSON API."""

from __future__ import annotations

from tests.factories import bearer, make_admin, make_organisation, make_user


async def _commissioner_token() -> tuple[str, str]:
    commissioner = await make_organisation("commissioner")
    _, token = await make_user(commissioner.id, "commissioner")
    return str(commissioner.id), token


async def test_admin_creates_lots_and_everyone_signed_in_lists_them_page_by_page(client) -> None:
    _, admin = await make_admin()
    for code, name in [
        ("CSH", "Care and Support at Home"),
        ("NIGHTS", "Roaming Nights"),
        ("LIVEIN", "Live-in Care"),
    ]:
        response = await client.post(
            "/api/v1/lots", json={"code": code, "name": name}, headers=bearer(admin)
        )
        assert response.status_code == 201, response.text
    duplicate = await client.post(
        "/api/v1/lots", json={"code": "CSH", "name": "Again"}, headers=bearer(admin)
    )
    assert duplicate.status_code == 409
    provider = await make_organisation("provider")
    _, provider_token = await make_user(provider.id, "provider")
    first = await client.get("/api/v1/lots?limit=2", headers=bearer(provider_token))
    assert first.status_code == 200
    assert [lot["code"] for lot in first.json()["items"]] == ["CSH", "LIVEIN"]
    cursor = first.json()["next_cursor"]
    second = await client.get(
        f"/api/v1/lots?limit=2&cursor={cursor}", headers=bearer(provider_token)
    )
    assert [lot["code"] for lot in second.json()["items"]] == ["NIGHTS"]
    assert second.json()["next_cursor"] is None
    refused = await client.post(
        "/api/v1/lots", json={"code": "X", "name": "X"}, headers=bearer(provider_token)
    )
    assert refused.status_code == 403


async def test_bad_limits_and_cursors_get_400_naming_them(client) -> None:
    _, admin = await make_admin()
    too_big = await client.get("/api/v1/lots?limit=1000", headers=bearer(admin))
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["field"] == "limit"
    not_a_number = await client.get("/api/v1/lots?limit=lots", headers=bearer(admin))
    assert not_a_number.status_code == 400 and "limit" in not_a_number.json()["detail"]
    bad_cursor = await client.get("/api/v1/lots?cursor=%%%", headers=bearer(admin))
    assert bad_cursor.status_code == 400 and bad_cursor.json()["errors"][0]["field"] == "cursor"


async def test_commissioner_creates_areas_for_itself_only(client) -> None:
    mine, token = await _commissioner_token()
    other, _ = await _commissioner_token()
    created = await client.post(
        "/api/v1/areas",
        json={
            "code": "KENT-ASHFORD",
            "name": "Ashford",
            "commissioner_id": mine,
            "weekly_hours": "5253.25",
        },
        headers=bearer(token),
    )
    assert created.status_code == 201, created.text
    assert created.json()["weekly_hours"] == "5253.25"
    refused = await client.post(
        "/api/v1/areas",
        json={"code": "ELSEWHERE", "name": "Elsewhere", "commissioner_id": other},
        headers=bearer(token),
    )
    assert refused.status_code == 403
    listed = await client.get(f"/api/v1/areas?commissioner_id={mine}", headers=bearer(token))
    assert [area["code"] for area in listed.json()["items"]] == ["KENT-ASHFORD"]


async def test_areas_belong_to_commissioners(client) -> None:
    _, admin = await make_admin()
    provider = await make_organisation("provider")
    response = await client.post(
        "/api/v1/areas",
        json={"code": "X", "name": "X", "commissioner_id": str(provider.id)},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "commissioner_id"


async def test_commissioner_sets_and_replaces_its_pricing_for_a_lot(client) -> None:
    _, admin = await make_admin()
    await client.post(
        "/api/v1/lots",
        json={"code": "CSH", "name": "Care and Support at Home"},
        headers=bearer(admin),
    )
    _, token = await _commissioner_token()
    body = {
        "max_hourly_rate_pence": 2400,
        "envelope_base_rate_pence": 2000,
        "rurality_weights": {
            "rural_town_and_fringe": "1.05",
            "rural_village_and_dispersed": "1.10",
        },
    }
    created = await client.put("/api/v1/pricing/CSH", json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    assert created.json()["rurality_weights"] == {
        "urban_major_conurbation": "1.00",
        "urban_city_and_town": "1.00",
        "rural_town_and_fringe": "1.05",
        "rural_village_and_dispersed": "1.10",
    }
    replaced = await client.put(
        "/api/v1/pricing/CSH", json={**body, "max_hourly_rate_pence": 2300}, headers=bearer(token)
    )
    assert replaced.status_code == 200
    shown = await client.get("/api/v1/pricing/CSH", headers=bearer(token))
    assert shown.json()["max_hourly_rate_pence"] == 2300
    assert len((await client.get("/api/v1/pricing", headers=bearer(token))).json()) == 1


async def test_pricing_that_breaks_a_rule_is_refused_naming_the_field(client) -> None:
    _, admin = await make_admin()
    await client.post(
        "/api/v1/lots",
        json={"code": "CSH", "name": "Care and Support at Home"},
        headers=bearer(admin),
    )
    _, token = await _commissioner_token()
    base_above_max = await client.put(
        "/api/v1/pricing/CSH",
        json={"max_hourly_rate_pence": 2000, "envelope_base_rate_pence": 2100},
        headers=bearer(token),
    )
    assert base_above_max.status_code == 422
    assert base_above_max.json()["errors"][0]["field"] == "envelope_base_rate_pence"
    unknown_category = await client.put(
        "/api/v1/pricing/CSH",
        json={
            "max_hourly_rate_pence": 2400,
            "envelope_base_rate_pence": 2000,
            "rurality_weights": {"suburban": "1.00"},
        },
        headers=bearer(token),
    )
    assert unknown_category.status_code == 400
    assert unknown_category.json()["errors"][0]["field"].startswith("rurality_weights")
    floats = await client.put(
        "/api/v1/pricing/CSH",
        json={"max_hourly_rate_pence": 24.5, "envelope_base_rate_pence": 2000},
        headers=bearer(token),
    )
    assert floats.status_code == 400
    assert floats.json()["errors"][0]["field"] == "max_hourly_rate_pence"
    no_lot = await client.put(
        "/api/v1/pricing/NOPE",
        json={"max_hourly_rate_pence": 2400, "envelope_base_rate_pence": 2000},
        headers=bearer(token),
    )
    assert no_lot.status_code == 404


async def test_providers_have_no_pricing(client) -> None:
    provider = await make_organisation("provider")
    _, token = await make_user(provider.id, "provider")
    response = await client.get("/api/v1/pricing", headers=bearer(token))
    assert response.status_code == 403


async def test_admin_records_postcodes_which_are_normalised_and_readable(client) -> None:
    _, admin = await make_admin()
    body = {"rurality": "rural_village_and_dispersed", "latitude": 51.1, "longitude": 0.87}
    created = await client.put("/api/v1/postcodes/tn233ab", json=body, headers=bearer(admin))
    assert created.status_code == 201, created.text
    assert created.json()["postcode"] == "TN23 3AB"
    updated = await client.put(
        "/api/v1/postcodes/TN23 3AB",
        json={**body, "rurality": "urban_city_and_town"},
        headers=bearer(admin),
    )
    assert updated.status_code == 200
    _, commissioner = await _commissioner_token()
    shown = await client.get("/api/v1/postcodes/tn23%203ab", headers=bearer(commissioner))
    assert shown.json() == {
        "postcode": "TN23 3AB",
        "rurality": "urban_city_and_town",
        "latitude": 51.1,
        "longitude": 0.87,
    }
    assert (
        await client.get("/api/v1/postcodes/ZZ99 9ZZ", headers=bearer(commissioner))
    ).status_code == 404
    bad = await client.get("/api/v1/postcodes/not-a-postcode", headers=bearer(commissioner))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "postcode"
    refused = await client.put(
        "/api/v1/postcodes/TN23 3AB", json=body, headers=bearer(commissioner)
    )
    assert refused.status_code == 403


async def test_out_of_range_coordinates_are_refused(client) -> None:
    _, admin = await make_admin()
    response = await client.put(
        "/api/v1/postcodes/CT1 1AA",
        json={"rurality": "urban_city_and_town", "latitude": 123, "longitude": 1},
        headers=bearer(admin),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "latitude"


async def test_a_whole_number_written_with_a_fraction_is_an_integer_and_a_fraction_is_not(
    client,
) -> None:
    _, admin = await make_admin()
    await client.post("/api/v1/lots", json={"code": "CSH", "name": "Care"}, headers=bearer(admin))
    _, token = await _commissioner_token()
    whole = await client.put(
        "/api/v1/pricing/CSH",
        json={"max_hourly_rate_pence": 2400.0, "envelope_base_rate_pence": 1950},
        headers=bearer(token),
    )
    assert whole.status_code == 201, whole.text
    assert whole.json()["max_hourly_rate_pence"] == 2400
    fraction = await client.put(
        "/api/v1/pricing/CSH",
        json={"max_hourly_rate_pence": 2400.5, "envelope_base_rate_pence": 1950},
        headers=bearer(token),
    )
    assert fraction.status_code == 400
    assert [e["field"] for e in fraction.json()["errors"]] == ["max_hourly_rate_pence"]
    as_text = await client.put(
        "/api/v1/pricing/CSH",
        json={"max_hourly_rate_pence": "2400", "envelope_base_rate_pence": 1950},
        headers=bearer(token),
    )
    assert as_text.status_code == 400
