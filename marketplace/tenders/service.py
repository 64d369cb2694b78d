"""Use cases of tendering's reference data: lots, areas, pricing and the postcode directory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.accounts.principal import Principal
from marketplace.accounts.service import get_organisation
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.pagination import keyset_page
from marketplace.tenders import schemas
from marketplace.tenders.postcodes import RURALITY_CATEGORIES, NotAPostcode, PostcodeEntry, normalise_postcode
from marketplace.units import two_places
from marketplace.tenders.tables import Area, Lot, Package, Postcode, Pricing

DEFAULT_WEIGHT = Decimal("1.00")
MIN_WEIGHT, MAX_WEIGHT = Decimal("0.50"), Decimal("3.00")
MAX_AREA_WEEKLY_HOURS = Decimal("1000000")


def _lot(row: dict[str, Any]) -> schemas.Lot:
    return schemas.Lot(id=row["id"], code=row["code"], name=row["name"])


async def create_lot(actor: Principal, body: schemas.LotCreate) -> schemas.Lot:
    """A platform admin adds a lot of the Dynamic Purchasing System."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin can create lots")
    async with write_transaction():
        if await Lot.exists().where(Lot.code == body.code):
            raise WrongState(f"A lot with the code {body.code} already exists", [FieldError("code", "is already in use")])
        lot = Lot(code=body.code, name=body.name.strip())
        await lot.save()
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
    weekly_hours = body.weekly_hours
    if weekly_hours is not None:
        weekly_hours = two_places(weekly_hours, "weekly_hours", Decimal(0), MAX_AREA_WEEKLY_HOURS)
    if not (actor.is_admin or (actor.is_commissioner and actor.organisation_id == body.commissioner_id)):
        raise NotAllowed("Commissioners create areas for their own organisation only")
    try:
        commissioner = await get_organisation(actor, body.commissioner_id)
    except NotFound as exc:
        raise RuleBroken("No such commissioner", [FieldError("commissioner_id", "is not a commissioner")]) from exc
    if commissioner.kind != "commissioner":
        raise RuleBroken("Areas belong to a commissioner", [FieldError("commissioner_id", "is not a commissioner")])
    async with write_transaction():
        if await Area.exists().where(Area.code == body.code):
            raise WrongState(f"An area with the code {body.code} already exists", [FieldError("code", "is already in use")])
        area = Area(code=body.code, name=body.name.strip(), commissioner=body.commissioner_id, weekly_hours=weekly_hours)
        await area.save()
    row = await Area.select().where(Area.id == area.id).first()
    assert row is not None
    return _area(row)


async def list_areas(limit: int, cursor: str | None, commissioner_id: UUID | None = None) -> schemas.AreaPage:
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
        rurality_weights={category: Decimal(row[f"weight_{category}"]).quantize(Decimal("0.01")) for category in RURALITY_CATEGORIES},
        updated_at=row["updated_at"],
    )


def _commissioner_of(actor: Principal) -> UUID:
    if not actor.is_commissioner or actor.organisation_id is None:
        raise NotAllowed("Only commissioners have pricing")
    return actor.organisation_id


async def put_pricing(actor: Principal, lot_code: str, body: schemas.PricingPut) -> tuple[schemas.Pricing, bool]:
    """A commissioner sets its pricing for a lot; returns it and whether it was new."""
    commissioner_id = _commissioner_of(actor)
    if body.envelope_base_rate_pence > body.max_hourly_rate_pence:
        raise RuleBroken(
            "The envelope base rate cannot be above the maximum hourly rate",
            [FieldError("envelope_base_rate_pence", "is above max_hourly_rate_pence")],
        )
    lot = await lot_by_code(lot_code)
    values = {
        Pricing.max_hourly_rate_pence: body.max_hourly_rate_pence,
        Pricing.envelope_base_rate_pence: body.envelope_base_rate_pence,
        Pricing.updated_at: datetime.now(UTC),
    }
    for category in RURALITY_CATEGORIES:
        weight = body.rurality_weights.get(category, DEFAULT_WEIGHT)  # type: ignore[call-overload]
        field = f"rurality_weights.{category}"
        values[getattr(Pricing, f"weight_{category}")] = two_places(weight, field, MIN_WEIGHT, MAX_WEIGHT)
    async with write_transaction():
        match = (Pricing.commissioner == commissioner_id) & (Pricing.lot == lot["id"])
        created = not await Pricing.exists().where(match)
        if created:
            await Pricing.insert(Pricing(commissioner=commissioner_id, lot=lot["id"], **{col._meta.name: v for col, v in values.items()}))
        else:
            await Pricing.update(values).where(match)
    return await get_pricing(actor, lot_code), created


async def get_pricing(actor: Principal, lot_code: str) -> schemas.Pricing:
    commissioner_id = _commissioner_of(actor)
    lot = await lot_by_code(lot_code)
    row = await Pricing.select().where((Pricing.commissioner == commissioner_id) & (Pricing.lot == lot["id"])).first()
    if row is None:
        raise NotFound(f"You have no pricing for the lot {lot_code} yet")
    return _pricing(row, lot_code)


async def list_pricing(actor: Principal) -> list[schemas.Pricing]:
    commissioner_id = _commissioner_of(actor)
    rows = await Pricing.select(Pricing.all_columns(), Pricing.lot.code.as_alias("lot_code")).where(
        Pricing.commissioner == commissioner_id
    ).order_by(Pricing.lot.code)
    return [_pricing(row, row["lot_code"]) for row in rows]


def postcode_or_400(text: str) -> str:
    try:
        return normalise_postcode(text)
    except NotAPostcode as exc:
        raise BadInput(str(exc), [FieldError("postcode", "is not a UK postcode")]) from exc


async def put_postcode(actor: Principal, text: str, body: schemas.PostcodePut) -> tuple[schemas.Postcode, bool]:
    """An admin records one postcode's rurality and coordinates; returns it and whether it was new."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin can change the postcode directory")
    postcode = postcode_or_400(text)
    async with write_transaction():
        created = not await Postcode.exists().where(Postcode.postcode == postcode)
        await save_postcodes([PostcodeEntry(postcode, body.rurality, body.latitude, body.longitude)])
    return schemas.Postcode(postcode=postcode, rurality=body.rurality, latitude=body.latitude, longitude=body.longitude), created


async def get_postcode(text: str) -> schemas.Postcode:
    postcode = postcode_or_400(text)
    row = await Postcode.select().where(Postcode.postcode == postcode).first()
    if row is None:
        raise NotFound(f"{postcode} is not in the postcode directory")
    return schemas.Postcode(
        postcode=row["postcode"], rurality=row["rurality"], latitude=row["latitude"], longitude=row["longitude"]
    )


async def save_postcodes(entries: Iterable[PostcodeEntry], source: str = "manual") -> int:
    """Insert or update directory entries in one statement, recording where they came from
    ("manual", "ons" or "demo"); returns how many were written. Postcodes must be distinct."""
    rows = [
        Postcode(
            postcode=e.postcode,
            rurality=e.rurality,
            latitude=e.latitude,
            longitude=e.longitude,
            source=source,
        )
        for e in entries
    ]
    if not rows:
        return 0
    async with write_transaction():
        await Postcode.insert(*rows).on_conflict(
            target=Postcode.postcode,
            action="DO UPDATE",
            values=[Postcode.rurality, Postcode.latitude, Postcode.longitude, Postcode.source],
        )
    return len(rows)


async def reference_counts(commissioner_id: UUID | None = None) -> dict[str, int]:
    """Counts for the home pages."""
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


# Seeding by the system (the demo loader): trusted callers with no signed-in actor. Each function
# creates only what is missing, so that seeding twice creates nothing the second time.


async def ensure_lots(bodies: Iterable[schemas.LotCreate]) -> tuple[dict[str, UUID], int]:
    """As the system: create each lot whose code is new; returns every lot's id by code and how
    many were created."""
    wanted = list(bodies)
    if not wanted:
        return {}, 0
    async with write_transaction():
        rows = await Lot.select(Lot.id, Lot.code).where(Lot.code.is_in([b.code for b in wanted]))
        ids = {row["code"]: row["id"] for row in rows}
        new = [Lot(code=b.code, name=b.name.strip()) for b in wanted if b.code not in ids]
        if new:
            await Lot.insert(*new)
    return ids | {lot.code: lot.id for lot in new}, len(new)


async def ensure_areas(bodies: Iterable[schemas.AreaCreate]) -> tuple[dict[str, UUID], int]:
    """As the system: create each area whose code is new; returns every area's id by code and how
    many were created."""
    wanted = list(bodies)
    if not wanted:
        return {}, 0
    async with write_transaction():
        rows = await Area.select(Area.id, Area.code).where(Area.code.is_in([b.code for b in wanted]))
        ids = {row["code"]: row["id"] for row in rows}
        new = [
            Area(
                code=b.code,
                name=b.name.strip(),
                commissioner=b.commissioner_id,
                weekly_hours=None
                if b.weekly_hours is None
                else two_places(b.weekly_hours, "weekly_hours", Decimal(0), MAX_AREA_WEEKLY_HOURS),
            )
            for b in wanted
            if b.code not in ids
        ]
        if new:
            await Area.insert(*new)
    return ids | {area.code: area.id for area in new}, len(new)


async def ensure_pricing(commissioner_id: UUID, prices: Mapping[str, schemas.PricingPut]) -> int:
    """As the system: give a commissioner pricing for each lot code it has none for yet (existing
    pricing is left as the commissioner set it); returns how many were created."""
    if not prices:
        return 0
    async with write_transaction():
        lots = await Lot.select(Lot.id, Lot.code).where(Lot.code.is_in(list(prices)))
        lot_ids = {row["code"]: row["id"] for row in lots}
        priced = await Pricing.select(Pricing.lot).where(Pricing.commissioner == commissioner_id)
        already = {row["lot"] for row in priced}
        new = []
        for code, body in prices.items():
            if code not in lot_ids:
                raise NotFound(f"There is no lot with the code {code}")
            if lot_ids[code] in already:
                continue
            if body.envelope_base_rate_pence > body.max_hourly_rate_pence:
                raise RuleBroken(f"The envelope base rate for {code} is above its maximum hourly rate")
            weights = {
                f"weight_{c}": two_places(
                    body.rurality_weights.get(c, DEFAULT_WEIGHT),  # type: ignore[call-overload]
                    f"rurality_weights.{c}",
                    MIN_WEIGHT,
                    MAX_WEIGHT,
                )
                for c in RURALITY_CATEGORIES
            }
            new.append(
                Pricing(
                    commissioner=commissioner_id,
                    lot=lot_ids[code],
                    max_hourly_rate_pence=body.max_hourly_rate_pence,
                    envelope_base_rate_pence=body.envelope_base_rate_pence,
                    **weights,
                )
            )
        if new:
            await Pricing.insert(*new)
    return len(new)


async def rurality_of_postcodes(postcodes: Iterable[str]) -> dict[str, str]:
    """The rurality category of each of these (normalised) postcodes that the directory holds."""
    wanted = list(dict.fromkeys(postcodes))
    if not wanted:
        return {}
    rows = await Postcode.select(Postcode.postcode, Postcode.rurality).where(Postcode.postcode.is_in(wanted))
    return {row["postcode"]: row["rurality"] for row in rows}


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
        areas = await for_update(Area.select(Area.id, Area.code).where(Area.commissioner == commissioner_id))
        area_ids = {row["code"]: row["id"] for row in areas}
        rurality = await rurality_of_postcodes(seed.postcode for seed in wanted)
        held = await Package.select(Package.reference).where(Package.commissioner == commissioner_id)
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
                raise BadInput(f"{seed.reference}: an urgent package, and only one, has an urgency reason")
            new.append(
                Package(
                    commissioner=commissioner_id,
                    area=area_ids[seed.area_code],
                    reference=seed.reference,
                    postcode=seed.postcode,
                    rurality=rurality[seed.postcode],
                    weekly_hours=two_places(seed.weekly_hours, "weekly_hours", Decimal("0.25"), Decimal(168)),
                    service_level=seed.service_level,
                    urgency=seed.urgency,
                    urgency_reason=seed.urgency_reason,
                    start_by=seed.start_by,
                )
            )
            references.add(seed.reference)
        if new:
            await Package.insert(*new)
    return len(new)
