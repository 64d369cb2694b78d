"""Bid attachments, sealed like the bid: encrypted before they reach the archive (on both backends
and both engines), readable by the bidder and, once opened, by the commissioner's users only,
every refused read audited, and re-checked against their receipts at opening."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from marketplace.archive.s3_store import s3_client
from marketplace.archive.tables import Document
from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.bids.tables import Bid, BidAttachment
from marketplace.config import get_settings
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_admin, make_organisation, make_user
from tests.integration.archive.test_archive import backend, use_s3  # noqa: F401 (fixture)
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published

MARKER = b"rate-schedule-marker-2173"
RIVAL_TOKENS: list[str] = []
PLAN = b"Mobilisation plan\n" + MARKER + b"\nWeek 1: recruit six carers in Ashford.\n"


async def attach(
    client: Any, call_off_id: str, token: str, content: bytes = PLAN, name: str = "plan.txt"
) -> Any:
    return await client.post(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments",
        files={"file": (name, content, "text/plain")},
        headers=bearer(token),
    )


async def bid_with_attachment(
    client: Any, *rivals: str
) -> tuple[Any, str, str, str, dict[str, Any]]:
    """A published enablement request with a bid carrying one attachment; the rivals named are
    invited too (their tokens are left in RIVAL_TOKENS)."""
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    RIVAL_TOKENS[:] = [(await admitted_provider(c, name))[1] for name in rivals]
    call_off_id = await published(client, c, enablement_body(c))
    submitted = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    assert submitted.status_code == 201, submitted.text
    attached = await attach(client, call_off_id, token, name="Rates £21.73 plan.txt")
    assert attached.status_code == 201, attached.text
    return c, token, call_off_id, submitted.json()["bid_id"], attached.json()


async def stored_objects(kind: str) -> dict[str, bytes]:
    """Every byte the archive holds, by object, as an operator with access to it would see it."""
    if kind == "local":
        root = get_settings().var_dir / "archive"
        if not root.exists():
            return {}
        return {str(path): path.read_bytes() for path in root.rglob("*") if path.is_file()}
    client = s3_client(get_settings())
    bucket = get_settings().s3_bucket
    listed = client.list_object_versions(Bucket=bucket).get("Versions", [])
    return {
        f"{item['Key']}@{item['VersionId']}": client.get_object(
            Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"]
        )["Body"].read()
        for item in listed
    }


async def test_an_attachment_is_sealed_before_it_reaches_the_archive(
    backend: str,  # noqa: F811
    client: Any,
) -> None:
    # The archive is shared by the whole run (other tests may archive a figure like 21.73 in
    # plain words, in an award notice): only what this bid added is looked at.
    before = await stored_objects(backend)
    _, token, call_off_id, bid_id, attachment = await bid_with_attachment(client)
    assert attachment["size"] == len(PLAN)
    assert attachment["digest"] == hashlib.sha256(PLAN).hexdigest()
    assert attachment["filename"] == "Rates £21.73 plan.txt"
    assert attachment["media_type"].startswith("text/plain")

    row = await BidAttachment.select().where(BidAttachment.bid == bid_id).first()
    document = await Document.select().where(Document.id == row["document_id"]).first()
    assert document["confidentiality"] == "sealed"
    assert document["filename"] == "sealed.bin" and "21.73" not in document["filename"]
    assert document["media_type"] == "application/octet-stream"
    objects = [blob for key, blob in (await stored_objects(backend)).items() if key not in before]
    assert objects, "the archive holds the sealed bytes"
    assert not any(MARKER in blob or b"21.73" in blob for blob in objects)
    assert b"21.73" not in bytes(row["sealed_description"])
    events = await AuditEvent.select(AuditEvent.details)
    assert not any("21.73" in event["details"] or "marker" in event["details"] for event in events)

    mine = await client.get(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments/{attachment['attachment_id']}",
        headers=bearer(token),
    )
    assert mine.status_code == 200 and mine.content == PLAN
    assert "Rates" in mine.headers["content-disposition"]
    assert mine.headers["x-content-type-options"] == "nosniff"
    own = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert [a["attachment_id"] for a in own.json()["attachments"]] == [attachment["attachment_id"]]


async def test_who_may_read_a_bid_and_its_attachments_before_and_after_opening(
    client: Any,
) -> None:
    c, token, call_off_id, bid_id, attachment = await bid_with_attachment(client, "Rival Care")
    [rival] = RIVAL_TOKENS
    outsider = await make_organisation("provider", name="Faraway Care")
    _, stranger = await make_user(outsider.id, "provider")
    _, opener = await make_user(c.commissioner.id, "opener")
    other = await commissioning("Dorset Council")
    _, admin = await make_admin()
    own_path = f"/api/v1/call-offs/{call_off_id}/bid/attachments/{attachment['attachment_id']}"
    opened_path = (
        f"/api/v1/call-offs/{call_off_id}/bids/{bid_id}/attachments/{attachment['attachment_id']}"
    )
    row = await BidAttachment.select().where(BidAttachment.bid == bid_id).first()
    archive_path = f"/api/v1/documents/{row['document_id']}"
    readers = {
        "bidder": token,
        "rival bidder": rival,
        "uninvited provider": stranger,
        "commissioner": c.token,
        "opener": opener,
        "other commissioner": other.token,
        "admin": admin,
    }

    async def statuses(path: str) -> dict[str, int]:
        return {
            name: (await client.get(path, headers=bearer(reader))).status_code
            for name, reader in readers.items()
        }

    before = {
        "bids": await statuses(f"/api/v1/call-offs/{call_off_id}/bids"),
        "own attachment": await statuses(own_path),
        "opened attachment": await statuses(opened_path),
        "archive": await statuses(archive_path),
        "call-off": await statuses(f"/api/v1/call-offs/{call_off_id}"),
    }
    assert before == {
        "bids": {
            "bidder": 403,
            "rival bidder": 403,
            "uninvited provider": 403,
            "commissioner": 409,
            "opener": 409,
            "other commissioner": 404,
            "admin": 403,
        },
        "own attachment": {
            "bidder": 200,
            "rival bidder": 404,
            "uninvited provider": 404,
            "commissioner": 403,
            "opener": 403,
            "other commissioner": 403,
            "admin": 403,
        },
        "opened attachment": {
            "bidder": 403,
            "rival bidder": 403,
            "uninvited provider": 403,
            "commissioner": 409,
            "opener": 409,
            "other commissioner": 404,
            "admin": 403,
        },
        "archive": {
            "bidder": 403,
            "rival bidder": 404,
            "uninvited provider": 404,
            "commissioner": 404,
            "opener": 404,
            "other commissioner": 404,
            "admin": 403,
        },
        "call-off": {
            "bidder": 200,
            "rival bidder": 200,
            "uninvited provider": 404,
            "commissioner": 200,
            "opener": 200,
            "other commissioner": 404,
            "admin": 403,
        },
    }
    refusals = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action.is_in(
            ["refused_read_sealed_attachment", "refused_read_sealed", "refused_read_sealed_bids"]
        )
    )
    assert sorted(e["action"] for e in refusals).count("refused_read_sealed_attachment") == 2
    assert sum(e["action"] == "refused_read_sealed" for e in refusals) == 2

    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    after = {
        "own attachment": await statuses(own_path),
        "opened attachment": await statuses(opened_path),
        "archive": await statuses(archive_path),
    }
    assert after == {
        "own attachment": before["own attachment"],
        "opened attachment": {**before["opened attachment"], "commissioner": 200, "opener": 200},
        "archive": before["archive"],
    }
    opened = await client.get(opened_path, headers=bearer(c.token))
    assert opened.content == PLAN
    bids = await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    [bid] = bids.json()
    assert bid["integrity"] == "intact"
    assert bid["attachments"][0]["integrity"] == "intact"
    assert bid["attachments"][0]["filename"] == "Rates £21.73 plan.txt"


async def test_attachments_follow_the_bid_and_the_deadline(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    early = await attach(client, call_off_id, token)
    assert early.status_code == 409 and "Submit your bid first" in early.json()["detail"]
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    empty = await attach(client, call_off_id, token, content=b"")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "file"
    strange = await attach(client, call_off_id, token, content=b"MZ\x90\x00", name="a.exe")
    assert strange.status_code == 415
    first = (await attach(client, call_off_id, token)).json()
    second = (await attach(client, call_off_id, token, name="second.txt")).json()
    removed = await client.delete(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments/{first['attachment_id']}",
        headers=bearer(token),
    )
    assert removed.status_code == 200
    listed = await client.get(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments", headers=bearer(token)
    )
    assert [a["attachment_id"] for a in listed.json()] == [second["attachment_id"]]
    replaced = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={**ENABLEMENT_BID, "hourly_rate_pence": 1900},
        headers=bearer(token),
    )
    assert replaced.json()["version"] == 2
    kept = await client.get(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert len(kept.json()["attachments"]) == 1, "a replacement keeps the attachments"

    await pass_the_deadline(call_off_id)
    late = await attach(client, call_off_id, token)
    assert late.status_code == 409 and "deadline" in late.json()["detail"]
    late_removal = await client.delete(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments/{second['attachment_id']}",
        headers=bearer(token),
    )
    assert late_removal.status_code == 409
    assert await AuditEvent.count().where(AuditEvent.action == "refused_attachment") >= 2


async def test_withdrawing_a_bid_takes_its_attachments_with_it(client: Any) -> None:
    _, token, call_off_id, bid_id, attachment = await bid_with_attachment(client)
    withdrawn = await client.delete(f"/api/v1/call-offs/{call_off_id}/bid", headers=bearer(token))
    assert withdrawn.status_code == 200
    gone = await client.get(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments/{attachment['attachment_id']}",
        headers=bearer(token),
    )
    assert gone.status_code == 404
    assert (
        await BidAttachment.count().where(
            (BidAttachment.bid == bid_id) & BidAttachment.removed_at.is_null()
        )
        == 0
    )


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_an_attachment_altered_in_the_archive_taints_its_bid_at_opening(
    client: Any,
) -> None:
    c, _, call_off_id, bid_id, attachment = await bid_with_attachment(client)
    row = await BidAttachment.select().where(BidAttachment.bid == bid_id).first()
    document = await Document.select().where(Document.id == row["document_id"]).first()
    path = get_settings().var_dir / "archive" / document["key"]
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.chmod(0o644)
    path.write_bytes(bytes(blob))

    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    assert (await Bid.select(Bid.integrity).where(Bid.id == bid_id).first())[
        "integrity"
    ] == "altered"
    bids = await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    [bid] = bids.json()
    assert bid["integrity"] == "altered" and bid["content"] is None
    assert bid["attachments"][0]["integrity"] == "altered"
    refused = await client.get(
        f"/api/v1/call-offs/{call_off_id}/bids/{bid_id}/attachments/{attachment['attachment_id']}",
        headers=bearer(c.token),
    )
    assert refused.status_code == 500 and "integrity" in refused.json()["detail"]
    assert MARKER not in refused.content
