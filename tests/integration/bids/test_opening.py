"""Closing at the deadline and opening: quorum 1 at once, quorum 2 by two different officers,
tampering detected, and no bid accepted at or after the close nor lost by it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_call_off, close_due_call_offs
from marketplace.bids import schemas
from marketplace.bids.keys import call_off_data_key
from marketplace.bids.sealing import RECEIPT_KEYED, RECEIPT_UNKEYED, bid_digest, open_bid
from marketplace.bids.service import submit_bid
from marketplace.bids.tables import Bid
from marketplace.config import reset_settings
from marketplace.errors import WrongState
from marketplace.notifications.relay import run_due_in_process
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_user, principal_of, rate_provider
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published


async def test_with_a_quorum_of_one_the_close_opens_the_bids(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    sealed = await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    assert sealed.status_code == 409 and "sealed" in sealed.json()["detail"]
    assert await AuditEvent.exists().where(AuditEvent.action == "refused_read_sealed_bids")
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    opened = await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    assert opened.status_code == 200
    [bid] = opened.json()
    assert bid["integrity"] == "intact" and bid["content"]["hourly_rate_pence"] == 1873
    assert (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))).json()[
        "status"
    ] == "evaluated", "opening evaluates the bids"
    assert await close_call_off(call_off_id) == "not due", "closing twice does nothing"


async def test_the_close_is_scheduled_at_publication(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_MIN_DEADLINE_SECONDS", "1")
    reset_settings()
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    # Seconds enough for a busy machine to publish and bid before the deadline.
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    call_off_id = await published(client, c, enablement_body(c, deadline=deadline.isoformat()))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    await run_due_in_process()
    assert (await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first())[
        "status"
    ] == "published"
    await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.2)
    await run_due_in_process()
    assert (await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first())[
        "status"
    ] == "evaluated", "closed, opened and evaluated at the deadline"
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).status_code == 200


async def test_a_quorum_of_two_needs_two_different_openers_after_the_deadline(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    _, first = await make_user(c.commissioner.id, "opener")
    _, second = await make_user(c.commissioner.id, "opener")
    call_off_id = await published(client, c, enablement_body(c, opening_quorum=2))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    early = await client.post(f"/api/v1/call-offs/{call_off_id}/open", headers=bearer(first))
    assert early.status_code == 409 and "deadline" in early.json()["detail"]
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).status_code == 409
    assert (
        await client.post(f"/api/v1/call-offs/{call_off_id}/open", headers=bearer(c.token))
    ).status_code == 403
    one = await client.post(f"/api/v1/call-offs/{call_off_id}/open", headers=bearer(first))
    assert one.status_code == 200 and one.json() == {
        "opened": False,
        "opened_at": None,
        "approvals": 1,
    }
    twice = await client.post(f"/api/v1/call-offs/{call_off_id}/open", headers=bearer(first))
    assert twice.status_code == 409 and "different officer" in twice.json()["detail"]
    two = await client.post(f"/api/v1/call-offs/{call_off_id}/open", headers=bearer(second))
    assert two.status_code == 200 and two.json()["opened"] is True
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).status_code == 200


async def test_a_bid_altered_at_rest_is_flagged_and_never_used(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    _, other_token = await admitted_provider(c, "Birchwood Care")
    call_off_id = await published(client, c, enablement_body(c))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={**ENABLEMENT_BID, "hourly_rate_pence": 1890},
        headers=bearer(other_token),
    )
    rows = (
        await Bid.select(Bid.id, Bid.sealed_content)
        .where(Bid.call_off == call_off_id)
        .order_by(Bid.received_at)
    )
    broken = bytearray(bytes(rows[0]["sealed_content"]))
    broken[-1] ^= 0x01
    await Bid.update({Bid.sealed_content: bytes(broken)}).where(Bid.id == rows[0]["id"])
    await pass_the_deadline(call_off_id)
    await close_due_call_offs()
    opened = {
        bid["bid_id"]: bid
        for bid in (
            await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
        ).json()
    }
    assert (
        opened[str(rows[0]["id"])]["integrity"] == "altered"
        and opened[str(rows[0]["id"])]["content"] is None
    )
    assert opened[str(rows[1]["id"])]["integrity"] == "intact"
    event = (
        await AuditEvent.select(AuditEvent.details).where(AuditEvent.action == "open_bids").first()
    )
    assert str(rows[0]["id"]) in event["details"]


async def test_receipts_made_before_they_were_keyed_still_open_but_no_receipt_is_downgraded(
    client,
) -> None:
    """A bid whose receipt predates keyed receipts (version 1, a plain SHA-256) is checked as it
    was made; a keyed receipt's digest replaced by the plain SHA-256 of the same content no
    longer matches (the version marker says how to check, not the digest)."""
    c = await commissioning()
    rates = {"Oakleaf Home Care": 1873, "Birchwood Care": 1890, "Cedar Care": 1901}
    tokens = {name: (await admitted_provider(c, name))[1] for name in rates}
    call_off_id = await published(client, c, enablement_body(c))
    for name, rate in rates.items():
        token = tokens[name]
        answer = await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid",
            json={**ENABLEMENT_BID, "hourly_rate_pence": rate},
            headers=bearer(token),
        )
        assert answer.status_code == 201 and answer.json()["digest_algorithm"] == "HMAC-SHA256"
    rows = await Bid.select().where(Bid.call_off == call_off_id).order_by(Bid.received_at)
    assert [row["receipt_version"] for row in rows] == [RECEIPT_KEYED] * 3
    key = await call_off_data_key(call_off_id)
    assert key is not None

    def plain(row: dict[str, Any]) -> str:
        content = open_bid(
            key, bytes(row["sealed_content"]), call_off_id, row["provider"], row["version"]
        )
        return bid_digest(msgspec.json.decode(content))

    legacy, keyed, downgraded = rows
    await Bid.update({Bid.receipt_version: RECEIPT_UNKEYED, Bid.digest: plain(legacy)}).where(
        Bid.id == legacy["id"]
    )
    await Bid.update({Bid.digest: plain(downgraded)}).where(Bid.id == downgraded["id"])
    mine = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert mine.json()["digest_algorithm"] == "HMAC-SHA256"
    await pass_the_deadline(call_off_id)
    await close_due_call_offs()
    opened = {
        bid["bid_id"]: bid["integrity"]
        for bid in (
            await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
        ).json()
    }
    assert opened == {
        str(legacy["id"]): "intact",
        str(keyed["id"]): "intact",
        str(downgraded["id"]): "altered",
    }


async def test_submissions_racing_the_close_are_all_before_it_and_none_is_lost(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_MIN_DEADLINE_SECONDS", "1")
    reset_settings()
    c = await commissioning()
    providers: list[Any] = []
    for n in range(20):
        provider, _ = await admitted_provider(c, f"Racing Care {n}")
        user, _ = await make_user(provider.id, "provider")
        providers.append(principal_of(user, provider))
    call_off_id = await published(client, c, enablement_body(c))
    # The deadline is brought to 1.5 s from now once published, however long publishing took on
    # a busy machine: the submissions below are spread over 2.5 s, across it.
    deadline = datetime.now(UTC) + timedelta(seconds=1.5)
    await CallOff.update({CallOff.deadline: deadline}).where(CallOff.id == call_off_id)
    accepted: list[tuple[Any, schemas.Receipt]] = []
    refused: list[str] = []

    async def submit(principal: Any, rate: int) -> None:
        try:
            receipt = await submit_bid(
                principal,
                call_off_id,
                schemas.BidSubmission(hourly_rate_pence=rate, accepts_enablement_budget=True),
            )
            accepted.append((principal, receipt))
        except WrongState as exc:
            refused.append(exc.detail)

    async def closer() -> None:
        # Polls like a scheduler that fires at the deadline, for at most ten seconds.
        for _ in range(1000):
            if await close_call_off(call_off_id) != "not due":
                return
            await asyncio.sleep(0.01)

    attempts = []
    for n in range(200):
        attempts.append(submit(providers[n % 20], 1500 + n))
        if n % 20 == 19:
            attempts.append(asyncio.sleep(0))
    spread = [asyncio.sleep(0.0125 * i) for i in range(len(attempts))]

    async def later(delay: Any, attempt: Any) -> None:
        await delay
        await attempt

    await asyncio.gather(closer(), *(later(d, a) for d, a in zip(spread, attempts, strict=True)))
    assert accepted and refused, "some bids went in before the close and some came after it"
    assert all(receipt.received_at < deadline for _, receipt in accepted)
    latest: dict[Any, schemas.Receipt] = {}
    for principal, receipt in accepted:
        if (
            principal.organisation_id not in latest
            or receipt.version > latest[principal.organisation_id].version
        ):
            latest[principal.organisation_id] = receipt
    stored = await Bid.select(Bid.provider, Bid.version, Bid.digest).where(
        Bid.call_off == call_off_id
    )
    assert {row["provider"]: (row["version"], row["digest"]) for row in stored} == {
        provider: (receipt.version, receipt.digest) for provider, receipt in latest.items()
    }
    opened = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).json()
    assert len(opened) == len(latest) and all(bid["integrity"] == "intact" for bid in opened)


async def test_closing_rechecks_the_gates_of_every_bidder(client) -> None:
    c = await commissioning()
    falling, token = await admitted_provider(c, "Falling Care", cqc_rating="good")
    _, steady_token = await admitted_provider(c, "Steady Care", cqc_rating="good")
    call_off_id = await published(client, c, enablement_body(c))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(steady_token)
    )
    await rate_provider(falling.id, "inadequate")
    await pass_the_deadline(call_off_id)
    await close_due_call_offs()
    opened = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).json()
    failures = {bid["provider_id"]: bid["gate_failures"] for bid in opened}
    assert failures[str(falling.id)] == ["CQC rating inadequate"]
    assert sorted(map(len, failures.values())) == [0, 1]
