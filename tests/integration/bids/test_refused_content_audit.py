"""A bid refused for its content (422: it can never be compliant) is audited like a late one,
filed under the bidder, with its codes and fields only: not the rate, nor the envelope."""

from __future__ import annotations

import json

import httpx

from marketplace.audit.tables import AuditEvent
from marketplace.bids.tables import Bid
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer
from tests.integration.bids.test_bids import published


async def test_a_never_compliant_bid_is_refused_and_audited_without_its_rate(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))

    refused = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={"hourly_rate_pence": 3000, "accepts_enablement_budget": True},
        headers=bearer(token),
    )

    assert refused.status_code == 422
    assert await Bid.count() == 0
    events = await AuditEvent.select().where(AuditEvent.action == "refused_bid_content")
    assert len(events) == 1
    [event] = events
    assert str(event["entity_id"]) == call_off_id
    assert event["organisation_id"] == provider.id
    reason = json.loads(event["details"])["reason"]
    assert "above_max_rate (hourly_rate_pence)" in reason
    assert "3000" not in reason and "£" not in reason
