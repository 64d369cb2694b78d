"""Use cases of accounts: organisations, users, sign-in, browser sessions and API tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from marketplace.accounts import schemas
from marketplace.accounts.passwords import hash_password, password_matches
from marketplace.accounts.principal import ROLES_BY_ORGANISATION_KIND, Principal
from marketplace.accounts.tables import ApiToken, BrowserSession, Organisation, User
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, NotSignedIn, RuleBroken

SESSION_LIFETIME = timedelta(hours=12)
API_TOKEN_LIFETIME = timedelta(days=30)
API_TOKEN_PREFIX = "mkt_"
WRONG_CREDENTIALS = "The email address or password is not right"


def digest(token: str) -> str:
    """What is stored for a secret token: its SHA-256, so a database reader cannot use it."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


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


def _check_provider_fields(kind: str, fields: dict[str, Any]) -> None:
    if kind == "provider":
        return
    given = [name for name in ("cqc_location_id", "cqc_rating", "enforcement_pending") if fields.get(name) is not None]
    if given:
        raise BadInput(
            "Only providers have CQC and enforcement details",
            [FieldError(name, "only providers have this field") for name in given],
        )


async def create_organisation(actor: Principal, body: schemas.OrganisationCreate) -> schemas.Organisation:
    """A platform admin registers a commissioner or a provider."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin can create organisations")
    fields = {
        "cqc_location_id": body.cqc_location_id,
        "cqc_rating": body.cqc_rating,
        "enforcement_pending": body.enforcement_pending,
    }
    _check_provider_fields(body.kind, fields)
    async with write_transaction():
        organisation = Organisation(
            kind=body.kind,
            name=body.name.strip(),
            cqc_location_id=body.cqc_location_id,
            cqc_rating=body.cqc_rating or ("not_yet_rated" if body.kind == "provider" else None),
            enforcement_pending=bool(body.enforcement_pending),
        )
        await organisation.save()
    return await get_organisation(actor, organisation.id)


async def get_organisation(actor: Principal, organisation_id: UUID) -> schemas.Organisation:
    """An organisation, visible to admins, its own users, and commissioners (for providers)."""
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row is None or not _can_see(actor, row):
        raise NotFound("No such organisation")
    return _organisation(row)


def _can_see(actor: Principal, row: dict[str, Any]) -> bool:
    return actor.is_admin or actor.organisation_id == row["id"] or (
        actor.is_commissioner and row["kind"] == "provider"
    )


async def update_organisation(
    actor: Principal, organisation_id: UUID, body: schemas.OrganisationUpdate
) -> schemas.Organisation:
    """Admins change any field; commissioners record a provider's CQC rating and enforcement."""
    changes = {name: value for name in body.__struct_fields__ if (value := getattr(body, name)) is not None}
    if not changes:
        raise BadInput("Nothing to change: give at least one field")
    async with write_transaction():
        row = await Organisation.select().where(Organisation.id == organisation_id).first()
        if row is None or not _can_see(actor, row):
            raise NotFound("No such organisation")
        if not actor.is_admin:
            compliance_only = set(changes) <= {"cqc_rating", "enforcement_pending"}
            if not (actor.is_commissioner and row["kind"] == "provider" and compliance_only):
                raise NotAllowed(
                    "Commissioners may change only a provider's CQC rating and enforcement flag"
                )
        _check_provider_fields(row["kind"], changes)
        await Organisation.update(
            {getattr(Organisation, name): value for name, value in changes.items()}
        ).where(Organisation.id == organisation_id)
    return await get_organisation(actor, organisation_id)


def _user(row: dict[str, Any]) -> schemas.User:
    return schemas.User(
        id=row["id"],
        email=row["email"],
        role=row["role"],
        organisation_id=row["organisation"],
        created_at=row["created_at"],
    )


async def create_user(actor: Principal, organisation_id: UUID, body: schemas.UserCreate) -> schemas.User:
    """Admins add users to any organisation; an organisation's own staff add colleagues."""
    organisation = await Organisation.select().where(Organisation.id == organisation_id).first()
    if organisation is None or not (actor.is_admin or actor.organisation_id == organisation_id):
        raise NotFound("No such organisation")
    if body.role not in ROLES_BY_ORGANISATION_KIND[organisation["kind"]]:
        allowed = " or ".join(sorted(ROLES_BY_ORGANISATION_KIND[organisation["kind"]]))
        raise BadInput(
            f"A {organisation['kind']} organisation's users have the role {allowed}",
            [FieldError("role", f"must be {allowed} for a {organisation['kind']}")],
        )
    return await _add_user(body.email, body.password, body.role, organisation_id)


async def _add_user(email: str, password: str, role: str, organisation_id: UUID | None) -> schemas.User:
    email = email.strip().lower()
    password_hash = await hash_password(password)
    async with write_transaction():
        if await User.exists().where(User.email == email):
            raise RuleBroken(
                "A user with this email address already exists",
                [FieldError("email", "is already in use")],
            )
        user = User(email=email, password_hash=password_hash, role=role, organisation=organisation_id)
        await user.save()
    row = await User.select().where(User.id == user.id).first()
    assert row is not None
    return _user(row)


async def create_admin(email: str, password: str) -> schemas.User:
    """Bootstrap a platform admin (from the command line)."""
    return await _add_user(email, password, "admin", None)


async def set_password(email: str, password: str) -> None:
    """Replace a user's password (the demo loader keeps demo passwords current)."""
    password_hash = await hash_password(password)
    async with write_transaction():
        await User.update({User.password_hash: password_hash}).where(User.email == email.strip().lower())


async def _check_credentials(email: str, password: str) -> dict[str, Any]:
    row = await User.select(User.id, User.password_hash, User.active).where(
        User.email == email.strip().lower()
    ).first()
    matches = await password_matches(row["password_hash"] if row else None, password)
    if row is None or not matches or not row["active"]:
        raise NotSignedIn(WRONG_CREDENTIALS)
    return row


async def issue_api_token(body: schemas.TokenCreate) -> schemas.TokenCreated:
    """Exchange an email and password for a bearer token that expires."""
    user = await _check_credentials(body.email, body.password)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now() + API_TOKEN_LIFETIME
    async with write_transaction():
        await ApiToken(token_hash=digest(token), user=user["id"], expires_at=expires_at).save()
    return schemas.TokenCreated(token=token, expires_at=expires_at)


async def start_browser_session(email: str, password: str) -> str:
    """Sign a browser in: returns the new session token for its cookie."""
    user = await _check_credentials(email, password)
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await BrowserSession(
            token_hash=digest(token), user=user["id"], expires_at=now() + SESSION_LIFETIME
        ).save()
    return token


async def end_browser_session(token: str) -> None:
    async with write_transaction():
        await BrowserSession.delete().where(BrowserSession.token_hash == digest(token))


_PRINCIPAL_COLUMNS = (
    User.id,
    User.email,
    User.role,
    User.active,
    User.organisation.id.as_alias("organisation_id"),
    User.organisation.kind.as_alias("organisation_kind"),
    User.organisation.name.as_alias("organisation_name"),
)


def _principal(row: dict[str, Any], via: str) -> Principal | None:
    if not row["active"]:
        return None
    return Principal(
        user_id=row["id"],
        email=row["email"],
        role=row["role"],
        organisation_id=row["organisation_id"],
        organisation_kind=row["organisation_kind"],
        organisation_name=row["organisation_name"],
        via=via,  # type: ignore[arg-type]
    )


async def principal_for_session(token: str) -> Principal | None:
    """The signed-in user of a browser session cookie, if the session is live."""
    session = await BrowserSession.select(BrowserSession.user).where(
        (BrowserSession.token_hash == digest(token)) & (BrowserSession.expires_at > now())
    ).first()
    if session is None:
        return None
    row = await User.select(*_PRINCIPAL_COLUMNS).where(User.id == session["user"]).first()
    return _principal(row, "session") if row else None


async def principal_for_api_token(token: str) -> Principal | None:
    """The user of a bearer token that is neither expired nor revoked."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    found = await ApiToken.select(ApiToken.user).where(
        (ApiToken.token_hash == digest(token))
        & (ApiToken.expires_at > now())
        & ApiToken.revoked_at.is_null()
    ).first()
    if found is None:
        return None
    row = await User.select(*_PRINCIPAL_COLUMNS).where(User.id == found["user"]).first()
    return _principal(row, "token") if row else None


async def count_organisations(kind: str) -> int:
    return await Organisation.count().where(Organisation.kind == kind)


# Seeding by the system (the demo loader): trusted callers with no signed-in actor. Each function
# creates only what is missing, so that running a seed twice creates nothing the second time.


async def organisation_ids_by_name(kind: str, names: Iterable[str]) -> dict[str, UUID]:
    """The ids of the organisations of this kind with these exact names (the first created wins
    where a name is shared)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        (Organisation.kind == kind) & Organisation.name.is_in(wanted)
    ).order_by(Organisation.created_at, ascending=False)
    return {row["name"]: row["id"] for row in rows}


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
                _check_provider_fields(kind, {f: getattr(body, f) for f in _PROVIDER_FIELDS})
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
            created += len(new)
            ids.update(found)
    return ids, created


_PROVIDER_FIELDS = ("cqc_location_id", "cqc_rating", "enforcement_pending")


class UserSeed(NamedTuple):
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
            User(email=email, password_hash=password_hash, role=seed.role, organisation=seed.organisation_id)
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
    return len(new)
