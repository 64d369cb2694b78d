"""Seeding the waiting list by the system (the demo loader): only what is missing is created."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import BadInput, RuleBroken
from marketplace.reference.postcodes.directory import rurality_of_postcodes
from marketplace.reference.queries import own_area_ids
from marketplace.tenders.tables import Package
from marketplace.units import two_places


@dataclass(frozen=True)
class PackageSeed:
    """A package for the waiting list, as a seed gives it (its rurality comes from the directory)."""

    reference: str
    area_code: str
    postcode: str
    weekly_hours: Decimal
    service_level: str
    urgency: str
    urgency_reason: str | None
    start_by: date


async def ensure_packages(commissioner_id: UUID, seeds: Iterable[PackageSeed]) -> int:
    """As the system: put on a commissioner's waiting list each package whose reference it does not
    hold yet, with the rurality of its postcode from the directory; returns how many were added."""
    wanted = list(seeds)
    async with write_transaction():
        # Locking the commissioner's areas makes two seeds of one waiting list wait for each other.
        area_ids = await own_area_ids(commissioner_id, lock=True)
        rurality = await rurality_of_postcodes(seed.postcode for seed in wanted)
        held = await Package.select(Package.reference).where(
            Package.commissioner == commissioner_id
        )
        references = {row["reference"] for row in held}
        new = []
        for seed in wanted:
            if seed.reference in references:
                continue
            if seed.area_code not in area_ids:
                raise RuleBroken(f"{seed.area_code} is not one of this commissioner's areas")
            if seed.postcode not in rurality:
                raise RuleBroken(f"{seed.postcode} is not in the postcode directory")
            if (seed.urgency == "urgent") != (seed.urgency_reason is not None):
                raise BadInput(
                    f"{seed.reference}: an urgent package, and only one, has an urgency reason"
                )
            new.append(
                Package(
                    commissioner=commissioner_id,
                    area=area_ids[seed.area_code],
                    reference=seed.reference,
                    postcode=seed.postcode,
                    rurality=rurality[seed.postcode],
                    weekly_hours=two_places(
                        seed.weekly_hours, "weekly_hours", Decimal("0.25"), Decimal(168)
                    ),
                    service_level=seed.service_level,
                    urgency=seed.urgency,
                    urgency_reason=seed.urgency_reason,
                    start_by=seed.start_by,
                )
            )
            references.add(seed.reference)
        if new:
            await Package.insert(*new)
            await record(
                None,
                "seed_packages",
                "package",
                organisation_id=commissioner_id,
                details={"created": len(new), "references": [p.reference for p in new]},
            )
    return len(new)
