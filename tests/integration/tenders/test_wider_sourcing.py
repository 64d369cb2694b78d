"""Wider sourcing (docs/design.md 3.5): a call-off sourced `wider` is published to every provider
admitted to the lot in any area, still clear of every other gate, and its invitees' bids pass the
area gate at the close and at the award."""

from __future__ import annotations

from uuid import UUID

from marketplace.admissions.blocks import block
from marketplace.admissions.schemas import BlockCreate
from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.tenders.call_offs.invitees import invitees
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, suffix_of
from tests.factories import bearer
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.integration.tenders.test_console_pages import (
    as_commissioner,
    create_through_form,
    enablement_form,
)


async def test_a_framework_call_off_invites_only_providers_admitted_in_its_areas(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    _, elsewhere = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    call_off_id = await published(client, c, enablement_body(c))
    shown = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert shown.json()["sourcing"] == "framework"
    assert shown.json()["invited_provider_count"] == 1
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(elsewhere))
    ).status_code == 404


async def test_a_wider_call_off_invites_every_provider_admitted_to_the_lot_in_any_area(
    client,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    _, elsewhere = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    await admitted_provider(c, "Failing Care", areas=("CANTERBURY",), cqc_rating="inadequate")
    await admitted_provider(c, "Enforced Care", areas=("CANTERBURY",), enforcement_pending=True)
    blocked, _ = await admitted_provider(c, "Blocked Care", areas=("CANTERBURY",))
    await block(c.officer, BlockCreate(provider_id=blocked.id, reason="Repeated late starts"))

    call_off_id = await published(client, c, enablement_body(c, sourcing="wider"))
    shown = (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))).json()
    assert shown["sourcing"] == "wider" and shown["invited_provider_count"] == 2
    names = sorted(i["name"] for i in await invitees(c.officer, UUID(call_off_id)))
    assert names == ["Canterbury Carers", "Oakleaf Home Care"]
    feed = (await client.get("/api/v1/call-offs", headers=bearer(elsewhere))).json()["items"]
    assert [item["id"] for item in feed] == [call_off_id]
    assert feed[0]["your_area_codes"] == [f"ASHFORD-{suffix_of(c)}"]
    published_event = await AuditEvent.select(AuditEvent.details).where(
        (AuditEvent.action == "publish_call_off") & (AuditEvent.entity_id == call_off_id)
    )
    assert '"wider"' in str(published_event)


async def test_a_wider_invitee_outside_the_area_passes_the_area_gate_at_close_and_award(
    client,
) -> None:
    c = await commissioning()
    _, elsewhere = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    call_off_id = await published(client, c, enablement_body(c, sourcing="wider"))
    bid = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(elsewhere)
    )
    assert bid.status_code in (200, 201), bid.text
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    [opened] = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).json()
    assert opened["gate_failures"] == [] and opened["integrity"] == "intact"
    evaluation = await client.get(
        f"/api/v1/call-offs/{call_off_id}/evaluation", headers=bearer(c.token)
    )
    assert evaluation.status_code == 200, evaluation.text
    assert "not admitted" not in evaluation.text.lower()
    confirmed = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert confirmed.status_code == 200, confirmed.text
    status = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert status.json()["status"] == "awarded", "the gates re-checked at the award pass too"


async def test_an_unknown_sourcing_is_refused(client) -> None:
    c = await commissioning()
    response = await client.post(
        "/api/v1/call-offs", json=enablement_body(c, sourcing="everyone"), headers=bearer(c.token)
    )
    assert response.status_code in (400, 422)


async def test_no_provider_admitted_to_the_lot_anywhere_means_no_wider_publication(
    client,
) -> None:
    c = await commissioning()
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c, sourcing="wider"), headers=bearer(c.token)
    )
    refused = await client.post(
        f"/api/v1/call-offs/{created.json()['id']}/publish", headers=bearer(c.token)
    )
    assert refused.status_code == 422
    assert "admitted to the lot and clear" in refused.json()["detail"]


async def test_the_console_drafts_a_wider_call_off_and_shows_who_is_invited(client) -> None:
    c = await as_commissioner(client)
    location = await create_through_form(client, enablement_form(c, sourcing="wider"))
    page = (await client.get(location)).text
    assert "in any area (wider sourcing)" in page
    shown = await client.get(f"/api/v1{location}", headers=bearer(c.token))
    assert shown.json()["sourcing"] == "wider"
    form = (await client.get("/call-offs/new?kind=enablement")).text
    assert 'name="sourcing"' in form and 'value="wider"' in form


async def test_a_cancelled_package_is_offered_wider_from_the_contingency_queue_and_keeps_its_clock(
    client,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    _, elsewhere = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    first = await published(client, c, enablement_body(c))
    await client.post(
        f"/api/v1/call-offs/{first}/cancel", json={"reason": "Nobody can"}, headers=bearer(c.token)
    )
    package = str(c.packages["1"])
    before = (await client.get("/api/v1/contingency", headers=bearer(c.token))).json()["items"]
    [clock] = [item for item in before if item["package_id"] == package]

    page = (await client.get("/contingency", headers=bearer(c.token))).text
    link = f"/call-offs/new?kind=enablement&amp;package_id={package}&amp;sourcing=wider"
    assert link in page
    form = (await client.get(link.replace("&amp;", "&"), headers=bearer(c.token))).text
    assert 'value="wider" checked' in form

    wider = await published(client, c, enablement_body(c, sourcing="wider"))
    feed = (await client.get("/api/v1/call-offs", headers=bearer(elsewhere))).json()["items"]
    assert [item["id"] for item in feed] == [wider]
    after = (await client.get("/api/v1/contingency", headers=bearer(c.token))).json()["items"]
    [still] = [item for item in after if item["package_id"] == package]
    assert still["first_offered_at"] == clock["first_offered_at"], "the clock keeps running"
