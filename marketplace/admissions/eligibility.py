"""Which providers pass the provider gates of a commissioner's call-off (DESIGN.md §2): admitted
to the lot in the area, not blocked by this commissioner, CQC rating not inadequate, and no
enforcement action pending. Publication invites the eligible; closing and award re-check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from marketplace.accounts.tables import Organisation
from marketplace.admissions.rules import GateFailure, gate_failures
from marketplace.admissions.tables import AdmissionArea, Block
from marketplace.reference.tables import Area, Lot


async def _admitted_areas(
    lot_id: UUID, area_ids: Sequence[UUID], provider_id: UUID | None = None
) -> dict[UUID, set[UUID]]:
    query = AdmissionArea.select(
        AdmissionArea.admission.provider.as_alias("provider"), AdmissionArea.area
    ).where(
        (AdmissionArea.admission.lot == lot_id)
        & (AdmissionArea.admission.status == "approved")
        & AdmissionArea.area.is_in(list(area_ids))
    )
    if provider_id is not None:
        query = query.where(AdmissionArea.admission.provider == provider_id)
    admitted: dict[UUID, set[UUID]] = defaultdict(set)
    for row in await query:
        admitted[row["provider"]].add(row["area"])
    return admitted


async def _open_blocks(commissioner_id: UUID, provider_ids: list[UUID]) -> dict[UUID, str]:
    rows = await Block.select(Block.provider, Block.reason).where(
        (Block.commissioner == commissioner_id)
        & Block.provider.is_in(provider_ids)
        & Block.unblocked_at.is_null()
    )
    return {row["provider"]: row["reason"] for row in rows}


async def eligible_providers(
    commissioner_id: UUID, lot_id: UUID, area_ids: Sequence[UUID]
) -> dict[UUID, set[UUID]]:
    """Each provider admitted to the lot in at least one of the areas that passes every other
    gate, with the set of those areas it is admitted for."""
    if not area_ids:
        return {}
    admitted = await _admitted_areas(lot_id, area_ids)
    if not admitted:
        return {}
    providers = list(admitted)
    blocked = await _open_blocks(commissioner_id, providers)
    compliant = await Organisation.select(Organisation.id).where(
        Organisation.id.is_in(providers)
        & (Organisation.enforcement_pending == False)  # noqa: E712
        & (Organisation.cqc_rating.is_null() | (Organisation.cqc_rating != "inadequate"))
    )
    return {row["id"]: admitted[row["id"]] for row in compliant if row["id"] not in blocked}


async def provider_gate_failures(
    commissioner_id: UUID, lot_id: UUID, area_ids: Sequence[UUID], provider_id: UUID
) -> list[GateFailure]:
    """Each provider gate this provider fails for a call-off of this commissioner in the lot and
    areas (one per area it is not admitted for), coded; empty when it passes them all."""
    provider = (
        await Organisation.select(Organisation.cqc_rating, Organisation.enforcement_pending)
        .where(Organisation.id == provider_id)
        .first()
    )
    lot = await Lot.select(Lot.code).where(Lot.id == lot_id).first()
    areas = (
        await Area.select(Area.id, Area.code).where(Area.id.is_in(list(area_ids)))
        if area_ids
        else []
    )
    admitted = (await _admitted_areas(lot_id, area_ids, provider_id)).get(provider_id, set())
    blocked = await _open_blocks(commissioner_id, [provider_id])
    return gate_failures(
        lot["code"] if lot else str(lot_id),
        [area["code"] for area in areas if area["id"] not in admitted],
        blocked.get(provider_id),
        provider["cqc_rating"] if provider else None,
        bool(provider["enforcement_pending"]) if provider else False,
    )
