"""Use cases of the platform admin's management of accounts: listing organisations and their
users, deactivating or reactivating a user (audited; a deactivated user's sessions end and
API tokens are revoked at once), and resetting a user's lost second factor (with a reason,
audited, the user's sessions and tokens ended and the user emailed). Creating organisations and
users is in `service.py`."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from marketplace.accounts import schemas, two_factor
from marketplace.accounts.authentication import end_sessions_and_tokens
from marketplace.accounts.service import _organisation, _user, get_organisation
from marketplace.accounts.tables import Organisation, User
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, WrongState
from marketplace.notifications.outbox import add_email
from marketplace.principal import Principal


class OrganisationSummary(schemas.Organisation):
    """An organisation with how many of its users are active, and how many in all."""

    active_users: int = 0
    users: int = 0


def _admin_only(actor: Principal) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin manages organisations and users")


async def list_organisations(actor: Principal) -> list[OrganisationSummary]:
    """Every organisation, by kind then name, with its users counted (admins only)."""
    _admin_only(actor)
    rows = await Organisation.select().order_by(Organisation.kind).order_by(Organisation.name)
    users = await User.select(User.organisation, User.active).where(User.organisation.is_not_null())
    total = Counter(row["organisation"] for row in users)
    active = Counter(row["organisation"] for row in users if row["active"])
    return [
        OrganisationSummary(
            **{f: getattr(_organisation(row), f) for f in schemas.Organisation.__struct_fields__},
            active_users=active[row["id"]],
            users=total[row["id"]],
        )
        for row in rows
    ]


async def organisation_users(actor: Principal, organisation_id: UUID) -> list[schemas.User]:
    """An organisation's users, active first, then by email: for admins, and for the
    organisation's own users."""
    if not (actor.is_admin or actor.organisation_id == organisation_id):
        raise NotFound("No such organisation")
    await get_organisation(actor, organisation_id)
    rows = await User.select().where(User.organisation == organisation_id).order_by(User.email)
    return sorted((_user(row) for row in rows), key=lambda user: not user.active)


async def set_user_active(actor: Principal, user_id: UUID, active: bool) -> schemas.User:
    """A platform admin deactivates a user (who can no longer sign in: their sessions end and
    their API tokens are revoked) or reactivates one; never themselves. Audited."""
    _admin_only(actor)
    if user_id == actor.user_id:
        raise WrongState("You cannot deactivate or reactivate yourself")
    async with write_transaction():
        row = await for_update(User.select().where(User.id == user_id)).first()
        if row is None:
            raise NotFound("No such user")
        if bool(row["active"]) == active:
            state = "active" if active else "inactive"
            raise WrongState(f"This user is already {state}")
        await User.update({User.active: active}).where(User.id == user_id)
        if not active:
            await end_sessions_and_tokens(user_id)
        await record(
            actor,
            "reactivate_user" if active else "deactivate_user",
            "user",
            user_id,
            organisation_id=row["organisation"],
            details={"email": row["email"], "role": row["role"]},
        )
    changed = await User.select().where(User.id == user_id).first()
    assert changed is not None
    return _user(changed)


async def user_to_view(actor: Principal, user_id: UUID) -> schemas.User:
    """One user, for a platform admin."""
    _admin_only(actor)
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise NotFound("No such user")
    return _user(row)


async def user_to_reset(actor: Principal, user_id: UUID) -> schemas.User:
    """The user whose second factor an admin is about to reset (the check page): refused as the
    reset itself would be, so the page never offers what cannot be done."""
    _admin_only(actor)
    if user_id == actor.user_id:
        raise WrongState("You cannot reset your own two-factor sign-in: ask another platform admin")
    user = await user_to_view(actor, user_id)
    if not await two_factor.is_enrolled(user_id):
        raise WrongState("This user has not set up two-factor sign-in: there is nothing to reset")
    return user


async def reset_two_factor(
    actor: Principal, user_id: UUID, body: schemas.TwoFactorResetRequest
) -> schemas.TwoFactorReset:
    """A platform admin resets a user's lost authenticator, giving a reason (never their own):
    the authenticator and recovery codes are removed, every session and API token of the user
    ends, the reset is audited with the reason and the user is emailed. At the next sign-in the
    user sets one up again (required of the role in production; a provider may)."""
    reason = body.reason.strip()
    if not reason:
        raise BadInput("Give the reason for the reset", [FieldError("reason", "Enter the reason")])
    user = await user_to_reset(actor, user_id)
    async with write_transaction():
        if not await two_factor.forget(user_id):
            raise WrongState(
                "This user has not set up two-factor sign-in: there is nothing to reset"
            )
        sessions, tokens = await end_sessions_and_tokens(user_id)
        await record(
            actor,
            "reset_two_factor",
            "user",
            user_id,
            organisation_id=user.organisation_id,
            details={
                "email": user.email,
                "reason": reason,
                "sessions_ended": sessions,
                "tokens_revoked": tokens,
            },
        )
        await add_email(
            user.email,
            "two_factor_reset",
            {"required": two_factor.required_here(user.role), "reason": reason},
        )
    return schemas.TwoFactorReset(user_id=user_id, sessions_ended=sessions, tokens_revoked=tokens)
