"""A package handed back by its provider returns to the waiting list (the care domain calls this
when the provider hands the care back): waiting again, marked with the time of the hand-back,
its urgency and its history kept, so that it can go into a new call-off. Its contingency clock
is cleared: a new one starts when it is next offered, and it waits as `handed_back`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from marketplace.audit.service import record
from marketplace.db import for_update
from marketplace.tenders.tables import Package


async def return_handed_back(package_id: UUID, handed_back_at: datetime) -> bool:
    """Put an awarded package back on its commissioner's waiting list, marked handed back
    (inside the caller's transaction); False when it is not an awarded package. The contingency
    flag is left as it is."""
    row = await for_update(
        Package.select(Package.commissioner, Package.status).where(Package.id == package_id)
    ).first()
    if row is None or row["status"] != "awarded":
        return False
    await Package.update(
        {
            Package.status: "waiting",
            Package.handed_back_at: handed_back_at,
            Package.first_offered_at: None,  # a new contingency clock starts at its next offer
            Package.contingency_reason: "handed_back",
        }
    ).where(Package.id == package_id)
    await record(
        None,
        "return_handed_back_package",
        "package",
        package_id,
        organisation_id=row["commissioner"],
        details={"handed_back_at": handed_back_at},
    )
    return True
