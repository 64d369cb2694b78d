"""Which providers pass the provider gates of a commissioner's call-off (docs/design.md §4): admitted
to the lot in the area, not blocked by this commissioner, CQC rating not inadequate, no
enforcement action pending and, for an enablement request, not barred from enablement requests.
Publication invites the eligible; closing and award re-check. A call-off sourced `wider`
(docs/design.md 3.5) asks only for admission to the lot, in any area; every other gate holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from marketplace.accounts.queries import organisation_kinds, standing_of
from marketplace.admissions.enablement_bars import open_bars
from marketplace.admissions.rules import GateFailure, gate_failures
from marketplace.admissions.tables import AdmissionArea, Block
from marketplace.reference.queries import area_codes, lot_code


async def _admitted_areas(
    lot_id: UUID, area_ids: Sequence[UUID], provider_id: UUID | None = None, wider: bool = False
) -> dict[UUID, set[UUID]]:
    """Each provider admitted to the lot with the call-off's areas it counts as admitted for:
    those it is admitted in or, for a wider call-off, all of them once it is admitted anywhere."""
    query = AdmissionArea.select(
        AdmissionArea.admission.provider.as_alias("provider"), AdmissionArea.area
    ).where(
        (AdmissionArea.admission.lot == lot_id) & (AdmissionArea.admission.status == "approved")
    )
    if not wider:
        query = query.where(AdmissionArea.area.is_in(list(area_ids)))
    if provider_id is not None:
        query = query.where(AdmissionArea.admission.provider == provider_id)
    admitted: dict[UUID, set[UUID]] = defaultdict(set)
    for row in await query:
        if wider:
            admitted[row["provider"]].update(area_ids)
        else:
            admitted[row["provider"]].add(row["area"])
    return admitted


async def _open_blocks(commissioner_id: UUID, provider_ids: list[UUID]) -> dict[UUID, str]:
    rows = await Block.select(Block.provider, Block.reason).where(
        (Block.commissioner == commissioner_id)
        & Block.provider.is_in(provider_ids)
        & Block.unblocked_at.is_null()
    )
    return {row["provider"]: row["reason"] for row in rows}


async def _guests(providers: list[UUID]) -> set[UUID]:
    """Those of these organisations that are guest suppliers."""
    return {org for org, kind in (await organisation_kinds(providers)).items() if kind == "guest"}


async def _barred(commissioner_id: UUID, kind: str, providers: list[UUID]) -> dict[UUID, Any]:
    """The open enablement bars of these providers, which only an enablement request checks."""
    if kind != "enablement":
        return {}
    return await open_bars(commissioner_id, providers)


async def eligible_providers(
    commissioner_id: UUID,
    lot_id: UUID,
    area_ids: Sequence[UUID],
    kind: str,
    *,
    wider: bool = False,
) -> dict[UUID, set[UUID]]:
    """Each provider admitted to the lot in at least one of the areas (wider: in any area) that
    passes every other gate of a call-off of this kind, with the set of those areas it counts as
    admitted for (wider: all of them)."""
    if not area_ids:
        return {}
    admitted = await _admitted_areas(lot_id, area_ids, wider=wider)
    if not admitted:
        return {}
    providers = list(admitted)
    blocked = await _open_blocks(commissioner_id, providers)
    barred = await _barred(commissioner_id, kind, providers)
    standing = await standing_of(providers)
    return {
        provider: admitted[provider]
        for provider, (cqc_rating, enforcement_pending) in standing.items()
        if not enforcement_pending
        and cqc_rating != "inadequate"
        and provider not in blocked
        and provider not in barred
    }


async def guests_clear_of_gates(
    commissioner_id: UUID, kind: str, guest_ids: Sequence[UUID]
) -> list[UUID]:
    """Those of these guest suppliers that pass every provider gate but admission (not blocked
    by this commissioner, CQC rating not inadequate, no enforcement pending, for an enablement
    request not barred): a wider call-off invites them (docs/design.md 3.5)."""
    if not guest_ids:
        return []
    guests = list(guest_ids)
    blocked = await _open_blocks(commissioner_id, guests)
    barred = await _barred(commissioner_id, kind, guests)
    standing = await standing_of(guests)
    return [
        guest
        for guest in guests
        if guest in standing
        and not standing[guest].enforcement_pending
        and standing[guest].cqc_rating != "inadequate"
        and guest not in blocked
        and guest not in barred
    ]


async def provider_gate_failures(
    commissioner_id: UUID,
    lot_id: UUID,
    area_ids: Sequence[UUID],
    provider_id: UUID,
    kind: str,
    *,
    wider: bool = False,
) -> list[GateFailure]:
    """Each provider gate (coded) this provider fails for a call-off of this kind of this
    commissioner in the lot and areas (one per area it is not admitted for; for a wider call-off,
    every area when it is admitted to the lot in none); empty when it passes them all."""
    failures = await providers_gate_failures(
        commissioner_id, lot_id, {provider_id: area_ids}, kind, wider=wider
    )
    return failures[provider_id]


async def providers_gate_failures(
    commissioner_id: UUID,
    lot_id: UUID,
    areas_of: Mapping[UUID, Sequence[UUID]],
    kind: str,
    *,
    wider: bool = False,
) -> dict[UUID, list[GateFailure]]:
    """`provider_gate_failures` of each of these providers, each in its own areas, in a constant
    number of queries (the close re-checks every bidder at once)."""
    if not areas_of:
        return {}
    providers = list(areas_of)
    every_area = sorted({area for areas in areas_of.values() for area in areas}, key=str)
    standing = await standing_of(providers)
    lot = await lot_code(lot_id)
    codes = await area_codes(every_area)
    admitted = await _admitted_areas(lot_id, every_area, wider=wider)
    guests = await _guests(providers) if wider else set()
    blocked = await _open_blocks(commissioner_id, providers)
    barred = await _barred(commissioner_id, kind, providers)
    failures = {}
    for provider_id, area_ids in areas_of.items():
        if provider_id in guests:
            # A guest supplier is never admitted; a wider call-off it was invited to is its own
            # admission (docs/design.md 3.5). Every other gate holds.
            counted: set[UUID] = set(area_ids)
        elif wider:
            counted = set(area_ids) if provider_id in admitted else set()
        else:
            counted = admitted.get(provider_id, set())
        provider = standing.get(provider_id)
        bar = barred.get(provider_id)
        failures[provider_id] = gate_failures(
            lot or str(lot_id),
            [codes[area] for area in area_ids if area in codes and area not in counted],
            blocked.get(provider_id),
            provider.cqc_rating if provider else None,
            provider.enforcement_pending if provider else False,
            (bar["failures"], bar["months"]) if bar else None,
        )
    return failures


async def admitted_to_lot(lot_id: UUID, provider_ids: Sequence[UUID]) -> set[UUID]:
    """Which of these providers are admitted to the lot in some area (a wider call-off's chosen
    invitees must be)."""
    if not provider_ids:
        return set()
    rows = await AdmissionArea.select(AdmissionArea.admission.provider.as_alias("provider")).where(
        (AdmissionArea.admission.lot == lot_id)
        & (AdmissionArea.admission.status == "approved")
        & AdmissionArea.admission.provider.is_in(list(provider_ids))
    )
    return {row["provider"] for row in rows}
