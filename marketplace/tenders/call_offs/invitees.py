"""Who a call-off invites: the providers invited to it, by name, and how many publishing it now
would invite (the publication check page)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from marketplace.admissions.eligibility import eligible_providers
from marketplace.principal import Principal
from marketplace.tenders.call_offs.queries import call_off_row
from marketplace.tenders.tables import CallOffArea, Invitation


async def invitees(actor: Principal, call_off_id: UUID) -> list[dict[str, Any]]:
    """The providers invited to the commissioner's own call-off, by name, each with the areas it
    was invited for; 404 for anyone else's call-off."""
    await call_off_row(actor, call_off_id)
    rows = (
        await Invitation.select(Invitation.provider.name.as_alias("name"), Invitation.area_codes)
        .where(Invitation.call_off == call_off_id)
        .order_by(Invitation.provider.name)
    )
    return [
        {"name": row["name"], "area_codes": msgspec.json.decode(row["area_codes"])} for row in rows
    ]


async def eligible_count(actor: Principal, call_off_id: UUID) -> int:
    """How many providers publishing the commissioner's call-off now would invite (the
    publication check page); publishing works it out again."""
    row = await call_off_row(actor, call_off_id)
    areas = await CallOffArea.select(CallOffArea.area).where(CallOffArea.call_off == call_off_id)
    eligible = await eligible_providers(
        row["commissioner"],
        row["lot"],
        [a["area"] for a in areas],
        row["kind"],
        wider=row["sourcing"] == "wider",
    )
    return len(eligible)
