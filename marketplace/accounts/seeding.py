"""Seeding by the system (the demo loader): trusted callers with no signed-in actor. Each function
creates only what is missing, so that running a seed twice creates nothing the second time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from uuid import UUID

from marketplace.accounts import schemas
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.service import check_provider_fields
from marketplace.accounts.tables import Organisation, User
from marketplace.audit.service import record
from marketplace.db import write_transaction


async def organisation_ids_by_name(kind: str, names: Iterable[str]) -> dict[str, UUID]:
    """The ids of the organisations of this kind with these exact names (the first created wins
    where a name is shared)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    rows = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where((Organisation.kind == kind) & Organisation.name.is_in(wanted))
        .order_by(Organisation.created_at, ascending=False)
    )
    return {row["name"]: row["id"] for row in rows}


_PROVIDER_FIELDS = ("cqc_location_id", "cqc_rating", "enforcement_pending")


async def ensure_organisations(
    bodies: Sequence[schemas.OrganisationCreate],
) -> tuple[dict[str, UUID], int]:
    """As the system: create each organisation that has no namesake of its kind yet; returns
    every organisation's id by name and how many were created."""
    ids: dict[str, UUID] = {}
    created = 0
    async with write_transaction():
        for kind in dict.fromkeys(body.kind for body in bodies):
            of_kind = [body for body in bodies if body.kind == kind]
            found = await organisation_ids_by_name(kind, (body.name.strip() for body in of_kind))
            new: list[Organisation] = []
            for body in of_kind:
                name = body.name.strip()
                if name in found:
                    continue
                check_provider_fields(kind, {f: getattr(body, f) for f in _PROVIDER_FIELDS})
                organisation = Organisation(
                    kind=kind,
                    name=name,
                    cqc_location_id=body.cqc_location_id,
                    cqc_rating=body.cqc_rating or ("not_yet_rated" if kind == "provider" else None),
                    enforcement_pending=bool(body.enforcement_pending),
                )
                found[name] = organisation.id
                new.append(organisation)
            if new:
                await Organisation.insert(*new)
                await record(
                    None,
                    "seed_organisations",
                    "organisation",
                    details={"kind": kind, "created": len(new), "names": [o.name for o in new]},
                )
            created += len(new)
            ids.update(found)
    return ids, created


class UserSeed(NamedTuple):
    """A user a seed wants to exist, with the password it should have."""

    email: str
    password: str
    role: str
    organisation_id: UUID | None


async def ensure_users(seeds: Sequence[UserSeed]) -> int:
    """As the system: create each user that is missing, and give every one of them the given
    password and an active account again; returns how many were created."""
    hashes = await asyncio.gather(*(hash_password(seed.password) for seed in seeds))
    emails = [seed.email.strip().lower() for seed in seeds]
    async with write_transaction():
        rows = await User.select(User.email).where(User.email.is_in(emails)) if emails else []
        existing = {row["email"] for row in rows}
        new = [
            User(
                email=email,
                password_hash=password_hash,
                role=seed.role,
                organisation=seed.organisation_id,
            )
            for seed, email, password_hash in zip(seeds, emails, hashes, strict=True)
            if email not in existing
        ]
        if new:
            await User.insert(*new)
        for email, password_hash in zip(emails, hashes, strict=True):
            if email in existing:
                await User.update({User.password_hash: password_hash, User.active: True}).where(
                    User.email == email
                )
        if seeds:
            await record(
                None,
                "seed_users",
                "user",
                details={
                    "created": [user.email for user in new],
                    "password_reset": sorted(existing),
                },
            )
    return len(new)
