"""Care awarded to a guest supplier (docs/design.md 3.5) was sourced outside the framework: the
framework share counts its hours as off-framework, and the commissioner keeps its care record."""

from __future__ import annotations

from marketplace.awards.closing import close_due_call_offs
from marketplace.care.tables import AwardedCare
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.care_fixtures import concluded_cluster
from tests.factories import bearer
from tests.integration.bids.test_bids import pass_the_deadline, published
from tests.integration.bids.test_guest_suppliers import (
    guest_bids,
    guest_link,
    open_link,
    registered_guest,
)
from tests.support_mail import Sink


async def test_care_awarded_to_a_guest_counts_as_off_framework_hours(client, sink: Sink) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    # Packages 1 and 2 (10.00 and 7.25 hours a week) awarded through the framework.
    await concluded_cluster(client, c, token, ("1", "2"))
    guest_id = await registered_guest(client, c)
    # Package 3 (12.50 hours a week) offered wider to the guest alone, and won by it.
    call_off_id = await published(
        client,
        c,
        enablement_body(
            c,
            package_ids=[str(c.packages["3"])],
            sourcing="wider",
            invitee_ids=[guest_id],
            standstill_working_days=0,
        ),
    )
    page = await open_link(client, await guest_link(sink))
    assert (await guest_bids(client, page.text)).status_code == 303
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    award = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert award.status_code == 200, award.text
    await run_due_in_process()
    status = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert status.json()["status"] == "concluded", status.text
    [care] = await AwardedCare.select(AwardedCare.id, AwardedCare.provider).where(
        AwardedCare.call_off == call_off_id
    )
    assert str(care["provider"]) == guest_id

    overall = (await client.get("/api/v1/framework-share", headers=bearer(c.token))).json()[
        "overall"
    ]
    # 17.25 ÷ (17.25 + 12.50) = 57.983…%
    assert (overall["framework_hours"], overall["off_framework_hours"]) == ("17.25", "12.50")
    assert overall["total_hours"] == "29.75" and overall["share_percent"] == "57.98"

    record = await client.get(f"/api/v1/care/{care['id']}", headers=bearer(c.token))
    assert record.status_code == 200, "the commissioner keeps the guest's care record"
