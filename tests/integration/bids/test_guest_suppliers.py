"""Guest suppliers (docs/design.md 3.5): a commissioner registers suppliers outside the framework
and invites them to a wider call-off; each bids through the link in its invitation, on that
call-off only, only before the deadline, sealed and receipted like any bid."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import httpx

from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.bids.tables import Bid
from marketplace.notifications.relay import run_due_in_process
from marketplace.tenders.call_offs.invitees import invitees
from marketplace.tenders.tables import GuestPass
from tests.call_off_fixtures import (
    Commissioning,
    admitted_provider,
    commissioning,
    enablement_body,
    in_days,
)
from tests.factories import bearer, make_admin
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.support import csrf_token_in
from tests.support_mail import Sink

GUEST = {
    "name": "Harbour Home Care",
    "cqc_location_id": "1-1234567890",
    "contact_email": "Bids@Harbour.example",
}
LINK = re.compile(r"https?://[^/\s]+(/guest/[A-Za-z0-9_-]+)")


async def registered_guest(client: Any, c: Commissioning, **fields: Any) -> str:
    response = await client.post(
        "/api/v1/guest-suppliers", json={**GUEST, **fields}, headers=bearer(c.token)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def guest_call_off(client: Any, c: Commissioning, guest_id: str, **body: Any) -> str:
    return await published(
        client,
        c,
        enablement_body(c, sourcing="wider", invitee_ids=[guest_id], **body),
    )


def text_of(message: Any) -> str:
    return str(message.get_payload(0).get_payload(decode=True).decode())


async def guest_link(sink: Sink, to: str = "bids@harbour.example") -> str:
    await run_due_in_process()
    [invitation] = [
        m for m in sink.messages if m["Subject"].startswith("Invitation to bid as a guest")
    ]
    assert invitation["To"] == to
    match = LINK.search(text_of(invitation))
    assert match, "the invitation carries the link"
    return match.group(1)


async def open_link(client: httpx.AsyncClient, link: str) -> httpx.Response:
    exchanged = await client.get(link)
    assert exchanged.status_code == 303, exchanged.text
    assert exchanged.headers["location"] == "/guest/call-off"
    assert exchanged.headers["referrer-policy"] == "no-referrer"
    cookie = exchanged.headers["set-cookie"]
    assert "Path=/guest" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = await client.get("/guest/call-off")
    assert page.status_code == 200, page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    # The lot and the areas by their names, as the providers' pages give them, not their codes.
    assert "Care and Support at Home" in page.text and "Ashford" in page.text
    assert ">CSH<" not in page.text and "ASHFORD-" not in page.text
    return page


async def guest_bids(client: httpx.AsyncClient, page: str, rate: str = "18.73") -> httpx.Response:
    return await client.post(
        "/guest/call-off/bid",
        data={
            "csrf_token": csrf_token_in(page),
            "hourly_rate": rate,
            "accepts_enablement_budget": "yes",
            "notes": "marker-of-the-guest",
        },
    )


async def test_a_commissioner_registers_guest_suppliers_and_sees_only_its_own(client) -> None:
    c = await commissioning()
    other = await commissioning("Dorset Council")
    guest_id = await registered_guest(client, c)
    await registered_guest(client, other, name="Other Care", contact_email="o@other.example")
    mine = (await client.get("/api/v1/guest-suppliers", headers=bearer(c.token))).json()
    assert [(g["id"], g["name"], g["contact_email"]) for g in mine] == [
        (guest_id, "Harbour Home Care", "bids@harbour.example")
    ]
    [event] = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "register_guest_supplier")
        .where(AuditEvent.entity_id == guest_id)
    )
    assert "1-1234567890" in event["details"]
    _, admin = await make_admin()
    no_users = await client.post(
        f"/api/v1/organisations/{guest_id}/users",
        json={"email": "x@harbour.example", "password": "a long password 1", "role": "provider"},
        headers=bearer(admin),
    )
    assert no_users.status_code == 422 and "has no users" in no_users.json()["detail"]
    twice = await client.post("/api/v1/guest-suppliers", json=GUEST, headers=bearer(c.token))
    assert twice.status_code == 422
    assert [e["field"] for e in twice.json()["errors"]] == ["contact_email"]


async def test_a_guest_supplier_with_bad_fields_is_refused_naming_each(client) -> None:
    c = await commissioning()
    for field, value in (
        ("name", ""),
        ("cqc_location_id", "ABC"),
        ("contact_email", "not-an-email"),
    ):
        response = await client.post(
            "/api/v1/guest-suppliers", json={**GUEST, field: value}, headers=bearer(c.token)
        )
        assert response.status_code in (400, 422), response.text
        assert field in response.text
    _, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    refused = await client.post(
        "/api/v1/guest-suppliers", json=GUEST, headers=bearer(provider_token)
    )
    assert refused.status_code == 403


async def test_chosen_invitees_must_be_admitted_providers_or_own_guests(client) -> None:
    c = await commissioning()
    other = await commissioning("Dorset Council")
    others_guest = await registered_guest(client, other)
    unknown = "00000000-0000-4000-8000-000000000000"
    for invitee_ids, sourcing in (
        ([others_guest], "wider"),
        ([unknown], "wider"),
        ([], "wider"),
        ([await registered_guest(client, c)], "framework"),
    ):
        response = await client.post(
            "/api/v1/call-offs",
            json=enablement_body(c, sourcing=sourcing, invitee_ids=invitee_ids),
            headers=bearer(c.token),
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["invitee_ids"]


async def test_a_chosen_list_invites_those_chosen_and_the_guest_by_email_once(
    client, sink: Sink
) -> None:
    c = await commissioning()
    chosen, _ = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    _, left_out = await admitted_provider(c, "Oakleaf Home Care")
    guest_id = await registered_guest(client, c)
    call_off_id = await published(
        client,
        c,
        enablement_body(c, sourcing="wider", invitee_ids=[guest_id, str(chosen.id)]),
    )
    shown = (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))).json()
    assert shown["invited_provider_count"] == 2
    assert sorted(shown["invitee_ids"]) == sorted([guest_id, str(chosen.id)])
    names = sorted(i["name"] for i in await invitees(c.officer, UUID(call_off_id)))
    assert names == ["Canterbury Carers", "Harbour Home Care"]
    feed = (await client.get("/api/v1/call-offs", headers=bearer(left_out))).json()["items"]
    assert feed == [], "an admitted provider left off the chosen list is not invited"

    link = await guest_link(sink)
    assert await GuestPass.count() == 1
    [stored] = await GuestPass.select(GuestPass.token_hash)
    assert link.removeprefix("/guest/") not in str(stored), "only the token's SHA-256 is kept"
    page = await open_link(client, link)
    assert "Enablement at home, Ashford" in page.text and "Harbour Home Care" in page.text
    await run_due_in_process()
    guest_mails = [m for m in sink.messages if m["To"] == "bids@harbour.example"]
    assert len(guest_mails) == 1, "one invitation, and not the providers' one as well"


async def test_a_guest_bid_is_sealed_and_its_receipt_goes_to_the_contact_email(
    client, sink: Sink
) -> None:
    c = await commissioning()
    guest_id = await registered_guest(client, c)
    call_off_id = await guest_call_off(client, c, guest_id)
    page = await open_link(client, await guest_link(sink))
    checked = await client.post(
        "/guest/call-off/bid/check",
        data={"csrf_token": csrf_token_in(page.text), "hourly_rate": "30.00"},
        headers={"HX-Request": "true"},
    )
    assert checked.status_code == 200 and 'id="rate-check"' in checked.text
    assert "<html" not in checked.text and await Bid.count() == 0
    submitted = await guest_bids(client, page.text)
    assert submitted.status_code == 303, submitted.text
    assert submitted.headers["location"] == "/guest/call-off"
    receipt_page = await client.get(submitted.headers["location"])
    assert "Bid received: version 1" in receipt_page.text

    row = await Bid.select().where(Bid.call_off == call_off_id).first()
    assert str(row["provider"]) == guest_id
    assert b"1873" not in bytes(row["sealed_content"])
    assert b"marker" not in bytes(row["sealed_content"])
    view = (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))).json()
    assert view["bid_count"] == 1
    sealed = await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    assert sealed.status_code in (403, 409), "no one reads a bid before opening"
    [event] = await AuditEvent.select().where(AuditEvent.action == "submit_bid")
    assert event["actor_user_id"] is None
    assert str(event["actor_organisation_id"]) == guest_id
    assert event["actor_email"] == "bids@harbour.example"

    await run_due_in_process()
    [receipt] = [m for m in sink.messages if m["Subject"].startswith("Receipt for your bid")]
    assert receipt["To"] == "bids@harbour.example"
    assert row["digest"] in text_of(receipt) and "1873" not in receipt.as_string()

    replaced = await guest_bids(client, receipt_page.text, rate="19.10")
    assert replaced.status_code == 303
    replaced_page = (await client.get(replaced.headers["location"])).text
    assert 'href="/guest/call-off/bid/withdraw"' in replaced_page, "withdrawing is checked first"
    check = await client.get("/guest/call-off/bid/withdraw")
    assert check.status_code == 200 and check.headers["referrer-policy"] == "no-referrer"
    assert "Are you sure you want to withdraw your bid?" in check.text
    assert "Version 2" in check.text and 'action="/guest/call-off/bid/withdraw"' in check.text
    assert 'href="/guest/call-off"' in check.text and "/opportunities/" not in check.text
    assert (await Bid.select(Bid.status).first()) == {"status": "submitted"}, (
        "checking writes nothing"
    )
    withdrawn = await client.post(
        "/guest/call-off/bid/withdraw", data={"csrf_token": csrf_token_in(check.text)}
    )
    assert withdrawn.status_code == 303
    nothing_left = await client.get("/guest/call-off/bid/withdraw")
    assert nothing_left.status_code == 303 and nothing_left.headers["location"] == "/guest/call-off"
    assert (await Bid.select(Bid.status, Bid.version).first()) == {
        "status": "withdrawn",
        "version": 2,
    }


async def test_a_guest_post_without_the_form_token_is_refused(client, sink: Sink) -> None:
    c = await commissioning()
    guest_id = await registered_guest(client, c)
    await guest_call_off(client, c, guest_id)
    await open_link(client, await guest_link(sink))
    forged = await client.post(
        "/guest/call-off/bid", data={"hourly_rate": "18.73", "accepts_enablement_budget": "yes"}
    )
    assert forged.status_code == 403
    assert await Bid.count() == 0


async def test_a_guest_pass_opens_only_its_own_call_off(client, sink: Sink) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    guest_id = await registered_guest(client, c)
    own = await guest_call_off(client, c, guest_id)
    other = await published(
        client,
        c,
        enablement_body(c, title="Another request", package_ids=[str(c.packages["2"])]),
    )
    link = await guest_link(sink)
    page = await open_link(client, link)
    assert "Enablement at home, Ashford" in page.text and "Another request" not in page.text
    for path in (
        "/opportunities",
        f"/opportunities/{own}",
        f"/opportunities/{own}/bid",
        f"/opportunities/{other}/bid",
        "/my-bids",
        "/call-offs",
        f"/api/v1/call-offs/{own}",
        "/api/v1/call-offs",
    ):
        response = await client.get(path)
        assert response.status_code in (302, 303, 401, 403, 404), path
        assert "Harbour Home Care" not in response.text, path
    token = link.removeprefix("/guest/")
    as_bearer = await client.get("/api/v1/call-offs", headers=bearer(token))
    assert as_bearer.status_code == 401
    bid = await client.put(
        f"/api/v1/call-offs/{own}/bid", json=ENABLEMENT_BID, headers={"Cookie": ""}
    )
    assert bid.status_code in (401, 403)
    assert await Bid.count() == 0
    wrong = await client.get("/guest/g" + "A" * 43)
    assert wrong.status_code == 403 and "This link cannot be used" in wrong.text


async def test_a_guest_is_refused_after_the_deadline(client, sink: Sink) -> None:
    c = await commissioning()
    guest_id = await registered_guest(client, c)
    call_off_id = await guest_call_off(client, c, guest_id)
    link = await guest_link(sink)
    page = await open_link(client, link)
    await pass_the_deadline(call_off_id)
    late = await guest_bids(client, page.text)
    assert late.status_code == 403 and "This link cannot be used" in late.text
    assert (await client.get(link)).status_code == 403
    assert (await client.get("/guest/call-off")).status_code == 403
    assert await Bid.count() == 0


async def test_a_guest_is_refused_after_cancellation_and_follows_an_extension(
    client, sink: Sink
) -> None:
    c = await commissioning()
    guest_id = await registered_guest(client, c)
    call_off_id = await guest_call_off(client, c, guest_id, deadline=in_days(1))
    link = await guest_link(sink)
    page = await open_link(client, link)
    extended = await client.patch(
        f"/api/v1/call-offs/{call_off_id}",
        json={"deadline": in_days(5)},
        headers=bearer(c.token),
    )
    assert extended.status_code == 200, extended.text
    assert (await client.get("/guest/call-off")).status_code == 200
    await client.post(
        f"/api/v1/call-offs/{call_off_id}/cancel",
        json={"reason": "No longer needed"},
        headers=bearer(c.token),
    )
    refused = await guest_bids(client, page.text)
    assert refused.status_code == 403
    assert (await client.get(link)).status_code == 403
    assert await Bid.count() == 0
    await run_due_in_process()
    told = {
        m["Subject"].split(":")[0]: m for m in sink.messages if m["To"] == "bids@harbour.example"
    }
    assert "Cancelled" in told, told
    extension = text_of(told["Deadline extended"])
    assert "link in your invitation email works until the new deadline" in extension
    assert "/opportunities/" not in extension


async def test_a_guest_bid_passes_the_gates_at_close_and_award(client, sink: Sink) -> None:
    c = await commissioning()
    provider, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    guest_id = await registered_guest(client, c)
    call_off_id = await published(
        client,
        c,
        enablement_body(c, sourcing="wider", invitee_ids=[guest_id, str(provider.id)]),
    )
    page = await open_link(client, await guest_link(sink))
    assert (await guest_bids(client, page.text)).status_code == 303
    higher = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={**ENABLEMENT_BID, "hourly_rate_pence": 1875},
        headers=bearer(provider_token),
    )
    assert higher.status_code == 201, higher.text
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    opened = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).json()
    assert [(b["gate_failures"], b["integrity"]) for b in opened] == [([], "intact")] * 2
    evaluation = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/evaluation", headers=bearer(c.token))
    ).json()
    ranked = [(i["provider_name"], i["rank"]) for i in evaluation["items"]]
    assert ranked == [("Harbour Home Care", 1), ("Oakleaf Home Care", 2)], ranked
    confirmed = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert confirmed.status_code == 200, confirmed.text
    await run_due_in_process()
    notices = [m for m in sink.messages if m["Subject"].startswith("Award notice")]
    assert [m["To"] for m in notices] == ["bids@harbour.example"]
    summaries = [m["To"] for m in sink.messages if m["Subject"].startswith("Assessment")]
    assert "bids@harbour.example" in summaries


async def test_a_blocked_or_inadequate_guest_is_not_invited(client, sink: Sink) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    guest_id = await registered_guest(client, c)
    blocked = await client.post(
        "/api/v1/blocks",
        json={"provider_id": guest_id, "reason": "Missed visits"},
        headers=bearer(c.token),
    )
    assert blocked.status_code == 201, blocked.text
    created = await client.post(
        "/api/v1/call-offs",
        json=enablement_body(c, sourcing="wider", invitee_ids=[guest_id]),
        headers=bearer(c.token),
    )
    refused = await client.post(
        f"/api/v1/call-offs/{created.json()['id']}/publish", headers=bearer(c.token)
    )
    assert refused.status_code == 422 and "among those chosen" in refused.json()["detail"]
    assert [e["field"] for e in refused.json()["errors"]] == ["invitee_ids"]
    assert await GuestPass.count() == 0
