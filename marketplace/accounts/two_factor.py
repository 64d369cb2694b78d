"""Two-factor sign-in: enrolling an authenticator, checking a code or a recovery code, and the
limit on wrong guesses (docs/design.md 5.10).

Guessing is limited per user: after MAX_FAILURES wrong codes in a row, codes are refused for
LOCK_MINUTES whoever sends them (a simple counter; request rate limiting is not built yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from marketplace.accounts import two_factor_rules as rules
from marketplace.accounts.tables import RecoveryCode, TwoFactor
from marketplace.audit.service import record
from marketplace.config import get_settings
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotAllowed, NotSignedIn, RuleBroken, WrongState
from marketplace.principal import Principal

WRONG_CODE = "The code is not right: enter the 6-digit code your authenticator app shows now"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows, once: the key to type and the QR code's address."""

    secret: str
    uri: str


def now() -> datetime:
    return datetime.now(UTC)


def _open_secret(user_id: UUID, sealed: bytes) -> str:
    # During a rotation of the KEK, a secret not re-sealed yet opens under the previous one.
    return rules.open_secret_under_any(get_settings().key_encryption_keys, user_id, sealed)[0]


async def is_enrolled(user_id: UUID) -> bool:
    return bool(
        await TwoFactor.exists().where(
            (TwoFactor.user == user_id) & TwoFactor.enrolled_at.is_not_null()
        )
    )


async def enrolled_among(user_ids: list[UUID]) -> set[UUID]:
    """Which of these users have an authenticator set up (the admin's users list)."""
    if not user_ids:
        return set()
    rows = await TwoFactor.select(TwoFactor.user).where(
        TwoFactor.user.is_in(user_ids) & TwoFactor.enrolled_at.is_not_null()
    )
    return {UUID(str(row["user"])) for row in rows}


def required_here(role: str) -> bool:
    """Whether this role must have a second factor in the mode the app runs in."""
    return rules.required_for(role, get_settings().production)


async def needs_second_factor(user_id: UUID, role: str) -> tuple[bool, bool]:
    """(whether this user must pass a second factor to sign in, whether it is enrolled)."""
    enrolled = await is_enrolled(user_id)
    return enrolled or required_here(role), enrolled


async def start_enrolment(user_id: UUID, email: str) -> Enrolment:
    """A new shared secret for a user not yet enrolled (the same one until it is confirmed, so
    reloading the page keeps the QR code); an enrolled user's secret is never shown again."""
    kek = get_settings().key_encryption_key
    async with write_transaction():
        row = await for_update(TwoFactor.select().where(TwoFactor.user == user_id)).first()
        if row is not None and row["enrolled_at"] is not None:
            raise WrongState("Two-factor sign-in is already set up for this account")
        if row is None:
            secret = rules.new_secret()
            await TwoFactor(
                user=user_id, sealed_secret=rules.seal_secret(kek, user_id, secret)
            ).save()
        else:
            secret = _open_secret(user_id, row["sealed_secret"])
    return Enrolment(secret, rules.provisioning_uri(secret, email))


async def confirm_enrolment(
    user_id: UUID, code: str, moment: datetime | None = None, *, actor: Principal | None = None
) -> list[str]:
    """The first right code confirms the authenticator; returns the ten recovery codes, shown
    once (only their hashes are kept)."""
    moment = moment or now()
    async with write_transaction():
        row = await for_update(TwoFactor.select().where(TwoFactor.user == user_id)).first()
        if row is None or row["enrolled_at"] is not None:
            raise WrongState("Start setting up two-factor sign-in again")
        _check_not_locked(row, moment)
        secret = _open_secret(user_id, row["sealed_secret"])
        step = rules.matching_step(secret, code, moment, row["last_used_step"])
        if step is None:
            await _count_failure(row, moment, user_id, "enrolment", actor)
            codes = []
        else:
            codes = await _enrol(row["id"], user_id, step, moment, actor)
    if not codes:
        raise RuleBroken(WRONG_CODE, [FieldError("code", WRONG_CODE)])
    return codes


async def _enrol(
    two_factor_id: UUID, user_id: UUID, step: int, moment: datetime, actor: Principal | None
) -> list[str]:
    await TwoFactor.update(
        {
            TwoFactor.enrolled_at: moment,
            TwoFactor.last_used_step: step,
            TwoFactor.failures: 0,
        }
    ).where(TwoFactor.id == two_factor_id)
    codes = await _replace_recovery_codes(user_id)
    await record(actor, "enrol_two_factor", "user", user_id, organisation_id=_organisation(actor))
    return codes


async def _replace_recovery_codes(user_id: UUID) -> list[str]:
    """Ten new recovery codes in place of every earlier one (inside the caller's transaction);
    only their hashes are kept."""
    codes = rules.new_recovery_codes()
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await RecoveryCode.insert(
        *[RecoveryCode(user=user_id, code_hash=rules.recovery_code_digest(c)) for c in codes]
    )
    return codes


async def regenerate_recovery_codes(actor: Principal) -> list[str]:
    """Ten new recovery codes for a signed-in user whose session (or token) passed the second
    factor: the earlier ones stop working at once; the new ones are returned to be shown once.
    Audited."""
    user_id = actor.signed_in_user
    if not actor.second_factor:
        raise NotAllowed(
            "Sign in again with the code from your authenticator app to make new recovery codes"
        )
    async with write_transaction():
        row = await for_update(TwoFactor.select().where(TwoFactor.user == user_id)).first()
        if row is None or row["enrolled_at"] is None:
            raise WrongState("Two-factor sign-in is not set up for this account")
        replaced = await recovery_codes_left(user_id)
        codes = await _replace_recovery_codes(user_id)
        await record(
            actor,
            "regenerate_recovery_codes",
            "user",
            user_id,
            organisation_id=actor.organisation_id,
            details={"unused_codes_replaced": replaced},
        )
    return codes


async def forget(user_id: UUID) -> bool:
    """Remove a user's authenticator and recovery codes (inside the caller's transaction, which
    audits why): returns whether an authenticator was set up."""
    row = await for_update(TwoFactor.select().where(TwoFactor.user == user_id)).first()
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await TwoFactor.delete().where(TwoFactor.user == user_id)
    return row is not None and row["enrolled_at"] is not None


async def check_code(
    user_id: UUID, code: str, moment: datetime | None = None, *, actor: Principal | None = None
) -> str:
    """Check a code from the authenticator or an unused recovery code (which is then used up);
    returns which it was. A wrong one counts towards the lock and raises NotSignedIn."""
    moment = moment or now()
    async with write_transaction():
        row = await for_update(TwoFactor.select().where(TwoFactor.user == user_id)).first()
        if row is None or row["enrolled_at"] is None:
            raise WrongState("Two-factor sign-in is not set up for this account")
        _check_not_locked(row, moment)
        if rules.looks_like_recovery_code(code):
            used = await _use_recovery_code(user_id, code, moment)
            if used:
                await TwoFactor.update({TwoFactor.failures: 0}).where(TwoFactor.id == row["id"])
                await record(
                    actor,
                    "use_recovery_code",
                    "user",
                    user_id,
                    organisation_id=_organisation(actor),
                )
                return "recovery code"
        else:
            secret = _open_secret(user_id, row["sealed_secret"])
            step = rules.matching_step(secret, code, moment, row["last_used_step"])
            if step is not None:
                await TwoFactor.update(
                    {TwoFactor.last_used_step: step, TwoFactor.failures: 0}
                ).where(TwoFactor.id == row["id"])
                return "authenticator"
        await _count_failure(row, moment, user_id, "sign-in", actor)
    raise NotSignedIn(WRONG_CODE, [FieldError("code", WRONG_CODE)])


async def recovery_codes_left(user_id: UUID) -> int:
    return await RecoveryCode.count().where(
        (RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null()
    )


async def _use_recovery_code(user_id: UUID, code: str, moment: datetime) -> bool:
    found = (
        await RecoveryCode.select(RecoveryCode.id)
        .where(
            (RecoveryCode.user == user_id)
            & (RecoveryCode.code_hash == rules.recovery_code_digest(code))
            & RecoveryCode.used_at.is_null()
        )
        .first()
    )
    if found is None:
        return False
    await RecoveryCode.update({RecoveryCode.used_at: moment}).where(RecoveryCode.id == found["id"])
    return True


def _check_not_locked(row: dict[str, Any], moment: datetime) -> None:
    last = row["last_failure_at"]
    if row["failures"] >= rules.MAX_FAILURES and last is not None:
        until = last + timedelta(minutes=rules.LOCK_MINUTES)
        if moment < until:
            raise RuleBroken(
                f"Too many wrong codes: try again after {rules.LOCK_MINUTES} minutes",
                [FieldError("code", "too many wrong codes: wait, then try again")],
            )


def _organisation(actor: Principal | None) -> UUID | None:
    return actor.organisation_id if actor else None


async def _count_failure(
    row: dict[str, Any], moment: datetime, user_id: UUID, when: str, actor: Principal | None
) -> None:
    """Count a wrong code (committed even though the caller refuses: the lock must hold)."""
    failures = row["failures"] + 1
    last = row["last_failure_at"]
    if last is not None and moment - last > timedelta(minutes=rules.LOCK_MINUTES):
        failures = 1  # an old streak of failures has expired
    await TwoFactor.update({TwoFactor.failures: failures, TwoFactor.last_failure_at: moment}).where(
        TwoFactor.id == row["id"]
    )
    await record(
        actor,
        "two_factor_refused",
        "user",
        user_id,
        organisation_id=_organisation(actor),
        details={"when": when, "failures": failures},
    )
