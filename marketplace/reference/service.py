"""Use cases of tendering's reference data: lots, areas and commissioners' pricing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.accounts.service import get_organisation
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.pagination import keyset_page
from marketplace.principal import Principal
from marketplace.reference import schemas
from marketplace.reference.postcodes.rules import RURALITY_CATEGORIES
from marketplace.reference.tables import Area, Lot, Postcode, Pricing
from marketplace.units import two_places

DEFAULT_WEIGHT = Decimal("1.00")
MIN_WEIGHT, MAX_WEIGHT = Decimal("0.50"), Decimal("3.00")
MAX_AREA_WEEKLY_HOURS = Decimal("1000000")
LEVEL_AND_NIGHT_RATES = (
    "max_complex_hourly_rate_pence",
    "max_highly_complex_hourly_rate_pence",
    "max_sleep_in_night_pence",
    "max_waking_night_hourly_rate_pence",
)


def _lot(row: dict[str, Any]) -> schemas.Lot:
    return schemas.Lot(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        one_provider_per_area=bool(row.get("one_provider_per_area")),
    )


async def create_lot(actor: Principal, body: schemas.LotCreate) -> schemas.Lot:
    """A platform admin adds a lot of the Dynamic Purchasing System."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin can create lots")
    async with write_transaction():
        if await Lot.exists().where(Lot.code == body.code):
            raise WrongState(
                f"A lot with the code {body.code} already exists",
                [FieldError("code", "is already in use")],
            )
        lot = Lot(code=body.code, name=body.name.strip())
        await lot.save()
        await record(
            actor, "create_lot", "lot", lot.id, details={"code": lot.code, "name": lot.name}
        )
    return schemas.Lot(id=lot.id, code=lot.code, name=lot.name)


async def list_lots(limit: int, cursor: str | None) -> schemas.LotPage:
    rows, next_cursor = await keyset_page(Lot.select(), Lot.code, limit, cursor)
    return schemas.LotPage(items=[_lot(row) for row in rows], next_cursor=next_cursor)


async def lot_by_code(code: str) -> dict[str, Any]:
    row = await Lot.select().where(Lot.code == code).first()
    if row is None:
        raise NotFound(f"There is no lot with the code {code}")
    return row


def _area(row: dict[str, Any]) -> schemas.Area:
    return schemas.Area(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        commissioner_id=row["commissioner"],
        weekly_hours=row["weekly_hours"],
    )


async def create_area(actor: Principal, body: schemas.AreaCreate) -> schemas.Area:
    """An admin, or a commissioner for itself, adds a locality or cluster group."""
    weekly_hours = (
        None
        if body.weekly_hours is None
        else two_places(body.weekly_hours, "weekly_hours", Decimal(0), MAX_AREA_WEEKLY_HOURS)
    )
    if not (
        actor.is_admin or (actor.is_commissioner and actor.organisation_id == body.commissioner_id)
    ):
        raise NotAllowed("Commissioners create areas for their own organisation only")
    try:
        commissioner = await get_organisation(actor, body.commissioner_id)
    except NotFound as exc:
        raise RuleBroken(
            "No such commissioner", [FieldError("commissioner_id", "is not a commissioner")]
        ) from exc
    if commissioner.kind != "commissioner":
        raise RuleBroken(
            "Areas belong to a commissioner",
            [FieldError("commissioner_id", "is not a commissioner")],
        )
    async with write_transaction():
        if await Area.exists().where(Area.code == body.code):
            raise WrongState(
                f"An area with the code {body.code} already exists",
                [FieldError("code", "is already in use")],
            )
        area = Area(
            code=body.code,
            name=body.name.strip(),
            commissioner=body.commissioner_id,
            weekly_hours=weekly_hours,
        )
        await area.save()
        await record(
            actor,
            "create_area",
            "area",
            area.id,
            organisation_id=body.commissioner_id,
            details={"code": area.code, "name": area.name, "weekly_hours": weekly_hours},
        )
    row = await Area.select().where(Area.id == area.id).first()
    assert row is not None
    return _area(row)


async def list_areas(
    limit: int, cursor: str | None, commissioner_id: UUID | None = None
) -> schemas.AreaPage:
    query = Area.select()
    if commissioner_id is not None:
        query = query.where(Area.commissioner == commissioner_id)
    rows, next_cursor = await keyset_page(query, Area.code, limit, cursor)
    return schemas.AreaPage(items=[_area(row) for row in rows], next_cursor=next_cursor)


def _pricing(row: dict[str, Any], lot_code: str) -> schemas.Pricing:
    return schemas.Pricing(
        lot_code=lot_code,
        commissioner_id=row["commissioner"],
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        envelope_base_rate_pence=row["envelope_base_rate_pence"],
        rurality_weights={
            category: Decimal(row[f"weight_{category}"]).quantize(Decimal("0.01"))
            for category in RURALITY_CATEGORIES
        },
        updated_at=row["updated_at"],
        **{name: row.get(name) for name in LEVEL_AND_NIGHT_RATES},
    )


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotAllowed("Only commissioners have pricing"))


def check_pricing(body: schemas.PricingPut) -> dict[str, Decimal]:
    """The pricing's rules: the envelope base rate is not above the maximum rate, and each
    rurality weight (1.00 when not given) has two places within 0.50 to 3.00; returns the weight
    of every category."""
    if body.envelope_base_rate_pence > body.max_hourly_rate_pence:
        raise RuleBroken(
            "The envelope base rate cannot be above the maximum hourly rate",
            [
                FieldError(
                    "envelope_base_rate_pence",
                    "The envelope base rate cannot be above the maximum hourly rate",
                    "above_max_rate",
                )
            ],
        )
    floor, floor_name = body.max_hourly_rate_pence, "the maximum hourly rate"
    for name in ("max_complex_hourly_rate_pence", "max_highly_complex_hourly_rate_pence"):
        rate = getattr(body, name)
        if rate is None:
            continue
        if rate < floor:
            raise RuleBroken(
                "A higher service level's maximum rate cannot be below a lower level's",
                [FieldError(name, f"cannot be below {floor_name}")],
            )
        floor, floor_name = rate, "the maximum for complex care"
    given: dict[str, Decimal | str] = {str(k): v for k, v in body.rurality_weights.items()}
    return {
        category: two_places(
            given.get(category, DEFAULT_WEIGHT),
            f"rurality_weights.{category}",
            MIN_WEIGHT,
            MAX_WEIGHT,
        )
        for category in RURALITY_CATEGORIES
    }


def pricing_row(commissioner_id: UUID, lot_id: UUID, body: schemas.PricingPut) -> Pricing:
    """A Pricing row for a commissioner and lot, once the body passes check_pricing."""
    row = Pricing(
        commissioner=commissioner_id,
        lot=lot_id,
        max_hourly_rate_pence=body.max_hourly_rate_pence,
        envelope_base_rate_pence=body.envelope_base_rate_pence,
        updated_at=datetime.now(UTC),
        **{name: getattr(body, name) for name in LEVEL_AND_NIGHT_RATES},
    )
    for category, weight in check_pricing(body).items():
        setattr(row, f"weight_{category}", weight)
    return row


async def put_pricing(
    actor: Principal, lot_code: str, body: schemas.PricingPut
) -> tuple[schemas.Pricing, bool]:
    """A commissioner sets its pricing for a lot; returns it and whether it was new."""
    commissioner_id = _commissioner_of(actor)
    lot = await lot_by_code(lot_code)
    row = pricing_row(commissioner_id, lot["id"], body)
    async with write_transaction():
        match = (Pricing.commissioner == commissioner_id) & (Pricing.lot == lot["id"])
        old = await for_update(Pricing.select().where(match)).first()
        created = old is None
        if created:
            await Pricing.insert(row)
        else:
            changed = {
                column: getattr(row, column._meta.name)
                for column in Pricing._meta.columns
                if column._meta.name not in ("id", "commissioner", "lot")
            }
            await Pricing.update(changed).where(match)  # type: ignore[arg-type]
        await record(
            actor,
            "put_pricing",
            "pricing",
            row.id if old is None else old["id"],
            organisation_id=commissioner_id,
            details={"lot_code": lot_code, "created": created, **_pricing_changes(old, row)},
        )
    return await get_pricing(actor, lot_code), created


def _pricing_changes(old: dict[str, Any] | None, new: Pricing) -> dict[str, Any]:
    """The priced fields of new pricing, with their old values where they changed."""
    fields = ["max_hourly_rate_pence", "envelope_base_rate_pence", *LEVEL_AND_NIGHT_RATES]
    fields += [f"weight_{category}" for category in RURALITY_CATEGORIES]
    changes: dict[str, Any] = {}
    for name in fields:
        value = getattr(new, name)
        if old is None:
            changes[name] = value
        elif _amount(old.get(name)) != _amount(value):
            changes[name] = {"old": old[name], "new": value}
    return changes


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


async def get_pricing(actor: Principal, lot_code: str) -> schemas.Pricing:
    commissioner_id = _commissioner_of(actor)
    lot = await lot_by_code(lot_code)
    row = (
        await Pricing.select()
        .where((Pricing.commissioner == commissioner_id) & (Pricing.lot == lot["id"]))
        .first()
    )
    if row is None:
        raise NotFound(f"You have no pricing for the lot {lot_code} yet")
    return _pricing(row, lot_code)


async def list_pricing(actor: Principal) -> list[schemas.Pricing]:
    commissioner_id = _commissioner_of(actor)
    rows = (
        await Pricing.select(*Pricing.all_columns(), Pricing.lot.code.as_alias("lot_code"))
        .where(Pricing.commissioner == commissioner_id)
        .order_by(Pricing.lot.code)
    )
    return [_pricing(row, row["lot_code"]) for row in rows]


async def reference_counts(commissioner_id: UUID | None = None) -> dict[str, int]:
    """How much reference data there is (for the home pages)."""
    areas = Area.count()
    pricing = Pricing.count()
    if commissioner_id is not None:
        areas = areas.where(Area.commissioner == commissioner_id)
        pricing = pricing.where(Pricing.commissioner == commissioner_id)
    return {
        "lots": await Lot.count(),
        "areas": await areas,
        "priced_lots": await pricing,
        "postcodes": await Postcode.count(),
    }
