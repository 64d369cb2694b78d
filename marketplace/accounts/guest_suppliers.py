"""Guest suppliers (docs/design.md 3.5): suppliers outside the framework that a commissioner
registers (name, CQC location id, contact email) to invite to its wider call-offs. Each is an
organisation of kind "guest" with no users; it bids only through a guest pass."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from marketplace.accounts import schemas
from marketplace.accounts.tables import Organisation
from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, RuleBroken
from marketplace.principal import Principal

_COLUMNS = (
    Organisation.id,
    Organisation.name,
    Organisation.cqc_location_id,
    Organisation.cqc_rating,
    Organisation.contact_email,
    Organisation.created_at,
)


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(
        NotAllowed("Only a commissioner's staff register guest suppliers")
    )


def _guest_supplier(row: dict[str, Any]) -> schemas.GuestSupplier:
    return schemas.GuestSupplier(
        id=row["id"],
        name=row["name"],
        cqc_location_id=row["cqc_location_id"],
        cqc_rating=row["cqc_rating"],
        contact_email=row["contact_email"],
        created_at=row["created_at"],
    )


async def register_guest_supplier(
    actor: Principal, body: schemas.GuestSupplierCreate
) -> schemas.GuestSupplier:
    """A commissioner registers a guest supplier; its name must not be blank and it may be
    registered once per contact email by the same commissioner."""
    commissioner_id = _commissioner_of(actor)
    name = body.name.strip()
    email = body.contact_email.strip().lower()
    if not name:
        raise BadInput("The guest supplier needs a name", [FieldError("name", "Enter a name")])
    async with write_transaction():
        already = await Organisation.exists().where(
            (Organisation.kind == "guest")
            & (Organisation.registered_by == commissioner_id)
            & (Organisation.contact_email == email)
        )
        if already:
            raise RuleBroken(
                "A guest supplier with this contact email is already registered",
                [FieldError("contact_email", "is already registered for another guest supplier")],
            )
        guest = Organisation(
            kind="guest",
            name=name,
            cqc_location_id=body.cqc_location_id,
            cqc_rating="not_yet_rated",
            contact_email=email,
            registered_by=commissioner_id,
        )
        await guest.save()
        await record(
            actor,
            "register_guest_supplier",
            "organisation",
            guest.id,
            organisation_id=commissioner_id,
            details={"name": name, "cqc_location_id": body.cqc_location_id, "contact_email": email},
        )
    row = await Organisation.select(*_COLUMNS).where(Organisation.id == guest.id).first()
    assert row is not None
    return _guest_supplier(row)


async def guest_suppliers(actor: Principal) -> list[schemas.GuestSupplier]:
    """The guest suppliers this commissioner registered, by name."""
    commissioner_id = _commissioner_of(actor)
    rows = (
        await Organisation.select(*_COLUMNS)
        .where((Organisation.kind == "guest") & (Organisation.registered_by == commissioner_id))
        .order_by(Organisation.name)
    )
    return [_guest_supplier(row) for row in rows]


async def guests_of(commissioner_id: UUID, organisation_ids: Iterable[UUID]) -> set[UUID]:
    """Which of these organisations are guest suppliers this commissioner registered."""
    ids = list(organisation_ids)
    if not ids:
        return set()
    rows = await Organisation.select(Organisation.id).where(
        Organisation.id.is_in(ids)
        & (Organisation.kind == "guest")
        & (Organisation.registered_by == commissioner_id)
    )
    return {row["id"] for row in rows}


async def guest_organisations(organisation_ids: Iterable[UUID]) -> set[UUID]:
    """Which of these organisations are guest suppliers (of any commissioner)."""
    ids = list(organisation_ids)
    if not ids:
        return set()
    rows = await Organisation.select(Organisation.id).where(
        Organisation.id.is_in(ids) & (Organisation.kind == "guest")
    )
    return {row["id"] for row in rows}


async def guest_contact(organisation_id: UUID) -> dict[str, Any] | None:
    """A guest supplier's name and contact email, or None when it is not a guest supplier."""
    row = (
        await Organisation.select(Organisation.name, Organisation.contact_email)
        .where((Organisation.id == organisation_id) & (Organisation.kind == "guest"))
        .first()
    )
    return None if row is None else {"name": row["name"], "contact_email": row["contact_email"]}


async def guest_contacts(guest_ids: Iterable[UUID]) -> list[dict[str, Any]]:
    """These guest suppliers' ids, names and contact emails, by name."""
    ids = list(guest_ids)
    if not ids:
        return []
    return list(
        await Organisation.select(Organisation.id, Organisation.name, Organisation.contact_email)
        .where(Organisation.id.is_in(ids) & (Organisation.kind == "guest"))
        .order_by(Organisation.name)
    )
