"""A call-off's OCDS facts at publication, extension and cancellation, and the release each writes
(marketplace/transparency): in the transaction of the move, so the notice and the move stand or
fall together. A package is described by its hours, service level and area only."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from marketplace.config import get_settings
from marketplace.tenders.call_offs.queries import call_off_facts
from marketplace.tenders.tables import CallOff, CallOffArea, CallOffPackage, Package
from marketplace.transparency import releases
from marketplace.transparency.service import add_release
from marketplace.web.labels import SERVICE_LEVELS


async def tender_facts(call_off_id: UUID) -> releases.TenderFacts:
    row = (
        await CallOff.select(
            *CallOff.all_columns(),
            CallOff.lot.name.as_alias("lot_name"),
            CallOff.commissioner.name.as_alias("buyer_name"),
        )
        .where(CallOff.id == call_off_id)
        .first()
    )
    assert row is not None
    facts = await call_off_facts(row)
    areas = await CallOffArea.select(
        CallOffArea.area.code.as_alias("code"),
        CallOffArea.area.name.as_alias("name"),
        CallOffArea.weekly_hours,
    ).where(CallOffArea.call_off == call_off_id)
    names = {a["code"]: a["name"] for a in areas}
    if row["kind"] == "pilot":
        items = [
            releases.Item(
                description=f"Home care in {a['name']} (pilot)",
                weekly_hours=Decimal(a["weekly_hours"] or 0),
                area_code=a["code"],
            )
            for a in sorted(areas, key=lambda a: a["code"])
        ]
    else:
        packages = (
            await Package.select(
                Package.weekly_hours,
                Package.service_level,
                Package.area.code.as_alias("area_code"),
                Package.area.name.as_alias("area_name"),
            )
            .where(
                Package.id.is_in(
                    [
                        p["package"]
                        for p in await CallOffPackage.select(CallOffPackage.package).where(
                            CallOffPackage.call_off == call_off_id
                        )
                    ]
                    or [UUID(int=0)]
                )
            )
            .order_by(Package.id)
        )
        items = [
            releases.Item(
                description=(
                    f"Home care package, "
                    f"{SERVICE_LEVELS.get(p['service_level'], p['service_level']).lower()} "
                    f"service level, in {p['area_name']}"
                ),
                weekly_hours=Decimal(p["weekly_hours"]),
                area_code=p["area_code"],
            )
            for p in packages
        ]
        names.update({p["area_code"]: p["area_name"] for p in packages})
    envelope = facts["envelope"]
    enablement = facts["terms"]["enablement"]
    return releases.TenderFacts(
        call_off_id=call_off_id,
        title=row["title"],
        kind=row["kind"],
        lot_name=row["lot_name"],
        buyer=releases.Organisation(row["commissioner"], row["buyer_name"]),
        published_at=row["published_at"],
        deadline=row["deadline"],
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        envelope_weekly_pence=envelope.weekly_pence if envelope else row["envelope_weekly_pence"],
        cancelled=row["status"] == "cancelled",
        areas=names,
        items=items,
        documents=[releases.Document(d.id, d.filename) for d in facts["documents"]],
        budget_pence=enablement.budget_pence if enablement else None,
    )


async def write_tender_release(call_off_id: UUID, notice: str, moment: datetime) -> None:
    """The tender as it now stands, as the call-off's next release (`notice`: published,
    extended or cancelled)."""
    facts = await tender_facts(call_off_id)
    await add_release(
        call_off_id,
        notice,
        moment,
        releases.tender_sections(facts, get_settings().base_url),
        title=facts.title,
        buyer_name=facts.buyer.name,
    )
