"""A lot with the one-provider-per-area rule (Dorset Roaming Nights): a second provider's award
in an area where another provider's care is awaiting its start or active is refused, naming the
area; the same provider may be awarded there again; the call-off says so. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marketplace.care.tables import AwardedCare
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    suffix_of,
)
from tests.factories import bearer, make_admin
from tests.integration.awards.test_awards import accepted, award, bid, close, status_of
from tests.integration.bids.test_bids import published


async def _one_provider_per_area(client: Any) -> None:
    _, admin = await make_admin()
    response = await client.put(
        "/api/v1/lots/CSH/rules", json={"one_provider_per_area": True}, headers=bearer(admin)
    )
    assert response.status_code == 200, response.text


async def test_a_second_providers_award_in_an_area_with_active_care_is_refused(client) -> None:
    c = await commissioning()
    await _one_provider_per_area(client)
    first_id, first = await admitted_provider(c, "Nightingale Care")
    _, second = await admitted_provider(c, "Owl Care")
    start = str(date.today() + timedelta(days=3))
    ashford_run = cluster_body(
        c, package_ids=[str(c.packages["1"]), str(c.packages["3"])], standstill_working_days=0
    )
    first_call_off = await published(client, c, ashford_run)
    await bid(
        client, first_call_off, first, {"hourly_rate_pence": 2000, "mobilisation_date": start}
    )
    await close(first_call_off)
    assert (await award(client, c, first_call_off)).status_code == 200
    await run_due_in_process()
    assert await status_of(client, c, first_call_off) == "concluded"
    assert {row["provider"] for row in await AwardedCare.select(AwardedCare.provider)} == {
        first_id.id
    }

    second_call_off = await published(
        client, c, enablement_body(c, package_ids=[str(c.packages["2"])])
    )
    shown = await client.get(f"/api/v1/call-offs/{second_call_off}", headers=bearer(c.token))
    assert shown.json()["one_provider_per_area"] is True
    opportunity = await client.get(f"/api/v1/call-offs/{second_call_off}", headers=bearer(second))
    assert opportunity.json()["one_provider_per_area"] is True
    await bid(client, second_call_off, first, accepted(1900))
    await bid(client, second_call_off, second, accepted(1800))
    await close(second_call_off)

    refused = await award(client, c, second_call_off)
    assert refused.status_code == 409, refused.text
    assert "Ashford" in refused.json()["detail"] and "Owl Care" in refused.json()["detail"]
    assert await status_of(client, c, second_call_off) == "evaluated"

    evaluation = await client.get(
        f"/api/v1/call-offs/{second_call_off}/evaluation", headers=bearer(c.token)
    )
    nightingale = next(
        item for item in evaluation.json()["items"] if item["provider_name"] == "Nightingale Care"
    )
    same_provider = await award(
        client,
        c,
        second_call_off,
        {"bid_ids": [nightingale["bid_id"]], "reason": "one provider per area in this lot"},
    )
    assert same_provider.status_code == 200, same_provider.text


async def test_without_the_rule_a_second_provider_is_awarded_in_the_same_area(client) -> None:
    c = await commissioning()
    _, first = await admitted_provider(c, "Nightingale Care")
    _, second = await admitted_provider(c, "Owl Care")
    start = str(date.today() + timedelta(days=3))
    ashford_run = cluster_body(
        c, package_ids=[str(c.packages["1"]), str(c.packages["3"])], standstill_working_days=0
    )
    first_call_off = await published(client, c, ashford_run)
    await bid(
        client, first_call_off, first, {"hourly_rate_pence": 2000, "mobilisation_date": start}
    )
    await close(first_call_off)
    assert (await award(client, c, first_call_off)).status_code == 200
    await run_due_in_process()

    second_call_off = await published(
        client, c, enablement_body(c, package_ids=[str(c.packages["2"])])
    )
    shown = await client.get(f"/api/v1/call-offs/{second_call_off}", headers=bearer(c.token))
    assert shown.json()["one_provider_per_area"] is False
    await bid(client, second_call_off, second, accepted(1800))
    await close(second_call_off)
    assert (await award(client, c, second_call_off)).status_code == 200


async def test_the_call_off_pages_say_only_one_provider_is_awarded_per_area(client) -> None:
    c = await commissioning()
    await _one_provider_per_area(client)
    _, provider = await admitted_provider(c, "Owl Care")
    call_off_id = await published(client, c, enablement_body(c))
    commissioner_page = await client.get(f"/call-offs/{call_off_id}", headers=bearer(c.token))
    assert 'id="one-provider-per-area"' in commissioner_page.text
    provider_page = await client.get(f"/opportunities/{call_off_id}", headers=bearer(provider))
    assert 'id="one-provider-per-area"' in provider_page.text


async def test_a_second_providers_award_beside_an_award_in_its_standstill_is_refused(
    client,
) -> None:
    c = await commissioning()
    await _one_provider_per_area(client)
    _, first = await admitted_provider(c, "Nightingale Care")
    _, second = await admitted_provider(c, "Owl Care")
    start = str(date.today() + timedelta(days=3))
    ashford_run = cluster_body(c, package_ids=[str(c.packages["1"]), str(c.packages["3"])])
    first_call_off = await published(client, c, ashford_run)
    await bid(
        client, first_call_off, first, {"hourly_rate_pence": 2000, "mobilisation_date": start}
    )
    await close(first_call_off)
    assert (await award(client, c, first_call_off)).status_code == 200
    await run_due_in_process()
    assert await status_of(client, c, first_call_off) == "awarded", "still in its standstill"
    assert await AwardedCare.count() == 0

    second_call_off = await published(
        client, c, enablement_body(c, package_ids=[str(c.packages["2"])])
    )
    await bid(client, second_call_off, first, accepted(1900))
    await bid(client, second_call_off, second, accepted(1800))
    await close(second_call_off)
    refused = await award(client, c, second_call_off)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "award still in its standstill" in detail and "Owl Care" in detail
    assert f"Ashford (ASHFORD-{suffix_of(c)})" in detail
    assert await status_of(client, c, second_call_off) == "evaluated"

    evaluation = await client.get(
        f"/api/v1/call-offs/{second_call_off}/evaluation", headers=bearer(c.token)
    )
    nightingale = next(
        item for item in evaluation.json()["items"] if item["provider_name"] == "Nightingale Care"
    )
    same_provider = await award(
        client,
        c,
        second_call_off,
        {"bid_ids": [nightingale["bid_id"]], "reason": "one provider per area in this lot"},
    )
    assert same_provider.status_code == 200, same_provider.text
