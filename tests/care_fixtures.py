"""Concluded call-offs whose care the tests then follow: through the real API, from publication to
the end of a standstill of 0 working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.awards.closing import close_due_call_offs
from marketplace.care.tables import AwardedCare
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import Commissioning, cluster_body, enablement_body
from tests.factories import bearer
from tests.integration.bids.test_bids import pass_the_deadline, published


async def concluded(
    client: Any, c: Commissioning, body: dict[str, Any], bids: list[tuple[str, dict[str, Any]]]
) -> str:
    """Publish the call-off, take these bids (token, body), pass the deadline, confirm the
    computed award and conclude it (standstill 0). Returns the call-off's id."""
    call_off_id = await published(client, c, {**body, "standstill_working_days": 0})
    for token, bid in bids:
        response = await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=bid, headers=bearer(token)
        )
        assert response.status_code == 201, response.text
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    award = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(c.token)
    )
    assert award.status_code == 200, award.text
    await run_due_in_process()
    status = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert status.json()["status"] == "concluded", status.text
    return call_off_id


def today() -> date:
    """Today where the marketplace reckons dates (Europe/London)."""
    return datetime.now(ZoneInfo("Europe/London")).date()


def mobilising(days: int, rate: int = 1950) -> dict[str, Any]:
    return {"hourly_rate_pence": rate, "mobilisation_date": str(today() + timedelta(days))}


async def concluded_cluster(
    client: Any, c: Commissioning, token: str, packages: tuple[str, ...] = ("1", "2")
) -> str:
    """A cluster of these packages won by the provider of `token`, concluded."""
    body = cluster_body(c, package_ids=[str(c.packages[n]) for n in packages])
    return await concluded(client, c, body, [(token, mobilising(3))])


async def concluded_enablement(client: Any, c: Commissioning, token: str, package: str) -> str:
    body = enablement_body(
        c,
        package_ids=[str(c.packages[package])],
        enablement={
            "budget_pence": 150000,
            "weeks": 2,
            "outcomes": ["Wash and dress independently", "Make a hot meal"],
        },
    )
    bid = {"hourly_rate_pence": 1900, "accepts_enablement_budget": True}
    return await concluded(client, c, body, [(token, bid)])


async def care_ids(call_off_id: str) -> list[UUID]:
    """The call-off's care records, by package reference."""
    rows = (
        await AwardedCare.select(AwardedCare.id)
        .where(AwardedCare.call_off == call_off_id)
        .order_by(AwardedCare.package.reference)
    )
    return [row["id"] for row in rows]


async def backdate(care_id: UUID, awarded_days_ago: int, promised: date | None = None) -> None:
    """As if the care had been awarded some days ago, with this promised mobilisation date."""
    await AwardedCare.update(
        {
            AwardedCare.awarded_at: datetime.now(UTC) - timedelta(days=awarded_days_ago),
            AwardedCare.promised_mobilisation_date: promised,
        }
    ).where(AwardedCare.id == care_id)


def days_ago(days: int) -> str:
    return str(today() - timedelta(days=days))


async def started(client: Any, token: str, care_id: UUID, days: int = 0) -> dict[str, Any]:
    """The provider records the start `days` ago (backdate the care first when days > 0)."""
    response = await client.put(
        f"/api/v1/care/{care_id}/start",
        json={"actual_start": days_ago(days)},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def plain_text(message: Any) -> str:
    """The plain-text part of an email, decoded."""
    return str(message.get_payload(0).get_payload(decode=True).decode())
