"""A provider's CQC rating: changed only by the regulator's export or by a platform admin with a
reason, each change kept in the rating history and audited.

The rating is a platform-wide gate (an inadequate provider is excluded from every commissioner's
call-offs), so no commissioner may set it: what they observe goes into their own quality records.
When a rating falls to inadequate, the reaction (re-checking the provider's call-offs and awards,
telling their commissioners) belongs to the domains above; the composition root hands it in at
start-up (`react_to_inadequate_with`, marketplace/wiring.py) and it runs in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from marketplace.accounts import schemas
from marketplace.accounts.cqc_file import OddRow, RegulatorRating
from marketplace.accounts.tables import CqcRatingChange, Organisation
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, RuleBroken
from marketplace.principal import Principal


@dataclass(frozen=True)
class FallToInadequate:
    provider_id: UUID
    provider_name: str
    previous_rating: str | None
    rated_on: date | None
    source: str


Reaction = Callable[[FallToInadequate], Awaitable[None]]
_reaction: Reaction | None = None


def react_to_inadequate_with(reaction: Reaction) -> None:
    global _reaction
    _reaction = reaction


async def _change(
    actor: Principal | None,
    row: dict[str, Any],
    rating: str,
    rated_on: date | None,
    source: str,
) -> None:
    """Record one provider's new rating (in the caller's transaction): the organisation, the
    history, the audit log and, for a fall to inadequate, the reaction above."""
    await Organisation.update({Organisation.cqc_rating: rating}).where(Organisation.id == row["id"])
    await CqcRatingChange(
        provider=row["id"],
        previous_rating=row["cqc_rating"],
        rating=rating,
        rated_on=rated_on,
        source=source,
        recorded_by=actor.user_id if actor else None,
    ).save()
    await record(
        actor,
        "change_cqc_rating",
        "organisation",
        row["id"],
        organisation_id=row["id"],
        details={
            "old": row["cqc_rating"],
            "new": rating,
            "rated_on": rated_on.isoformat() if rated_on else None,
            "source": source,
        },
    )
    if rating == "inadequate" and row["cqc_rating"] != "inadequate":
        if _reaction is None:
            raise RuntimeError("No reaction to a fall to inadequate: call wire() at start-up")
        fall = FallToInadequate(row["id"], row["name"], row["cqc_rating"], rated_on, source)
        await _reaction(fall)


async def _latest_rated_on(provider_id: UUID) -> date | None:
    row = (
        await CqcRatingChange.select(CqcRatingChange.rated_on)
        .where((CqcRatingChange.provider == provider_id) & CqcRatingChange.rated_on.is_not_null())
        .order_by(CqcRatingChange.rated_on, ascending=False)
        .first()
    )
    return row["rated_on"] if row else None


@dataclass
class CqcImportSummary:
    """What an import of the regulator's export changed, and what it could not use."""

    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    not_on_platform: int = 0
    older: int = 0  # published before the rating the platform already holds
    fell_to_inadequate: list[str] = field(default_factory=list)
    odd_rows: list[OddRow] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"{self.changed} rating{'' if self.changed == 1 else 's'} changed "
            f"({self.unchanged} unchanged, {self.not_on_platform} locations not on the platform"
        )
        text += f", {self.older} older than the rating held)." if self.older else ")."
        if self.fell_to_inadequate:
            text += " Fell to inadequate: " + ", ".join(self.fell_to_inadequate) + "."
        if self.odd_rows:
            text += f" {len(self.odd_rows)} odd row{'' if len(self.odd_rows) == 1 else 's'}:"
            text += "".join(f"\n  line {odd.line}: {odd.why}" for odd in self.odd_rows)
        return text


async def import_regulator_ratings(
    ratings: list[RegulatorRating],
    source: str,
    odd_rows: list[OddRow] | None = None,
    advance: Callable[[int], None] | None = None,
) -> CqcImportSummary:
    """Apply the regulator's latest ratings to the providers with those location ids, each
    change in its own transaction (so an interrupted import finishes when run again, and a second
    run changes nothing); a rating published before the one held is left alone."""
    summary = CqcImportSummary(rows=len(ratings), odd_rows=list(odd_rows or []))
    providers: dict[str, list[UUID]] = {}
    for row in await Organisation.select(Organisation.id, Organisation.cqc_location_id).where(
        (Organisation.kind == "provider") & Organisation.cqc_location_id.is_not_null()
    ):
        providers.setdefault(row["cqc_location_id"], []).append(row["id"])
    for rating in ratings:
        ids = providers.get(rating.location_id, [])
        if not ids:
            summary.not_on_platform += 1
        for provider_id in ids:
            outcome, name = await _import_one(provider_id, rating, source)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            if outcome == "changed" and rating.rating == "inadequate":
                summary.fell_to_inadequate.append(f"{name} ({rating.location_id})")
        if advance is not None:
            advance(1)
    return summary


async def _import_one(provider_id: UUID, rating: RegulatorRating, source: str) -> tuple[str, str]:
    async with write_transaction():
        row = await for_update(
            Organisation.select(Organisation.id, Organisation.name, Organisation.cqc_rating).where(
                Organisation.id == provider_id
            )
        ).first()
        assert row is not None
        if row["cqc_rating"] == rating.rating:
            return "unchanged", row["name"]
        held_since = await _latest_rated_on(provider_id)
        if rating.published_on and held_since and rating.published_on < held_since:
            return "older", row["name"]
        await _change(None, row, rating.rating, rating.published_on, source)
    return "changed", row["name"]


async def set_rating(
    actor: Principal, provider_id: UUID, body: schemas.CqcRatingSet
) -> schemas.Organisation:
    """A platform admin sets a provider's rating, giving the reason (a correction, the
    regulator's report read before its export is): the only change besides the import."""
    if not actor.is_admin:
        raise NotAllowed(
            "Only a platform admin sets a CQC rating (besides the regulator's import); "
            "record what you observe as a quality record"
        )
    reason = body.reason.strip()
    if not reason:
        raise BadInput("Give the reason for the rating", [FieldError("reason", "is blank")])
    async with write_transaction():
        row = await for_update(
            Organisation.select(
                Organisation.id, Organisation.name, Organisation.kind, Organisation.cqc_rating
            ).where(Organisation.id == provider_id)
        ).first()
        if row is None:
            raise NotFound("No such organisation")
        if row["kind"] != "provider":
            raise RuleBroken(
                "Only providers have a CQC rating",
                [FieldError("rating", "Only providers have a CQC rating", "not_a_provider")],
            )
        if row["cqc_rating"] != body.rating:
            await _change(actor, row, body.rating, body.rated_on, f"admin: {reason}")
    return await _organisation(provider_id)


async def _organisation(provider_id: UUID) -> schemas.Organisation:
    row = await Organisation.select().where(Organisation.id == provider_id).first()
    assert row is not None
    return schemas.Organisation(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        cqc_location_id=row["cqc_location_id"],
        cqc_rating=row["cqc_rating"],
        enforcement_pending=bool(row["enforcement_pending"]),
        created_at=row["created_at"],
    )


async def rating_history(actor: Principal, provider_id: UUID) -> list[schemas.CqcRatingEntry]:
    """A provider's rating changes, newest first: for admins, commissioner staff and the
    provider itself."""
    kind = (
        await Organisation.select(Organisation.kind).where(Organisation.id == provider_id).first()
    )
    visible = actor.is_admin or actor.is_commissioner or actor.organisation_id == provider_id
    if kind is None or kind["kind"] != "provider" or not visible:
        raise NotFound("No such provider")
    rows = (
        await CqcRatingChange.select()
        .where(CqcRatingChange.provider == provider_id)
        .order_by(CqcRatingChange.recorded_at, ascending=False)
    )
    return [
        schemas.CqcRatingEntry(
            rating=row["rating"],
            previous_rating=row["previous_rating"],
            rated_on=row["rated_on"],
            source=row["source"],
            recorded_at=row["recorded_at"],
        )
        for row in rows
    ]


async def providers_with_ratings() -> list[dict[str, Any]]:
    """Every provider with its CQC location id and rating, by name (the admin's list)."""
    return list(
        await Organisation.select(
            Organisation.id,
            Organisation.name,
            Organisation.cqc_location_id,
            Organisation.cqc_rating,
        )
        .where(Organisation.kind == "provider")
        .order_by(Organisation.name)
    )


async def provider_rating(provider_id: UUID) -> schemas.Organisation:
    """A provider as the admin's rating page shows it."""
    return await _organisation(provider_id)
