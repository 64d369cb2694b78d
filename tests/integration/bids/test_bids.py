"""Sealed bids: submission with a receipt, replacement, withdrawal, the deadline, and access."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from marketplace.audit.tables import AuditEvent
from marketplace.bids.schemas import BidSubmission
from marketplace.bids.sealing import canonical_bid_content
from marketplace.bids.tables import Bid
from marketplace.notifications.relay import run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    pilot_body,
    suffix_of,
)
from tests.factories import bearer, make_organisation, make_user
from tests.support_mail import Sink

ENABLEMENT_BID = {
    "hourly_rate_pence": 1873,
    "accepts_enablement_budget": True,
    "notes": "marker-not-in-the-database",
}


async def published(client: Any, c: Any, body: dict[str, Any]) -> str:
    created = await client.post("/api/v1/call-offs", json=body, headers=bearer(c.token))
    assert created.status_code == 201, created.text
    call_off_id = created.json()["id"]
    response = await client.post(
        f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
    )
    assert response.status_code == 200, response.text
    return call_off_id


async def pass_the_deadline(call_off_id: str) -> None:
    await CallOff.update({CallOff.deadline: datetime.now(UTC) - timedelta(seconds=1)}).where(
        CallOff.id == call_off_id
    )


async def test_a_bid_gets_a_receipt_and_can_be_replaced(client, sink: Sink) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    first = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["version"] == 1
    submitted = msgspec.to_builtins(BidSubmission(**ENABLEMENT_BID))
    # The bidder checks the digest from the receipt alone: the HMAC-SHA256 of what it sent,
    # under the receipt's key; the plain SHA-256 (which anyone could test rates against) it is not.
    assert receipt["digest_algorithm"] == "HMAC-SHA256"
    key = bytes.fromhex(receipt["digest_key"])
    content = canonical_bid_content(submitted)
    assert receipt["digest"] == hmac.new(key, content, hashlib.sha256).hexdigest()
    assert receipt["digest"] != hashlib.sha256(content).hexdigest()
    assert datetime.fromisoformat(receipt["received_at"]) <= datetime.now(UTC)
    second = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={**ENABLEMENT_BID, "hourly_rate_pence": 1925},
        headers=bearer(token),
    )
    assert second.status_code == 201
    assert second.json()["bid_id"] == receipt["bid_id"] and second.json()["version"] == 2
    assert second.json()["digest"] != receipt["digest"]
    assert second.json()["digest_key"] != receipt["digest_key"], "a key per version"
    mine = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert mine.json()["content"]["hourly_rate_pence"] == 1925 and mine.json()["version"] == 2
    assert mine.json()["digest_key"] == second.json()["digest_key"]
    assert mine.json()["digest"] == second.json()["digest"]
    keys = {receipt["digest_key"], second.json()["digest_key"]}
    stored = [str(row) for row in await Bid.select()]
    stored += [row["details"] for row in await AuditEvent.select(AuditEvent.details)]
    stored += [row["payload"] for row in await OutboxEntry.select(OutboxEntry.payload)]
    assert not [text for text in stored for key in keys if key in text], "no key at rest"
    assert await Bid.count().where(Bid.call_off == call_off_id) == 1
    await run_due_in_process()
    receipts = [m for m in sink.messages if m["Subject"].startswith("Receipt for your bid")]
    assert len(receipts) == 2
    text = receipts[1].get_payload(0).get_payload(decode=True).decode()
    assert second.json()["digest"] in text
    assert "1925" not in receipts[1].as_string(), "the receipt carries no price"
    view = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert view.json()["bid_count"] == 1
    assert "1925" not in view.text


async def test_the_database_holds_no_plaintext_of_a_bid(client, db: str) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    response = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert response.status_code == 201
    row = await Bid.select().where(Bid.call_off == call_off_id).first()
    assert b"1873" not in bytes(row["sealed_content"]) and b"marker" not in bytes(
        row["sealed_content"]
    )
    events = await AuditEvent.select(AuditEvent.details)
    assert not any("1873" in e["details"] or "marker" in e["details"] for e in events)
    if db == "sqlite":
        from marketplace.config import get_settings

        raw = get_settings().database_url.removeprefix("sqlite:///")
        for path in (raw, raw + "-wal"):
            try:
                dump = await asyncio.to_thread(Path(path).read_bytes)
            except FileNotFoundError:
                continue
            assert b"marker-not-in-the-database" not in dump


async def test_each_kind_needs_its_own_fields(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Both Areas Care", areas=("ASHFORD", "CANTERBURY"))
    enablement = await published(client, c, enablement_body(c))
    response = await client.put(
        f"/api/v1/call-offs/{enablement}/bid",
        json={"hourly_rate_pence": 1900},
        headers=bearer(token),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["accepts_enablement_budget"]
    cluster = await published(
        client, c, cluster_body(c, package_ids=[str(c.packages["2"]), str(c.packages["3"])])
    )
    response = await client.put(
        f"/api/v1/call-offs/{cluster}/bid", json={"hourly_rate_pence": 1900}, headers=bearer(token)
    )
    assert [e["field"] for e in response.json()["errors"]] == ["mobilisation_date"]
    pilot = await published(client, c, pilot_body(c))
    s = suffix_of(c)
    response = await client.put(
        f"/api/v1/call-offs/{pilot}/bid",
        json={
            "areas": [
                {
                    "area_code": f"ASHFORD-{s}",
                    "hourly_rate_pence": 1900,
                    "answers": {"q1": "Local recruitment"},
                },
                {
                    "area_code": "ELSEWHERE",
                    "hourly_rate_pence": 1890,
                    "answers": {"q1": "a", "q2": "b"},
                },
            ]
        },
        headers=bearer(token),
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "areas[0].answers.q2",
        "areas[1].area_code",
    ]
    response = await client.put(
        f"/api/v1/call-offs/{pilot}/bid",
        json={
            "areas": [
                {
                    "area_code": f"ASHFORD-{s}",
                    "hourly_rate_pence": 1900,
                    "answers": {"q1": "Local recruitment", "q2": "Monthly reviews"},
                }
            ]
        },
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    floats = await client.put(
        f"/api/v1/call-offs/{enablement}/bid",
        json={"hourly_rate_pence": 21.5, "accepts_enablement_budget": True},
        headers=bearer(token),
    )
    assert floats.status_code == 400 and floats.json()["errors"][0]["field"] == "hourly_rate_pence"


async def test_only_invited_providers_bid(client) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    stranger = await make_organisation("provider")
    _, token = await make_user(stranger.id, "provider")
    assert (
        await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
        )
    ).status_code == 404
    assert (
        await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(c.token)
        )
    ).status_code == 403


async def test_the_server_clock_closes_bidding_at_the_deadline(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    assert (
        await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
        )
    ).status_code == 201
    await pass_the_deadline(call_off_id)
    late = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={**ENABLEMENT_BID, "hourly_rate_pence": 1900},
        headers=bearer(token),
    )
    assert late.status_code == 409 and "deadline" in late.json()["detail"]
    withdraw = await client.delete(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert withdraw.status_code == 409
    refused = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action.is_in(["refused_bid", "refused_withdrawal"])
    )
    assert sorted(e["action"] for e in refused) == ["refused_bid", "refused_withdrawal"]
    mine = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert mine.json()["content"]["hourly_rate_pence"] == 1873 and mine.json()["version"] == 1


async def test_a_withdrawn_bid_is_erased_and_can_be_submitted_again(client) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    withdrawn = await client.delete(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert withdrawn.status_code == 200
    mine = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert mine.json()["status"] == "withdrawn" and mine.json()["content"] is None
    row = await Bid.select(Bid.sealed_content).where(Bid.call_off == call_off_id).first()
    assert bytes(row["sealed_content"]) == b""
    assert (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))).json()[
        "bid_count"
    ] == 0
    again = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert again.status_code == 201 and again.json()["version"] == 2
    assert (
        await client.delete(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    ).status_code == 200
    assert (
        await client.delete(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    ).status_code == 404


async def test_bids_arriving_together_are_all_taken_and_share_one_key(client) -> None:
    from marketplace.bids.tables import CallOffKey

    c = await commissioning()
    tokens = [(await admitted_provider(c, f"Together Care {n}"))[1] for n in range(12)]
    call_off_id = await published(client, c, enablement_body(c))

    async def submit(token: str, rate: int) -> Any:
        return await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid",
            json={**ENABLEMENT_BID, "hourly_rate_pence": rate},
            headers=bearer(token),
        )

    # Every provider's first bid at once (the call-off's key is made by one of them), and the
    # first provider three times at once (its versions follow one another).
    answers = await asyncio.gather(
        *(submit(token, 1800 + n) for n, token in enumerate(tokens)),
        *(submit(tokens[0], 1700 + n) for n in range(3)),
    )
    assert [a.status_code for a in answers] == [201] * 15, [
        a.text for a in answers if a.status_code != 201
    ]
    assert await CallOffKey.count().where(CallOffKey.call_off == call_off_id) == 1
    first = [
        a.json()["version"] for a in answers if a.json()["bid_id"] == answers[0].json()["bid_id"]
    ]
    assert sorted(first) == [1, 2, 3, 4]
    mine = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(tokens[0]))
    assert mine.json()["version"] == 4


async def test_the_commissioners_audit_log_says_nothing_of_a_bid_before_opening(
    client: Any,
) -> None:
    """The bid's audit events are filed under the bidder, so the commissioner's staff read
    neither who bid nor any digest before opening."""
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    receipt = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert receipt.status_code == 201, receipt.text
    events = (await client.get("/api/v1/audit?limit=200", headers=bearer(c.token))).json()
    assert "submit_bid" not in {event["action"] for event in events["items"]}
    assert receipt.json()["digest"] not in str(events)
    stored = await AuditEvent.select().where(AuditEvent.action == "submit_bid")
    assert len(stored) == 1, "the submission is still audited"


async def test_a_digest_read_before_opening_gives_no_rate_away_without_the_receipt_key(
    client: Any,
) -> None:
    """A bid is a few bytes of canonical content: an unkeyed digest would give its rate to
    whoever tries every one. The keyed digest in the row and the audit log matches no guess
    made without the bidder's receipt key (which needs the KEK)."""
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    receipt = (
        await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
        )
    ).json()
    [event] = await AuditEvent.select().where(AuditEvent.action == "submit_bid")
    digest = msgspec.json.decode(event["details"])["digest"]
    assert digest == receipt["digest"]

    def guess(rate: int) -> bytes:
        bid = BidSubmission(**{**ENABLEMENT_BID, "hourly_rate_pence": rate})
        return canonical_bid_content(msgspec.to_builtins(bid))

    rates = range(1500, 2500)
    assert not [r for r in rates if hashlib.sha256(guess(r)).hexdigest() == digest]
    key = bytes.fromhex(receipt["digest_key"])
    found = [r for r in rates if hmac.new(key, guess(r), hashlib.sha256).hexdigest() == digest]
    assert found == [ENABLEMENT_BID["hourly_rate_pence"]], "the key's holder checks it"
