"""Use cases of accounts: organisations and their users."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marketplace.accounts import schemas
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.tables import Organisation, User
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotAllowed, NotFound, RuleBroken
from marketplace.notifications.outbox import add_email
from marketplace.principal import ROLES_BY_ORGANISATION_KIND, Principal


def _organisation(row: dict[str, Any]) -> schemas.Organisation:
    return schemas.Organisation(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        cqc_location_id=row["cqc_location_id"],
        cqc_rating=row["cqc_rating"],
        enforcement_pending=bool(row["enforcement_pending"]),
        created_at=row["created_at"],
    )


def check_provider_fields(kind: str, fields: dict[str, Any]) -> None:
    if kind in ("provider", "guest"):
        return
    given = [
        name
        for name in ("cqc_location_id", "cqc_rating", "enforcement_pending")
        if fields.get(name) is not None
    ]
    if given:
        raise RuleBroken(
            "Only providers have CQC and enforcement details",
            [
                FieldError(name, "only providers have this field", "not_a_provider")
                for name in given
            ],
        )


async def create_organisation(
    actor: Principal, body: schemas.OrganisationCreate
) -> schemas.Organisation:
    """A platform admin registers a commissioner or a provider."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin can create organisations")
    fields = {
        "cqc_location_id": body.cqc_location_id,
        "cqc_rating": body.cqc_rating,
        "enforcement_pending": body.enforcement_pending,
    }
    check_provider_fields(body.kind, fields)
    async with write_transaction():
        organisation = Organisation(
            kind=body.kind,
            name=body.name.strip(),
            cqc_location_id=body.cqc_location_id,
            cqc_rating=body.cqc_rating or ("not_yet_rated" if body.kind == "provider" else None),
            enforcement_pending=bool(body.enforcement_pending),
        )
        await organisation.save()
        await record(
            actor,
            "create_organisation",
            "organisation",
            organisation.id,
            organisation_id=organisation.id,
            details={
                "kind": organisation.kind,
                "name": organisation.name,
                "cqc_location_id": organisation.cqc_location_id,
                "cqc_rating": organisation.cqc_rating,
                "enforcement_pending": organisation.enforcement_pending,
            },
        )
    return await get_organisation(actor, organisation.id)


async def get_organisation(actor: Principal, organisation_id: UUID) -> schemas.Organisation:
    """An organisation, visible to admins, its own users, and commissioners (for providers)."""
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row is None or not _can_see(actor, row):
        raise NotFound("No such organisation")
    return _organisation(row)


def _can_see(actor: Principal, row: dict[str, Any]) -> bool:
    return (
        actor.is_admin
        or actor.organisation_id == row["id"]
        or (actor.is_commissioner and row["kind"] == "provider")
        or (
            actor.is_commissioner
            and row["kind"] == "guest"
            and row.get("registered_by") == actor.organisation_id
        )
    )


async def update_organisation(
    actor: Principal, organisation_id: UUID, body: schemas.OrganisationUpdate
) -> schemas.Organisation:
    """Admins change any field but the CQC rating; commissioners record a provider's
    enforcement flag. The rating has its own route (accounts/cqc_ratings.py)."""
    changes = {
        name: value for name in body.__struct_fields__ if (value := getattr(body, name)) is not None
    }
    if not changes:
        raise RuleBroken(
            "Nothing to change: give at least one field",
            [FieldError("body", "Give at least one field to change", "nothing_to_change")],
        )
    async with write_transaction():
        row = await for_update(
            Organisation.select().where(Organisation.id == organisation_id)
        ).first()
        if row is None or not _can_see(actor, row):
            raise NotFound("No such organisation")
        if "cqc_rating" in changes:
            _refuse_rating_here(actor)
        if not actor.is_admin and not (
            actor.is_commissioner
            and row["kind"] in ("provider", "guest")
            and set(changes) <= {"enforcement_pending"}
        ):
            raise NotAllowed(
                "Commissioners may change only a provider's (or their guest supplier's) "
                "enforcement flag"
            )
        check_provider_fields(row["kind"], changes)
        await Organisation.update(
            {getattr(Organisation, name): value for name, value in changes.items()}
        ).where(Organisation.id == organisation_id)
        changed = {
            name: {"old": row[name], "new": value}
            for name, value in changes.items()
            if row[name] != value
        }
        if changed:
            await record(
                actor,
                "update_organisation",
                "organisation",
                organisation_id,
                organisation_id=organisation_id,
                details=changed,
            )
    return await get_organisation(actor, organisation_id)


def _refuse_rating_here(actor: Principal) -> None:
    """Only the regulator's import and a platform admin giving a reason change a CQC rating."""
    if not actor.is_admin:
        raise NotAllowed(
            "Only the regulator's import or a platform admin changes a CQC rating; "
            "record what you observe as a quality record"
        )
    raise RuleBroken(
        "A CQC rating is changed with a reason: PUT /api/v1/organisations/{id}/cqc-rating",
        [
            FieldError(
                "cqc_rating", "is changed through the CQC rating route, with a reason", "own_route"
            )
        ],
    )


def _user(row: dict[str, Any]) -> schemas.User:
    return schemas.User(
        id=row["id"],
        email=row["email"],
        role=row["role"],
        organisation_id=row["organisation"],
        created_at=row["created_at"],
        active=bool(row["active"]),
    )


async def create_user(
    actor: Principal, organisation_id: UUID, body: schemas.UserCreate
) -> schemas.User:
    """Admins add users to any organisation; an organisation's own staff add colleagues."""
    organisation = await Organisation.select().where(Organisation.id == organisation_id).first()
    if organisation is None or not (actor.is_admin or actor.organisation_id == organisation_id):
        raise NotFound("No such organisation")
    if organisation["kind"] == "guest":
        raise RuleBroken(
            "A guest supplier has no users: it bids through the link in its invitation",
            [FieldError("role", "a guest supplier cannot have users")],
        )
    if body.role not in ROLES_BY_ORGANISATION_KIND[organisation["kind"]]:
        allowed = " or ".join(sorted(ROLES_BY_ORGANISATION_KIND[organisation["kind"]]))
        raise RuleBroken(
            f"A {organisation['kind']} organisation's users have the role {allowed}",
            [FieldError("role", f"must be {allowed} for a {organisation['kind']}", "not_a_choice")],
        )
    return await _add_user(actor, body.email, body.password, body.role, organisation_id)


async def _add_user(
    actor: Principal | None, email: str, password: str, role: str, organisation_id: UUID | None
) -> schemas.User:
    email = email.strip().lower()
    password_hash = await hash_password(password)
    async with write_transaction():
        if await User.exists().where(User.email == email):
            raise RuleBroken(
                "A user with this email address already exists",
                [FieldError("email", "is already in use")],
            )
        user = User(
            email=email, password_hash=password_hash, role=role, organisation=organisation_id
        )
        await user.save()
        await record(
            actor,
            "create_admin" if role == "admin" else "create_user",
            "user",
            user.id,
            organisation_id=organisation_id,
            details={"email": email, "role": role},
        )
        await _send_welcome(email, role, organisation_id)
    row = await User.select().where(User.id == user.id).first()
    assert row is not None
    return _user(row)


ROLE_NAMES = {
    "admin": "platform admin",
    "commissioner": "commissioner",
    "opener": "commissioner who may open bids",
    "provider": "care provider",
}


async def _send_welcome(email: str, role: str, organisation_id: UUID | None) -> None:
    """Tell a new user their account exists (never their password); sent after the commit."""
    organisation = None
    if organisation_id is not None:
        row = (
            await Organisation.select(Organisation.name)
            .where(Organisation.id == organisation_id)
            .first()
        )
        organisation = row["name"] if row else None
    await add_email(email, "welcome", {"organisation": organisation, "role_name": ROLE_NAMES[role]})


async def create_admin(email: str, password: str) -> schemas.User:
    """Bootstrap a platform admin (from the command line)."""
    return await _add_user(None, email, password, "admin", None)


async def set_password(email: str, password: str) -> None:
    """Replace a user's password (the demo loader keeps demo passwords current)."""
    password_hash = await hash_password(password)
    email = email.strip().lower()
    async with write_transaction():
        users = await User.select(User.id, User.organisation).where(User.email == email)
        await User.update({User.password_hash: password_hash}).where(User.email == email)
        for user in users:
            await record(
                None,
                "set_password",
                "user",
                user["id"],
                organisation_id=user["organisation"],
                details={"email": email},
            )


async def count_organisations(kind: str) -> int:
    return await Organisation.count().where(Organisation.kind == kind)


async def active_user_emails(organisation_ids: list[UUID]) -> list[str]:
    """The email addresses of these organisations' active users (to tell them something); a
    guest supplier, which has no users, is told at its contact email (docs/design.md 3.5)."""
    if not organisation_ids:
        return []
    if len(organisation_ids) == 1:  # telling one organisation: every bid's receipt
        rows = await User.raw(_ONE_ORGANISATIONS_EMAILS, organisation_ids[0], organisation_ids[0])
    else:
        rows = await User.select(User.email).where(
            User.organisation.is_in(organisation_ids) & User.active.eq(True)
        )
        rows += await Organisation.select(Organisation.contact_email.as_alias("email")).where(
            Organisation.id.is_in(organisation_ids)
            & (Organisation.kind == "guest")
            & Organisation.contact_email.is_not_null()
        )
    return [row["email"] for row in rows]


_ONE_ORGANISATIONS_EMAILS = """
SELECT email FROM app_user WHERE organisation = {} AND active
UNION ALL
SELECT contact_email AS email FROM organisation
WHERE id = {} AND kind = 'guest' AND contact_email IS NOT NULL
"""
