"""Seeding admissions by the system (the demo loader): only what is missing is created."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

from marketplace.admissions.tables import Admission, AdmissionArea
from marketplace.audit.service import record
from marketplace.db import write_transaction


class AdmissionSeed(NamedTuple):
    """A provider the seed wants admitted to a lot in areas of one commissioner."""

    provider_id: UUID
    lot_id: UUID
    commissioner_id: UUID
    area_ids: tuple[UUID, ...]


async def ensure_admissions(seeds: Sequence[AdmissionSeed]) -> int:
    """As the system: approve each provider for the areas of the lot it is not admitted to yet
    (one approved application per seed, for the missing areas only); returns how many
    applications were created."""
    created = 0
    async with write_transaction():
        for seed in seeds:
            rows = await AdmissionArea.select(AdmissionArea.area).where(
                (AdmissionArea.admission.provider == seed.provider_id)
                & (AdmissionArea.admission.lot == seed.lot_id)
                & (AdmissionArea.admission.status == "approved")
            )
            admitted = {row["area"] for row in rows}
            missing = [area for area in dict.fromkeys(seed.area_ids) if area not in admitted]
            if not missing:
                continue
            moment = datetime.now(UTC)
            admission = Admission(
                provider=seed.provider_id,
                lot=seed.lot_id,
                commissioner=seed.commissioner_id,
                status="approved",
                applied_at=moment,
                applied_by=None,
                decided_at=moment,
                decision_reason="Admitted by the demo loader",
                maximum_prices_accepted_at=moment,
            )
            await admission.save()
            await AdmissionArea.insert(
                *(AdmissionArea(admission=admission.id, area=area) for area in missing)
            )
            created += 1
        if created:
            await record(None, "seed_admissions", "admission", details={"created": created})
    return created
