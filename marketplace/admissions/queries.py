"""What other domains may read of admissions: these functions, never the tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from marketplace.admissions.tables import Admission


async def admitted_providers(
    commissioner_id: UUID,
    lot_id: UUID | None = None,
    provider_ids: Iterable[UUID] | None = None,
) -> dict[UUID, datetime | None]:
    """Every provider the commissioner has admitted (to the lot, when given; among these
    providers, when given), with the earliest time it was admitted (None when not recorded)."""
    query = Admission.select(Admission.provider, Admission.decided_at).where(
        (Admission.commissioner == commissioner_id) & (Admission.status == "approved")
    )
    if lot_id is not None:
        query = query.where(Admission.lot == lot_id)
    if provider_ids is not None:
        query = query.where(Admission.provider.is_in(list(provider_ids) or [UUID(int=0)]))
    earliest: dict[UUID, datetime | None] = {}
    for row in await query:
        provider, when = row["provider"], row["decided_at"]
        known = earliest.get(provider)
        if provider not in earliest or (when is not None and (known is None or when < known)):
            earliest[provider] = when
    return earliest


async def tender_scores(commissioner_id: UUID, provider_ids: Iterable[UUID]) -> dict[UUID, int]:
    """Each provider's tender evaluation score recorded by the commissioner when admitting it:
    the latest approval that has one (providers without one are left out)."""
    providers = list(provider_ids)
    if not providers:
        return {}
    rows = (
        await Admission.select(Admission.provider, Admission.tender_score)
        .where(
            (Admission.commissioner == commissioner_id)
            & (Admission.status == "approved")
            & Admission.provider.is_in(providers)
            & Admission.tender_score.is_not_null()
        )
        .order_by(Admission.decided_at)
    )
    return {row["provider"]: row["tender_score"] for row in rows}


async def applications_waiting(limit: int = 10) -> tuple[int, list[Any]]:
    """How many applications wait for their commissioner's decision, and the oldest `limit` of
    them (id, provider, lot, commissioner, applied at): the admin's home page. Two queries."""
    waiting = Admission.status == "applied"
    count = await Admission.count().where(waiting)
    rows = (
        await Admission.select(
            Admission.id,
            Admission.provider.name.as_alias("provider_name"),
            Admission.lot.code.as_alias("lot_code"),
            Admission.commissioner.name.as_alias("commissioner_name"),
            Admission.applied_at,
        )
        .where(waiting)
        .order_by(Admission.applied_at)
        .limit(limit)
    )
    return count, list(rows)


async def lots_admitted_to() -> dict[UUID, list[str]]:
    """Every provider admitted to a lot by any commissioner, with the codes of those lots (a
    wider call-off may invite any of them to its lot, docs/design.md 3.5)."""
    rows = await Admission.select(
        Admission.provider, Admission.lot._.code.as_alias("lot_code")
    ).where(Admission.status == "approved")
    lots: dict[UUID, set[str]] = {}
    for row in rows:
        lots.setdefault(row["provider"], set()).add(row["lot_code"])
    return {provider: sorted(codes) for provider, codes in lots.items()}
