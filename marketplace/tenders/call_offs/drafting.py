"""Drafting call-offs: one of the three kinds, with every rule checked and named by its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from marketplace.accounts.guest_suppliers import guests_of
from marketplace.admissions.eligibility import admitted_to_lot
from marketplace.audit.service import record
from marketplace.config import get_settings
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, FieldError, RuleBroken, WrongState
from marketplace.principal import Principal
from marketplace.reference.postcodes.rules import RURALITY_CATEGORIES
from marketplace.reference.pricing_rules import LEVEL_NAMES, highest_level, level_maximum
from marketplace.reference.queries import area_codes, lot_id, own_area_ids, pricing_of
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.queries import call_off_row, commissioner_of, get_call_off
from marketplace.tenders.call_offs.status import HOLDING_PACKAGES, CallOffStatus
from marketplace.tenders.tables import CallOff, CallOffArea, CallOffPackage, Package
from marketplace.units import pounds, two_places

MAX_PILOT_AREA_HOURS = Decimal("200.00")


def check_deadline(deadline: datetime, field: str = "deadline") -> datetime:
    """A deadline is an instant with an offset, at least the configured minimum ahead."""
    if deadline.tzinfo is None:
        raise BadInput(
            "The deadline needs a UTC offset",
            [FieldError(field, "needs a UTC offset, e.g. +00:00")],
        )
    minimum = get_settings().min_deadline_seconds
    if deadline.astimezone(UTC) < datetime.now(UTC) + timedelta(seconds=minimum):
        raise RuleBroken(
            f"The deadline must be at least {minimum // 60} minutes from now",
            [FieldError(field, f"must be at least {minimum} seconds from now")],
        )
    return deadline.astimezone(UTC)


async def held_packages(package_ids: list[UUID], excluding: UUID | None = None) -> set[UUID]:
    """Those of these packages already held by another call-off (published, or later but not
    ended)."""
    if not package_ids:
        return set()
    query = CallOffPackage.select(CallOffPackage.package).where(
        CallOffPackage.package.is_in(package_ids)
        & CallOffPackage.call_off.status.is_in(sorted(HOLDING_PACKAGES))
    )
    if excluding is not None:
        query = query.where(CallOffPackage.call_off != excluding)
    return {row["package"] for row in await query}


class _Draft:
    """What validation gathers: the errors, and the rows to write."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.areas: list[tuple[UUID, str, Decimal | None]] = []
        self.packages: list[dict[str, Any]] = []

    def refuse(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))


async def _own_areas(
    commissioner_id: UUID, codes: list[str], draft: _Draft, field: str
) -> dict[str, UUID]:
    found = await own_area_ids(commissioner_id, codes)
    for index, code in enumerate(codes):
        if code not in found:
            draft.refuse(f"{field}[{index}]", f"{code} is not one of your areas")
    return found


async def _check_packages(
    commissioner_id: UUID, body: schemas.CallOffCreate, draft: _Draft
) -> None:
    ids = list(dict.fromkeys(body.package_ids))
    if len(ids) != len(body.package_ids):
        draft.refuse("package_ids", "names a package twice")
    rows = await Package.select().where(
        (Package.commissioner == commissioner_id) & Package.id.is_in(ids or [UUID(int=0)])
    )
    by_id = {row["id"]: row for row in rows}
    held = await held_packages(ids)
    for index, package_id in enumerate(ids):
        row = by_id.get(package_id)
        if row is None:
            draft.refuse(f"package_ids[{index}]", "is not a package on your waiting list")
        elif row["status"] != "waiting" or package_id in held:
            draft.refuse(
                f"package_ids[{index}]", f"{row['reference']} is already in a published call-off"
            )
        else:
            draft.packages.append(row)


async def _check_kind(commissioner_id: UUID, body: schemas.CallOffCreate, draft: _Draft) -> None:
    terms = {"enablement": body.enablement, "cluster": body.cluster, "pilot": body.pilot}
    for kind, given in terms.items():
        if kind == body.kind and given is None:
            draft.refuse(kind, f"is required for a {kind} call-off")
        elif kind != body.kind and given is not None:
            draft.refuse(kind, f"belongs to a {kind} call-off, not a {body.kind}")
    if body.kind == "pilot":
        if body.package_ids:
            draft.refuse("package_ids", "a pilot buys hours in areas, not packages")
        if body.pilot is not None:
            await _check_pilot(commissioner_id, body.pilot, draft)
        return
    await _check_packages(commissioner_id, body, draft)
    wanted = 1 if body.kind == "enablement" else 2
    if body.kind == "enablement" and len(body.package_ids) != 1:
        draft.refuse("package_ids", "an enablement request is for exactly one package")
    if body.kind == "cluster" and len(body.package_ids) < wanted:
        draft.refuse("package_ids", "a cluster bundles two or more packages")
    area_ids = {row["area"] for row in draft.packages}
    if len(area_ids) > 1:
        draft.refuse("package_ids", "the packages must all be in one area")
    if area_ids:
        area_id = next(iter(area_ids))
        code = (await area_codes([area_id]))[area_id]
        if body.area_codes and body.area_codes != [code]:
            draft.refuse("area_codes", f"must be [{code}], the packages' area")
        draft.areas = [(area_id, code, None)]
    if (
        body.kind == "cluster"
        and body.cluster is not None
        and body.cluster.latest_start < body.deadline.date()
    ):
        draft.refuse("cluster.latest_start", "must not be before the deadline")


async def _check_pilot(commissioner_id: UUID, pilot: schemas.PilotTerms, draft: _Draft) -> None:
    codes = [area.area_code for area in pilot.areas]
    if len(set(codes)) != len(codes):
        draft.refuse("pilot.areas", "must be distinct areas")
    found = await _own_areas(commissioner_id, codes, draft, "pilot.areas")
    for index, area in enumerate(pilot.areas):
        field = f"pilot.areas[{index}].weekly_hours"
        try:
            hours = two_places(area.weekly_hours, field, Decimal("0.25"), MAX_PILOT_AREA_HOURS)
        except BadInput as exc:
            draft.errors.extend(exc.errors)
            continue
        if area.area_code in found:
            draft.areas.append((found[area.area_code], area.area_code, hours))
    ids = [question.id for question in pilot.questions]
    if len(set(ids)) != len(ids):
        draft.refuse("pilot.questions", "question ids must be distinct")
    if pilot.quality_weight + pilot.price_weight != 100:
        draft.refuse("pilot.price_weight", "quality_weight and price_weight must add up to 100")
    if pilot.max_areas_per_provider > len(pilot.areas):
        draft.refuse("pilot.max_areas_per_provider", "cannot be more than the number of areas")


def _weights(pricing: dict[str, Any]) -> dict[str, Decimal]:
    return {
        category: Decimal(pricing[f"weight_{category}"]).quantize(Decimal("0.01"))
        for category in RURALITY_CATEGORIES
    }


async def _check_invitees(
    commissioner_id: UUID, lot: UUID | None, body: schemas.CallOffCreate, draft: _Draft
) -> list[UUID] | None:
    """A wider call-off's chosen invitees, each a provider admitted to the lot (any area) or a
    guest supplier this commissioner registered (docs/design.md 3.5); None: every admitted one."""
    if body.invitee_ids is None:
        return None
    chosen = list(dict.fromkeys(body.invitee_ids))
    if body.sourcing != "wider":
        draft.refuse("invitee_ids", "can be chosen only for wider sourcing")
        return None
    if not chosen:
        draft.refuse("invitee_ids", "choose at least one provider or guest supplier")
        return None
    known = await guests_of(commissioner_id, chosen)
    if lot is not None:
        known |= await admitted_to_lot(lot, chosen)
    unknown = [str(i) for i in chosen if i not in known]
    if unknown:
        draft.refuse(
            "invitee_ids",
            "each must be a provider admitted to the lot or one of your guest suppliers: "
            + ", ".join(unknown),
        )
    return chosen


async def _checked(
    commissioner_id: UUID, body: schemas.CallOffCreate
) -> tuple[_Draft, dict[Any, Any]]:
    """Every rule of a draft checked, each problem named by its field (RuleBroken), and the
    call-off's columns to write."""
    deadline = check_deadline(body.deadline)
    draft = _Draft()
    lot = await lot_id(body.lot_code)
    pricing = await pricing_of(commissioner_id, lot) if lot else None
    if lot is None:
        draft.refuse("lot_code", f"there is no lot {body.lot_code}")
    elif pricing is None:
        draft.refuse(
            "lot_code", f"set your pricing for {body.lot_code} before drafting call-offs in it"
        )
    await _check_kind(commissioner_id, body, draft)
    invitees = await _check_invitees(commissioner_id, lot, body, draft)
    if pricing is not None:
        # The ceiling is the maximum of the highest service level among the packages.
        level = highest_level(row["service_level"] for row in draft.packages)
        ceiling = level_maximum(pricing, level)
        max_rate = body.max_hourly_rate_pence or ceiling
        base_rate = body.envelope_base_rate_pence or pricing["envelope_base_rate_pence"]
        if max_rate > ceiling:
            draft.refuse(
                "max_hourly_rate_pence",
                f"cannot be above your lot's maximum of {pounds(ceiling)} an hour"
                + ("" if level == "standard" else f" for {LEVEL_NAMES[level]} care"),
            )
        if base_rate > max_rate:
            draft.refuse("envelope_base_rate_pence", "cannot be above the maximum hourly rate")
    if draft.errors:
        raise RuleBroken(
            "The call-off cannot be drafted: "
            + "; ".join(f"{e.field} {e.message}" for e in draft.errors),
            draft.errors,
        )
    assert lot is not None and pricing is not None
    terms = body.enablement or body.cluster or body.pilot
    return draft, {
        CallOff.lot: lot,
        CallOff.kind: body.kind,
        CallOff.title: body.title.strip(),
        CallOff.deadline: deadline,
        CallOff.max_hourly_rate_pence: max_rate,
        CallOff.envelope_base_rate_pence: base_rate,
        CallOff.envelope_weekly_pence: body.envelope_weekly_pence,
        CallOff.opening_quorum: body.opening_quorum,
        CallOff.standstill_working_days: body.standstill_working_days,
        CallOff.min_bids: body.min_bids,
        CallOff.sourcing: body.sourcing,
        CallOff.chosen_invitees: (
            None if invitees is None else msgspec.json.encode(sorted(map(str, invitees))).decode()
        ),
        CallOff.terms: msgspec.json.encode(terms).decode(),
        CallOff.rurality_weights: msgspec.json.encode(
            {k: str(v) for k, v in _weights(pricing).items()}
        ).decode(),
    }


async def _write_scope(call_off_id: UUID, draft: _Draft) -> None:
    """The call-off's areas and packages, as checked."""
    if draft.areas:
        await CallOffArea.insert(
            *[
                CallOffArea(call_off=call_off_id, area=area_id, weekly_hours=hours)
                for area_id, _, hours in draft.areas
            ]
        )
    if draft.packages:
        await CallOffPackage.insert(
            *[CallOffPackage(call_off=call_off_id, package=row["id"]) for row in draft.packages]
        )


async def create_call_off(actor: Principal, body: schemas.CallOffCreate) -> schemas.CallOff:
    """A commissioner drafts a call-off of one of the three kinds; everything is checked, and
    every problem is named by its field."""
    commissioner_id = commissioner_of(actor)
    draft, columns = await _checked(commissioner_id, body)
    call_off = CallOff(
        commissioner=commissioner_id,
        created_by=actor.user_id,
        **{column._meta.name: value for column, value in columns.items()},
    )
    async with write_transaction():
        await CallOff.insert(call_off)
        await _write_scope(call_off.id, draft)
        await record(
            actor,
            "create_call_off",
            "call_off",
            call_off.id,
            organisation_id=commissioner_id,
            details={
                "kind": body.kind,
                "title": call_off.title,
                "sourcing": body.sourcing,
                "invitee_ids": (
                    None
                    if columns[CallOff.chosen_invitees] is None
                    else msgspec.json.decode(columns[CallOff.chosen_invitees])
                ),
            },
        )
    return await get_call_off(actor, call_off.id)


async def edit_draft(
    actor: Principal, call_off_id: UUID, body: schemas.CallOffCreate
) -> schemas.CallOff:
    """Change a draft call-off's title, deadline, terms and packages, checked as a new draft is;
    refused once it is published (its invitees bid on what was published), and audited."""
    commissioner_id = commissioner_of(actor)
    async with write_transaction():
        await call_off_row(actor, call_off_id)  # another commissioner's is not found
        # Held until the edit is written: a publication waits for it, and sees the edited draft.
        await for_update(CallOff.select(CallOff.id).where(CallOff.id == call_off_id))
        row = await call_off_row(actor, call_off_id)
        if row["status"] != CallOffStatus.DRAFT:
            raise WrongState(
                "Only a draft can be edited: this call-off is "
                f"{row['status']}, and its invited providers bid on what was published"
            )
        if body.kind != row["kind"]:
            raise RuleBroken(
                "The kind of a call-off cannot change",
                [FieldError("kind", f"must stay {row['kind']}: draft a new call-off instead")],
            )
        draft, columns = await _checked(commissioner_id, body)
        await CallOff.update(columns).where(CallOff.id == call_off_id)
        await CallOffArea.delete().where(CallOffArea.call_off == call_off_id)
        await CallOffPackage.delete().where(CallOffPackage.call_off == call_off_id)
        await _write_scope(call_off_id, draft)
        await record(
            actor,
            "edit_call_off",
            "call_off",
            call_off_id,
            organisation_id=commissioner_id,
            details={
                "title": body.title.strip(),
                "deadline": body.deadline.isoformat(),
                "package_ids": [str(row["id"]) for row in draft.packages],
                "areas": [code for _, code, _ in draft.areas],
            },
        )
    return await get_call_off(actor, call_off_id)
