"""Signing in: checking credentials, browser sessions, API tokens, and who a request is from."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from marketplace.accounts import schemas, two_factor
from marketplace.accounts.lockout import note_failure, note_success, refuse_if_limited
from marketplace.accounts.passwords import password_matches
from marketplace.accounts.tables import ApiToken, BrowserSession, User
from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import FieldError, NotAllowed, NotSignedIn
from marketplace.principal import Principal

# A browser session ends 12 hours after sign-in whatever happens, and sooner after 30 minutes
# without a request (OWASP ASVS 5.0, V7.3).
SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
# How stale last_seen_at may be before a request writes it again (not one write per request).
_LAST_SEEN_GRANULARITY = timedelta(minutes=1)
PENDING_LIFETIME = timedelta(minutes=10)  # to give the second factor after the password
API_TOKEN_LIFETIME = timedelta(days=30)
API_TOKEN_PREFIX = "mkt_"  # noqa: S105 (a prefix that marks our tokens, not a secret)
WRONG_CREDENTIALS = "The email address or password is not right"


def digest(token: str) -> str:
    """What is stored for a secret token: its SHA-256, so a database reader cannot use it."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


_PRINCIPAL_COLUMNS = (
    User.id,
    User.email,
    User.role,
    User.active,
    User.organisation.id.as_alias("organisation_id"),
    User.organisation.kind.as_alias("organisation_kind"),
    User.organisation.name.as_alias("organisation_name"),
)


async def _check_credentials(email: str, password: str, via: str) -> Principal:
    """The user these credentials are right for; a refusal is audited, with the email tried."""
    email = email.strip().lower()
    await refuse_if_limited(email)
    row = (
        await User.select(*_PRINCIPAL_COLUMNS, User.password_hash)
        .where(User.email == email)
        .first()
    )
    matches = await password_matches(row["password_hash"] if row else None, password)
    principal = _principal(row, via) if row is not None and matches else None
    if principal is None:
        reason = "unknown email" if row is None else "wrong password" if not matches else "inactive"
        await record(
            None,
            "sign_in_refused",
            "user",
            row["id"] if row else None,
            organisation_id=row["organisation_id"] if row else None,
            details={"email": email[:254], "via": via, "reason": reason},
        )
        await note_failure(email, row)
        raise NotSignedIn(WRONG_CREDENTIALS)
    await note_success(email)
    return principal


async def issue_api_token(body: schemas.TokenCreate) -> schemas.TokenCreated:
    """Exchange an email and password for a bearer token that expires; a user with a second
    factor (enrolled, or required of its role in production) must also give its code, and a
    required one not yet enrolled must enrol in the browser first."""
    user = await _check_credentials(body.email, body.password, "token")
    needed, enrolled = await two_factor.needs_second_factor(user.signed_in_user, user.role)
    if needed and not enrolled:
        raise NotAllowed(
            "Set up two-factor sign-in in the browser first: your role needs it to create tokens"
        )
    if needed:
        if not body.code:
            raise NotSignedIn(
                "Give the code from your authenticator app",
                [FieldError("code", "is required: this account signs in with two factors")],
            )
        await two_factor.check_code(user.signed_in_user, body.code, actor=user)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now() + API_TOKEN_LIFETIME
    async with write_transaction():
        api_token = ApiToken(
            token_hash=digest(token), user=user.user_id, expires_at=expires_at, second_factor=needed
        )
        await api_token.save()
        await record(
            user,
            "issue_api_token",
            "api_token",
            api_token.id,
            organisation_id=user.organisation_id,
            details={"expires_at": expires_at, "second_factor": needed},
        )
    return schemas.TokenCreated(token=token, expires_at=expires_at)


class BrowserSignIn(NamedTuple):
    """A new session's token for the cookie, and what it still waits for: None (signed in),
    "code" (the second factor) or "enrolment" (setting one up, required of the role)."""

    token: str
    awaiting: str | None


async def sign_in_browser(email: str, password: str) -> BrowserSignIn:
    """Check the password and start a session; with a second factor needed, the session signs
    nobody in until it is given (or, required but not enrolled, set up)."""
    user = await _check_credentials(email, password, "session")
    needed, enrolled = await two_factor.needs_second_factor(user.signed_in_user, user.role)
    awaiting = ("code" if enrolled else "enrolment") if needed else None
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await BrowserSession(
            token_hash=digest(token),
            user=user.user_id,
            expires_at=now() + (PENDING_LIFETIME if awaiting else SESSION_LIFETIME),
            awaiting=awaiting,
        ).save()
        await record(
            user,
            "sign_in" if awaiting is None else "sign_in_password_checked",
            "user",
            user.user_id,
            organisation_id=user.organisation_id,
        )
    return BrowserSignIn(token, awaiting)


async def start_browser_session(email: str, password: str) -> str:
    """Sign a browser in: returns the new session token for its cookie."""
    return (await sign_in_browser(email, password)).token


class PendingSignIn(NamedTuple):
    """A browser whose password was right, and what its session waits for."""

    user: Principal
    awaiting: str


async def pending_sign_in(token: str) -> PendingSignIn | None:
    """The user of a session waiting for its second factor, and what it waits for."""
    rows = await BrowserSession.raw(_SESSION_SQL, digest(token))
    if not rows or rows[0]["expires_at"] <= now() or rows[0]["awaiting"] is None:
        return None
    principal = _principal(rows[0], "session")
    return None if principal is None else PendingSignIn(principal, rows[0]["awaiting"])


async def pass_second_factor(token: str) -> str:
    """The session that has just passed its second factor is replaced by a new one (a new
    cookie, so a token seen before it is worth nothing), recorded as having passed it."""
    new_token = secrets.token_urlsafe(32)
    async with write_transaction():
        rows = await BrowserSession.raw(_SESSION_SQL, digest(token))
        if not rows:
            raise NotSignedIn("Sign in again")
        moment = now()
        await BrowserSession.update(
            {
                BrowserSession.token_hash: digest(new_token),
                BrowserSession.awaiting: None,
                BrowserSession.second_factor_at: moment,
                BrowserSession.expires_at: moment + SESSION_LIFETIME,
            }
        ).where(BrowserSession.token_hash == digest(token))
        await record(
            _principal(rows[0], "session"),
            "sign_in",
            "user",
            rows[0]["id"],
            organisation_id=rows[0]["organisation_id"],
            details={"second_factor": True},
        )
    return new_token


async def end_sessions_and_tokens(user_id: UUID) -> tuple[int, int]:
    """End every browser session and revoke every live API token of a user, inside the caller's
    write transaction (which audits why): returns (sessions ended, tokens revoked). Used by
    signing out everywhere, deactivating a user and resetting a user's second factor."""
    sessions = await BrowserSession.count().where(BrowserSession.user == user_id)
    await BrowserSession.delete().where(BrowserSession.user == user_id)
    live_tokens = (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
    tokens = await ApiToken.count().where(live_tokens)
    await ApiToken.update({ApiToken.revoked_at: now()}).where(live_tokens)
    return int(sessions), int(tokens)


async def end_every_session(user: Principal) -> int:
    """Sign a user out everywhere: every browser session ended and every API token revoked
    (audited with how many of each). Returns how many were ended."""
    async with write_transaction():
        sessions, tokens = await end_sessions_and_tokens(user.signed_in_user)
        await record(
            user,
            "sign_out_everywhere",
            "user",
            user.user_id,
            organisation_id=user.organisation_id,
            details={"sessions_ended": sessions, "tokens_revoked": tokens},
        )
    return sessions + tokens


async def end_browser_session(token: str) -> None:
    async with write_transaction():
        user = await principal_for_session(token)
        await BrowserSession.delete().where(BrowserSession.token_hash == digest(token))
        if user is not None:
            await record(
                user, "sign_out", "user", user.user_id, organisation_id=user.organisation_id
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
        second_factor=bool(row.get("second_factor")),
    )


# Every request is identified by one of these: one hand-written query each (no query building),
# the expiry and revocation checked here so that no moment is compared in SQL text on SQLite.
_PRINCIPAL_SQL = """
SELECT u.id AS id, u.email AS email, u.role AS role, u.active AS active,
       o.id AS organisation_id, o.kind AS organisation_kind, o.name AS organisation_name,
       c.expires_at AS expires_at{extra}
FROM {table} c JOIN app_user u ON u.id = c."user" LEFT JOIN organisation o ON o.id = u.organisation
WHERE c.token_hash = {{}}
"""
_SESSION_SQL = _PRINCIPAL_SQL.format(
    table="browser_session",
    extra=(
        ", c.last_seen_at AS last_seen, c.awaiting AS awaiting,"
        " c.second_factor_at IS NOT NULL AS second_factor,"
        ' EXISTS (SELECT 1 FROM two_factor t WHERE t."user" = u.id'
        " AND t.enrolled_at IS NOT NULL) AS enrolled"
    ),
)
_TOKEN_SQL = _PRINCIPAL_SQL.format(
    table="api_token", extra=", c.revoked_at AS revoked_at, c.second_factor AS second_factor"
)


async def principal_for_session(token: str) -> Principal | None:
    """The signed-in user of a browser session cookie, if the session is live."""
    token_hash = digest(token)
    rows = await BrowserSession.raw(_SESSION_SQL, token_hash)
    moment = now()
    if not rows or rows[0]["expires_at"] <= moment or rows[0]["awaiting"] is not None:
        return None
    last_seen = rows[0]["last_seen"]
    if last_seen + SESSION_IDLE_TIMEOUT <= moment:
        return None
    if not rows[0]["second_factor"] and rows[0]["active"]:
        awaiting = _second_factor_now_needed(rows[0])
        if awaiting is not None:
            await _ask_for_second_factor(token_hash, rows[0], awaiting, moment)
            return None
    if last_seen + _LAST_SEEN_GRANULARITY <= moment:
        await BrowserSession.update({BrowserSession.last_seen_at: moment}).where(
            BrowserSession.token_hash == token_hash
        )
    return _principal(rows[0], "session")


def _second_factor_now_needed(row: dict[str, Any]) -> str | None:
    """What a live session opened without the second factor now waits for, when its user needs
    one (enrolled since, reset by an admin, or required of the role since a production deploy):
    "code" or "enrolment"; None when it may go on."""
    if row["enrolled"]:
        return "code"
    return "enrolment" if two_factor.required_here(row["role"]) else None


async def _ask_for_second_factor(
    token_hash: str, row: dict[str, Any], awaiting: str, moment: datetime
) -> None:
    """Turn a session opened without the second factor into one waiting for it (for at most
    PENDING_LIFETIME), so that its next page sends the browser to the code or to enrolment."""
    expires = min(row["expires_at"], moment + PENDING_LIFETIME)
    async with write_transaction():
        await BrowserSession.update(
            {BrowserSession.awaiting: awaiting, BrowserSession.expires_at: expires}
        ).where(BrowserSession.token_hash == token_hash)
        await record(
            _principal(row, "session"),
            "second_factor_asked",
            "user",
            row["id"],
            organisation_id=row["organisation_id"],
            details={"awaiting": awaiting},
        )


async def principal_for_api_token(token: str) -> Principal | None:
    """The user of a bearer token that is neither expired nor revoked."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    rows = await ApiToken.raw(_TOKEN_SQL, digest(token))
    if not rows or rows[0]["expires_at"] <= now() or rows[0]["revoked_at"] is not None:
        return None
    return _principal(rows[0], "token")


async def principal_for_email(email: str) -> Principal | None:
    """The active user with this email acting as the system does for them (the demo loader
    acts as its demo users; never reachable from a request)."""
    row = await User.select(*_PRINCIPAL_COLUMNS).where(User.email == email.strip().lower()).first()
    return _principal(row, "token") if row else None
