"""What other domains may read of organisations and users: these functions, never the tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

from marketplace.accounts.tables import Organisation
from marketplace.db import for_update


class Standing(NamedTuple):
    """What the regulator and enforcement say of a provider (the provider gates read these)."""

    cqc_rating: str | None
    enforcement_pending: bool


async def standing_of(provider_ids: Iterable[UUID]) -> dict[UUID, Standing]:
    """Each known organisation's CQC rating and whether enforcement action is pending."""
    ids = list(provider_ids)
    if not ids:
        return {}
    rows = await Organisation.select(
        Organisation.id, Organisation.cqc_rating, Organisation.enforcement_pending
    ).where(Organisation.id.is_in(ids))
    return {
        row["id"]: Standing(row["cqc_rating"], bool(row["enforcement_pending"])) for row in rows
    }


async def organisation_names(organisation_ids: Iterable[UUID]) -> dict[UUID, str]:
    ids = list(organisation_ids)
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(ids)
    )
    return {row["id"]: row["name"] for row in rows}


async def organisation_kind(organisation_id: UUID, *, lock: bool = False) -> str | None:
    """An organisation's kind (commissioner | provider), or None when there is no such one.
    With `lock`, its row stays locked until the caller's transaction ends (so that one
    organisation's requests of one kind follow each other)."""
    query = Organisation.select(Organisation.kind).where(Organisation.id == organisation_id)
    row = await (for_update(query) if lock else query).first()
    return None if row is None else str(row["kind"])


async def organisation_kinds(organisation_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Each known organisation's kind."""
    ids = list(organisation_ids)
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.kind).where(
        Organisation.id.is_in(ids)
    )
    return {row["id"]: str(row["kind"]) for row in rows}


async def organisations_of_kind(kind: str) -> list[tuple[UUID, str]]:
    """Every organisation of this kind (commissioner | provider) as (id, name), by name."""
    rows = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.kind == kind)
        .order_by(Organisation.name)
    )
    return [(row["id"], row["name"]) for row in rows]
