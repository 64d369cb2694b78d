"""Ways to make the organisations, users and tokens a test needs, through the real services."""

from __future__ import annotations

import itertools
from typing import Any
from uuid import UUID

from marketplace.accounts import schemas
from marketplace.accounts.authentication import issue_api_token
from marketplace.accounts.cqc_ratings import set_rating
from marketplace.accounts.service import create_admin, create_organisation, create_user
from marketplace.principal import Principal

PASSWORD = "a long enough test password"
_numbers = itertools.count(1)


def admin_principal(user: schemas.User) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        role="admin",
        organisation_id=None,
        organisation_kind=None,
        organisation_name=None,
        via="token",
    )


def principal_of(user: schemas.User, organisation: schemas.Organisation) -> Principal:
    """The Principal a signed-in user of an organisation is seen as."""
    return Principal(
        user_id=user.id,
        email=user.email,
        role=user.role,
        organisation_id=organisation.id,
        organisation_kind=organisation.kind,
        organisation_name=organisation.name,
        via="token",
    )


async def make_admin() -> tuple[schemas.User, str]:
    user = await create_admin(f"admin{next(_numbers)}@example.org", PASSWORD)
    token = await issue_api_token(schemas.TokenCreate(email=user.email, password=PASSWORD))
    return user, token.token


async def make_organisation(kind: str, **fields: Any) -> schemas.Organisation:
    admin, _ = await make_admin()
    body = schemas.OrganisationCreate(
        kind=kind, name=fields.pop("name", f"{kind.title()} {next(_numbers)}"), **fields
    )  # type: ignore[arg-type]
    return await create_organisation(admin_principal(admin), body)


async def rate_provider(provider_id: UUID, rating: str, reason: str = "test") -> None:
    """A platform admin sets a provider's CQC rating (the only change besides the import)."""
    admin, _ = await make_admin()
    body = schemas.CqcRatingSet(rating=rating, reason=reason)  # type: ignore[arg-type]
    await set_rating(admin_principal(admin), provider_id, body)


async def make_user(organisation_id: UUID, role: str) -> tuple[schemas.User, str]:
    """A user of an organisation and a bearer token for them."""
    admin, _ = await make_admin()
    email = f"{role}{next(_numbers)}@example.org"
    user = await create_user(
        admin_principal(admin),
        organisation_id,
        schemas.UserCreate(email=email, password=PASSWORD, role=role),  # type: ignore[arg-type]
    )
    token = await issue_api_token(schemas.TokenCreate(email=email, password=PASSWORD))
    return user, token.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
