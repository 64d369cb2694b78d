"""Publishing a call-off to exactly the eligible providers, and what they see of it."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from marketplace.audit.tables import AuditEvent
from marketplace.notifications.relay import run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from marketplace.tenders.tables import Invitation
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    in_days,
    many_admitted_providers,
    pilot_body,
    suffix_of,
)
from tests.factories import bearer, make_organisation, make_user
from tests.support_mail import Sink


async def draft(client: Any, token: str, body: dict[str, Any]) -> str:
    response = await client.post("/api/v1/call-offs", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_publication_invites_exactly_the_eligible_providers_and_emails_them(
    client, sink: Sink
) -> None:
    c = await commissioning()
    _, invited_token = await admitted_provider(c, "Oakleaf Home Care", cqc_rating="good")
    _, elsewhere_token = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    await admitted_provider(c, "Failing Care", cqc_rating="inadequate")
    await admitted_provider(c, "Enforced Care", enforcement_pending=True)
    blocked, _ = await admitted_provider(c, "Blocked Care")
    from marketplace.admissions.blocks import block
    from marketplace.admissions.schemas import BlockCreate

    await block(c.officer, BlockCreate(provider_id=blocked.id, reason="Repeated late starts"))
    await run_due_in_process()
    before = len(sink.message_ids())

    call_off_id = await draft(client, c.token, enablement_body(c))
    published = await client.post(
        f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["invited_provider_count"] == 1

    await run_due_in_process()
    invitations = [
        m for m in sink.messages[before:] if m["Subject"].startswith("Invitation to bid")
    ]
    assert len(invitations) == 1
    assert "Enablement at home, Ashford" in invitations[0]["Subject"]

    feed = await client.get("/api/v1/call-offs", headers=bearer(invited_token))
    assert [item["id"] for item in feed.json()["items"]] == [call_off_id]
    item = feed.json()["items"][0]
    assert item["max_hourly_rate_pence"] == 2400 and item["total_weekly_hours"] == "10.00"
    assert item["seconds_left"] > 0 and item["your_area_codes"] == [f"ASHFORD-{suffix_of(c)}"]
    text = feed.text
    assert "TN23" not in text and f"P-{suffix_of(c)}" not in text, (
        "no postcode, no package reference"
    )
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(invited_token))
    ).status_code == 200

    assert (await client.get("/api/v1/call-offs", headers=bearer(elsewhere_token))).json()[
        "items"
    ] == []
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(elsewhere_token))
    ).status_code == 404


async def test_published_content_is_frozen_and_the_deadline_only_extends(
    client, sink: Sink
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await draft(client, c.token, cluster_body(c))
    await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    await run_due_in_process()
    before = len(sink.message_ids())
    again = await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    assert again.status_code == 409
    earlier = await client.patch(
        f"/api/v1/call-offs/{call_off_id}", json={"deadline": in_days(2)}, headers=bearer(c.token)
    )
    assert earlier.status_code == 422 and earlier.json()["errors"][0]["field"] == "deadline"
    later = await client.patch(
        f"/api/v1/call-offs/{call_off_id}", json={"deadline": in_days(5)}, headers=bearer(c.token)
    )
    assert later.status_code == 200
    await run_due_in_process()
    assert any(m["Subject"].startswith("Deadline extended") for m in sink.messages[before:])


async def test_packages_in_a_published_call_off_cannot_go_in_another(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    first = await draft(client, c.token, cluster_body(c))
    second = await draft(client, c.token, enablement_body(c))  # shares package 1, still a draft
    assert (
        await client.post(f"/api/v1/call-offs/{first}/publish", headers=bearer(c.token))
    ).status_code == 200
    refused = await client.post(f"/api/v1/call-offs/{second}/publish", headers=bearer(c.token))
    assert refused.status_code == 409
    new = await client.post("/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token))
    assert new.status_code == 422 and new.json()["errors"][0]["field"] == "package_ids[0]"
    waiting = await client.get("/api/v1/packages?status=waiting", headers=bearer(c.token))
    if waiting.status_code == 200:
        assert str(c.packages["1"]) not in waiting.text


async def test_cancelling_tells_invitees_and_returns_the_packages(client, sink: Sink) -> None:
    c = await commissioning()
    _, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await draft(client, c.token, cluster_body(c))
    await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    cancelled = await client.post(
        f"/api/v1/call-offs/{call_off_id}/cancel",
        json={"reason": "Funding withdrawn"},
        headers=bearer(c.token),
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancel_reason"] == "Funding withdrawn"
    await run_due_in_process()
    notice = [m for m in sink.messages if m["Subject"].startswith("Cancelled")]
    assert len(notice) == 1 and "Funding withdrawn" in notice[0].as_string()
    assert (await client.get("/api/v1/call-offs", headers=bearer(provider_token))).json()[
        "items"
    ] == []
    again = await client.post("/api/v1/call-offs", json=cluster_body(c), headers=bearer(c.token))
    assert again.status_code == 201, "the packages are on the waiting list again"


async def test_no_eligible_provider_means_no_publication(client) -> None:
    c = await commissioning()
    call_off_id = await draft(client, c.token, enablement_body(c))
    response = await client.post(
        f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
    )
    assert response.status_code == 422 and "eligible" in response.json()["detail"]


async def test_a_pilot_invites_providers_for_the_areas_they_serve(client) -> None:
    c = await commissioning()
    _, both = await admitted_provider(c, "Both Areas Care", areas=("ASHFORD", "CANTERBURY"))
    _, one = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    call_off_id = await draft(client, c.token, pilot_body(c))
    assert (
        await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    ).json()["invited_provider_count"] == 2
    s = suffix_of(c)
    assert (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(both))).json()[
        "your_area_codes"
    ] == [f"ASHFORD-{s}", f"CANTERBURY-{s}"]
    assert (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(one))).json()[
        "your_area_codes"
    ] == [f"CANTERBURY-{s}"]


async def test_documents_attach_to_a_call_off_and_invitees_can_read_them(client) -> None:
    c = await commissioning()
    _, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await draft(client, c.token, enablement_body(c))
    attached = await client.post(
        f"/api/v1/call-offs/{call_off_id}/documents",
        files={"file": ("specification.txt", b"Outcomes: independence at home.\n", "text/plain")},
        headers=bearer(c.token),
    )
    assert attached.status_code == 201, attached.text
    document_id = attached.json()["documents"][0]["id"]
    await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    feed = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(provider_token))
    assert feed.json()["documents"] == [{"id": document_id, "filename": "specification.txt"}]
    # One attached while open shows at once (the feed's remembered facts are never stale).
    later = await client.post(
        f"/api/v1/call-offs/{call_off_id}/documents",
        files={"file": ("map.txt", b"Ashford\n", "text/plain")},
        headers=bearer(c.token),
    )
    assert later.status_code == 201, later.text
    feed = await client.get("/api/v1/call-offs", headers=bearer(provider_token))
    assert sorted(d["filename"] for d in feed.json()["items"][0]["documents"]) == [
        "map.txt",
        "specification.txt",
    ]
    fetched = await client.get(f"/api/v1/documents/{document_id}", headers=bearer(provider_token))
    assert fetched.status_code == 303
    content = await client.get(fetched.headers["location"])
    assert content.content == b"Outcomes: independence at home.\n"


async def test_an_uninvited_provider_sees_nothing(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await draft(client, c.token, enablement_body(c))
    await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    stranger = await make_organisation("provider", name="Stranger Care")
    _, token = await make_user(stranger.id, "provider")
    assert (await client.get("/api/v1/call-offs", headers=bearer(token))).json()["items"] == []
    response = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(token))
    assert response.status_code == 404
    assert not re.search(call_off_id, response.text)


async def test_publishing_to_hundreds_of_providers_writes_each_invitation_and_email_once(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite, statements of at most 100 parameters, so that the set-based writes run over
    # several statements here as they do at many thousand providers.
    monkeypatch.setattr("marketplace.db.MAX_PARAMETERS", 100)
    c = await commissioning()
    emails = await many_admitted_providers(c, 300, "Fan-out Care")
    call_off_id = await draft(client, c.token, pilot_body(c))
    published = await client.post(
        f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
    )
    assert published.status_code == 200, published.text
    assert published.json()["invited_provider_count"] == 300
    again = await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    assert again.status_code == 409, "published once"

    invitations = await Invitation.select(Invitation.provider, Invitation.area_codes).where(
        Invitation.call_off == call_off_id
    )
    assert sorted(row["provider"] for row in invitations) == sorted(emails)
    s = suffix_of(c)
    assert {row["area_codes"] for row in invitations} == {
        f'["ASHFORD-{s}"]',
        f'["CANTERBURY-{s}"]',
    }
    entries = await OutboxEntry.select(OutboxEntry.recipient, OutboxEntry.payload).where(
        OutboxEntry.payload.like(f"%{call_off_id}%")
        & OutboxEntry.payload.like('%"template":"call_off_invitation"%')
    )
    assert sorted(row["recipient"] for row in entries) == sorted(emails.values()), (
        "one invitation email to each provider's user, none twice"
    )
    assert {msgspec.json.decode(row["payload"])["to"] for row in entries} == set(emails.values())
    [event] = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "publish_call_off"
    )
    assert msgspec.json.decode(event["details"])["invited"] == 300
