"""Turn-downs on SQLite and PostgreSQL: an invited provider declines a published call-off before
its deadline with a reason from the fixed list; the commissioner sees the count and the reasons,
never who; the provider cannot then bid; each decline is audited, emailed and recomputes the
ranking."""

from __future__ import annotations

from typing import Any

import httpx

from marketplace.audit.tables import AuditEvent
from marketplace.awards.tables import ProviderQuality
from marketplace.bids.tables import Decline
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_organisation, make_user
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.support import csrf_token_in, sign_in
from tests.support_mail import Sink


async def decline(client: Any, call_off_id: str, token: str, body: dict[str, Any]) -> Any:
    return await client.post(
        f"/api/v1/call-offs/{call_off_id}/decline", json=body, headers=bearer(token)
    )


async def test_the_commissioner_sees_how_many_declined_and_why_never_who(
    client: httpx.AsyncClient, sink: Sink
) -> None:
    c = await commissioning()
    oakleaf, oakleaf_token = await admitted_provider(c, "Oakleaf Home Care")
    _, birch = await admitted_provider(c, "Birch Care")
    _, cedar = await admitted_provider(c, "Cedar Care")
    call_off_id = await published(client, c, enablement_body(c))

    first = await decline(client, call_off_id, oakleaf_token, {"reason": "no_capacity"})
    assert first.status_code == 201, first.text
    assert first.json()["reason"] == "no_capacity" and first.json()["reason_text"] == "No capacity"
    other = {"reason": "other", "text": "Our carers are on training that week"}
    assert (await decline(client, call_off_id, birch, other)).status_code == 201
    assert (await decline(client, call_off_id, cedar, {"reason": "no_capacity"})).status_code == 201

    seen = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert seen.json()["declines"] == {
        "count": 3,
        "reasons": [
            {"reason": "no_capacity", "words": "No capacity", "count": 2},
            {"reason": "other", "words": "Other", "count": 1},
        ],
        "other_texts": ["Our carers are on training that week"],
    }
    assert "Oakleaf" not in seen.text and str(oakleaf.id) not in seen.text
    mine = await client.get(f"/api/v1/call-offs/{call_off_id}/decline", headers=bearer(birch))
    assert mine.status_code == 200 and mine.json()["text"] == other["text"]

    # Filed under the provider: the commissioner's staff cannot learn who through the audit log.
    events = await AuditEvent.select().where(AuditEvent.action == "decline_call_off")
    assert len(events) == 3 and {e["organisation_id"] for e in events} != {c.commissioner.id}
    audit = await client.get("/api/v1/audit", headers=bearer(c.token))
    assert "decline_call_off" not in audit.text

    await run_due_in_process()
    told = [
        m
        for m in sink.messages
        if m["Subject"] == "A provider declined: " + "Enablement at home, Ashford"
    ]
    assert len(told) == 3 and all(m["To"] == c.officer.email for m in told)
    assert all("Oakleaf" not in m.as_string() for m in told)
    assert await ProviderQuality.exists().where(ProviderQuality.provider == oakleaf.id)


async def test_a_decline_needs_an_invitation_an_open_call_off_and_no_live_bid(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    stranger_org = await make_organisation("provider", name="Faraway Care")
    _, stranger = await make_user(stranger_org.id, "provider")
    reason = {"reason": "complexity"}

    assert (await decline(client, call_off_id, stranger, reason)).status_code == 404
    assert (await decline(client, call_off_id, c.token, reason)).status_code == 403
    bid = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert bid.status_code == 201
    live = await decline(client, call_off_id, token, reason)
    assert live.status_code == 409 and "withdraw it first" in live.json()["detail"]
    await client.delete(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert (await decline(client, call_off_id, token, reason)).status_code == 201
    again = await decline(client, call_off_id, token, {"reason": "no_capacity"})
    assert again.status_code == 409 and "already declined" in again.json()["detail"]
    after = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert after.status_code == 409 and "declined" in after.json()["detail"]

    late_id = await published(client, c, enablement_body(c, package_ids=[str(c.packages["2"])]))
    await pass_the_deadline(late_id)
    late = await decline(client, late_id, token, reason)
    assert late.status_code == 409 and "deadline" in late.json()["detail"]
    assert await AuditEvent.exists().where(AuditEvent.action == "refused_decline")
    assert await Decline.count() == 1


async def test_a_decline_names_its_reason_from_the_fixed_list(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    unknown = await decline(client, call_off_id, token, {"reason": "too_far"})
    assert unknown.status_code == 400 and "reason" in unknown.text
    extra = await decline(client, call_off_id, token, {"reason": "no_capacity", "why": "x"})
    assert extra.status_code == 400 and "why" in extra.text
    bare_other = await decline(client, call_off_id, token, {"reason": "other", "text": "  "})
    assert bare_other.status_code == 422
    assert bare_other.json()["errors"] == [
        {
            "field": "text",
            "code": "required",
            "message": "Say why you are declining in your own words",
        }
    ]
    texted = await decline(client, call_off_id, token, {"reason": "no_capacity", "text": "x"})
    assert texted.status_code == 422 and texted.json()["errors"][0]["field"] == "text"
    assert await Decline.count() == 0


async def test_a_provider_declines_from_the_opportunity_page(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    page = await client.get(f"/opportunities/{call_off_id}")
    assert 'id="decline-form"' in page.text and "Outside our travel range" in page.text
    token = csrf_token_in(page.text)

    missing = await client.post(
        f"/opportunities/{call_off_id}/decline", data={"csrf_token": token, "reason": "other"}
    )
    assert missing.status_code == 422
    assert "govuk-error-summary" in missing.text and 'href="#text"' in missing.text
    declined = await client.post(
        f"/opportunities/{call_off_id}/decline",
        data={"csrf_token": token, "reason": "outside_travel_range"},
    )
    assert declined.status_code == 303
    shown = await client.get(f"/opportunities/{call_off_id}")
    assert 'id="declined"' in shown.text and "outside our travel range" in shown.text
    assert 'id="decline-form"' not in shown.text and 'id="bid-link"' not in shown.text


async def test_the_status_panel_shows_the_declines(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await decline(client, call_off_id, token, {"reason": "other", "text": "No driver nearby"})
    assert (await sign_in(client, c.officer.email)).status_code == 303
    panel = await client.get(f"/call-offs/{call_off_id}/status", headers={"HX-Request": "true"})
    assert '<strong id="decline-count">1</strong>' in panel.text
    assert "Other: 1" in panel.text and "No driver nearby" in panel.text
    assert "Oakleaf" not in panel.text
