"""Every status change of a call-off goes through `move_call_off`: it follows the lifecycle's
table, refuses any other move with a domain error, and writes the one audit event of the move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
import pytest

from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.conclusion import conclude_due_awards
from marketplace.awards.tables import Award
from marketplace.errors import WrongState
from marketplace.tenders.call_offs.lifecycle import move_call_off
from marketplace.tenders.call_offs.status import CallOffStatus
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published


async def moves_of(call_off_id: str) -> list[tuple[str, str, str]]:
    """The call-off's audit events that moved it: (action, from, to), in order."""
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.details)
        .where((AuditEvent.entity == "call_off") & (AuditEvent.entity_id == call_off_id))
        .order_by(AuditEvent.id)
    )
    found = []
    for event in events:
        details = msgspec.json.decode(event["details"])
        if "to_status" in details:
            found.append((event["action"], details["from_status"], details["to_status"]))
    return found


async def status_of(call_off_id: str) -> str:
    row = await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first()
    return str(row["status"])


async def test_each_move_from_draft_to_concluded_writes_one_event_naming_it(client: Any) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
    )
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    confirmed = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert confirmed.status_code == 200, confirmed.text
    await Award.update(
        {Award.standstill_ends_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
    )
    assert await conclude_due_awards() == 1

    assert await status_of(call_off_id) == "concluded"
    assert await moves_of(call_off_id) == [
        ("publish_call_off", "draft", "published"),
        ("close_call_off", "published", "closed"),
        ("evaluate_call_off", "closed", "evaluated"),
        ("confirm_award", "evaluated", "awarded"),
        ("conclude_call_off", "awarded", "concluded"),
    ]
    for action in ("publish_call_off", "close_call_off", "confirm_award", "conclude_call_off"):
        assert await AuditEvent.count().where(AuditEvent.action == action) == 1, action
    published_event = (
        await AuditEvent.select().where(AuditEvent.action == "publish_call_off").first()
    )
    assert published_event["actor_user_id"] == c.officer.user_id
    assert published_event["organisation_id"] == c.commissioner.id
    assert msgspec.json.decode(published_event["details"])["invited"] == 1


async def test_a_cancelled_call_off_cannot_be_published(client: Any) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    call_off_id = created.json()["id"]
    cancelled = await client.post(
        f"/api/v1/call-offs/{call_off_id}/cancel",
        json={"reason": "The package was met elsewhere"},
        headers=bearer(c.token),
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancel_reason"] == "The package was met elsewhere"

    refused = await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token))
    assert refused.status_code == 409
    assert refused.json()["detail"] == "A cancelled call-off cannot be published"
    assert await moves_of(call_off_id) == [("cancel_call_off", "draft", "cancelled")]


async def test_a_move_the_table_does_not_allow_changes_nothing_and_records_nothing(
    client: Any,
) -> None:
    c = await commissioning()
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    call_off_id = created.json()["id"]

    with pytest.raises(WrongState, match=r"^A draft call-off cannot be closed$"):
        await move_call_off(
            UUID(call_off_id), CallOffStatus.CLOSED, actor=None, action="close_call_off"
        )
    assert await status_of(call_off_id) == "draft"
    assert await moves_of(call_off_id) == []
    assert not await AuditEvent.exists().where(AuditEvent.action == "close_call_off")


async def test_a_move_sets_what_changes_with_it_and_records_the_callers_event(
    client: Any,
) -> None:
    c = await commissioning()
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    call_off_id = UUID(created.json()["id"])

    await move_call_off(
        call_off_id,
        CallOffStatus.CANCELLED,
        actor=c.officer,
        action="cancel_call_off",
        details={"reason": "test"},
        also_set={CallOff.cancel_reason: "test"},
    )
    row = (
        await CallOff.select(CallOff.status, CallOff.cancel_reason)
        .where(CallOff.id == call_off_id)
        .first()
    )
    assert row == {"status": "cancelled", "cancel_reason": "test"}
    event = await AuditEvent.select().where(AuditEvent.action == "cancel_call_off").first()
    assert event["entity_id"] == str(call_off_id)
    assert event["organisation_id"] == c.commissioner.id
    assert event["actor_user_id"] == c.officer.user_id
    assert msgspec.json.decode(event["details"]) == {
        "reason": "test",
        "from_status": "draft",
        "to_status": "cancelled",
    }
