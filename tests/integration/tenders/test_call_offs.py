"""Drafting the three kinds of call-off, with every rule checked and named by its field."""

from __future__ import annotations

from typing import Any

from tests.call_off_fixtures import (
    cluster_body,
    commissioning,
    enablement_body,
    in_days,
    pilot_body,
    suffix_of,
)
from tests.factories import bearer, make_organisation, make_user


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


async def test_an_enablement_draft_shows_its_envelope_with_workings(client) -> None:
    c = await commissioning()
    response = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    assert response.status_code == 201, response.text
    call_off = response.json()
    assert call_off["status"] == "draft"
    assert call_off["area_codes"] == [f"ASHFORD-{suffix_of(c)}"]
    assert (
        call_off["max_hourly_rate_pence"] == 2400 and call_off["envelope_base_rate_pence"] == 1950
    )
    assert call_off["envelope"]["weekly_pence"] == 19500
    assert call_off["envelope"]["lines"][0]["weighted_rate_pence"] == 1950
    assert call_off["enablement"]["weeks"] == 6 and call_off["cluster"] is None


async def test_a_cluster_envelope_is_weighted_by_each_packages_rurality(client) -> None:
    c = await commissioning()
    response = await client.post("/api/v1/call-offs", json=cluster_body(c), headers=bearer(c.token))
    assert response.status_code == 201, response.text
    envelope = response.json()["envelope"]
    assert sorted(line["weighted_rate_pence"] for line in envelope["lines"]) == [1950, 2048, 2145]
    assert envelope["computed_weekly_pence"] == 19500 + 14848 + 26813
    assert envelope["total_weekly_hours"] == "29.75"
    assert response.json()["rurality_mix"] == {
        "urban_major_conurbation": 0,
        "urban_city_and_town": 1,
        "rural_town_and_fringe": 1,
        "rural_village_and_dispersed": 1,
    }


async def test_an_explicit_envelope_above_the_computed_one_does_not_raise_it(client) -> None:
    c = await commissioning()
    response = await client.post(
        "/api/v1/call-offs",
        json=cluster_body(c, envelope_weekly_pence=9_999_999),
        headers=bearer(c.token),
    )
    assert response.status_code == 201
    assert response.json()["envelope"]["weekly_pence"] == 61161


async def test_a_pilot_buys_hours_in_up_to_three_areas(client) -> None:
    c = await commissioning()
    response = await client.post("/api/v1/call-offs", json=pilot_body(c), headers=bearer(c.token))
    assert response.status_code == 201, response.text
    assert response.json()["total_weekly_hours"] == "350.00"
    assert response.json()["envelope"] is None


async def test_kind_rules_are_each_named_by_field(client) -> None:
    c = await commissioning()
    s = suffix_of(c)
    cases: list[tuple[dict[str, Any], str]] = [
        (
            enablement_body(c, package_ids=[str(c.packages["1"]), str(c.packages["2"])]),
            "package_ids",
        ),
        (enablement_body(c, enablement=None), "enablement"),
        (enablement_body(c, cluster={"latest_start": "2030-01-01"}), "cluster"),
        (cluster_body(c, package_ids=[str(c.packages["1"])]), "package_ids"),
        (cluster_body(c, package_ids=[str(c.packages["1"]), str(c.packages["4"])]), "package_ids"),
        (cluster_body(c, cluster={"latest_start": "2020-01-01"}), "cluster.latest_start"),
        (pilot_body(c, pilot={**pilot_body(c)["pilot"], "price_weight": 50}), "pilot.price_weight"),
        (
            pilot_body(
                c,
                pilot={
                    **pilot_body(c)["pilot"],
                    "areas": [{"area_code": "NOT-MINE", "weekly_hours": "10.00"}],
                },
            ),
            "pilot.areas[0]",
        ),
        (enablement_body(c, max_hourly_rate_pence=2500), "max_hourly_rate_pence"),
        (enablement_body(c, lot_code="NOPE"), "lot_code"),
    ]
    for body, field in cases:
        response = await client.post("/api/v1/call-offs", json=body, headers=bearer(c.token))
        assert response.status_code == 422, (field, response.text)
        assert field in fields(response), (field, response.json())
    # Hours outside their pattern (0.25 to 200, two places) are refused by the schema: 400.
    above = pilot_body(
        c,
        pilot={
            **pilot_body(c)["pilot"],
            "areas": [{"area_code": f"ASHFORD-{s}", "weekly_hours": "200.25"}],
        },
    )
    response = await client.post("/api/v1/call-offs", json=above, headers=bearer(c.token))
    assert response.status_code == 400, response.text
    assert "pilot.areas[0].weekly_hours" in fields(response), response.json()


async def test_shape_errors_are_400_naming_the_field(client) -> None:
    c = await commissioning()
    bad_weeks = enablement_body(c, enablement={"budget_pence": 1000, "weeks": 7, "outcomes": ["x"]})
    response = await client.post("/api/v1/call-offs", json=bad_weeks, headers=bearer(c.token))
    assert response.status_code == 400 and fields(response) == ["enablement.weeks"]
    no_outcome = enablement_body(c, enablement={"budget_pence": 1000, "weeks": 2, "outcomes": []})
    response = await client.post("/api/v1/call-offs", json=no_outcome, headers=bearer(c.token))
    assert response.status_code == 400 and fields(response) == ["enablement.outcomes"]
    response = await client.post(
        "/api/v1/call-offs", json=enablement_body(c, colour="red"), headers=bearer(c.token)
    )
    assert response.status_code == 400 and fields(response) == ["colour"]


async def test_the_deadline_must_be_far_enough_ahead_and_carry_an_offset(client) -> None:
    c = await commissioning()
    soon = await client.post(
        "/api/v1/call-offs",
        json=enablement_body(c, deadline=in_days(0.01)),
        headers=bearer(c.token),
    )
    assert soon.status_code == 422 and fields(soon) == ["deadline"]
    naive = await client.post(
        "/api/v1/call-offs",
        json=enablement_body(c, deadline="2030-01-01T12:00:00"),
        headers=bearer(c.token),
    )
    assert naive.status_code == 400 and fields(naive) == ["deadline"]


async def test_commissioners_see_and_manage_only_their_own_call_offs(client) -> None:
    kent = await commissioning()
    dorset = await commissioning("NHS Dorset")
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(kent), headers=bearer(kent.token)
    )
    call_off_id = created.json()["id"]
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(dorset.token))
    ).status_code == 404
    assert (
        await client.post(
            f"/api/v1/call-offs/{call_off_id}/cancel",
            json={"reason": "x"},
            headers=bearer(dorset.token),
        )
    ).status_code == 404
    listed = await client.get("/api/v1/call-offs", headers=bearer(dorset.token))
    assert listed.json()["items"] == []
    mine = await client.get("/api/v1/call-offs?status=draft", headers=bearer(kent.token))
    assert [item["id"] for item in mine.json()["items"]] == [call_off_id]
    foreign_package = enablement_body(kent, package_ids=[str(dorset.packages["1"])])
    response = await client.post(
        "/api/v1/call-offs", json=foreign_package, headers=bearer(kent.token)
    )
    assert response.status_code == 422 and fields(response) == ["package_ids[0]"]


async def test_providers_cannot_draft_call_offs(client) -> None:
    c = await commissioning()
    provider = await make_organisation("provider")
    _, token = await make_user(provider.id, "provider")
    response = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(token)
    )
    assert response.status_code == 403


async def test_a_draft_can_be_cancelled_with_a_reason_and_then_not_again(client) -> None:
    c = await commissioning()
    call_off_id = (
        await client.post("/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token))
    ).json()["id"]
    cancelled = await client.post(
        f"/api/v1/call-offs/{call_off_id}/cancel",
        json={"reason": "Package withdrawn"},
        headers=bearer(c.token),
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await client.post(
        f"/api/v1/call-offs/{call_off_id}/cancel", json={"reason": "again"}, headers=bearer(c.token)
    )
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
