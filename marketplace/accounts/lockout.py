"""Abuse limits on signing in and on creating API tokens (OWASP ASVS 5.0, V6.3).

Wrong passwords are counted per account (the email tried, whether or not it has an account, so
that a refusal never tells which emails exist) and per source address, over a 15-minute window:
- 5 wrong passwords for one email lock it for 15 minutes: every attempt, even with the right
  password, is refused with 429 and Retry-After; the lockout is audited and, when the email is an
  account's, the account holder is told by email;
- 30 wrong passwords from one address refuse that address's attempts until its window ends.
A right password clears the account's count. The counters live in Redis when it is configured
(shared by every web process), in the process otherwise (web/limits.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import TooManyRequests
from marketplace.notifications.outbox import add_email
from marketplace.web.limits import counters, source_address

ACCOUNT_FAILURES_BEFORE_LOCK = 5
ADDRESS_FAILURES_BEFORE_LIMIT = 30
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60


def _key(kind: str, value: str) -> str:
    # Hashed: no email address or IP address is written to Redis as it is.
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


async def refuse_if_limited(email: str) -> None:
    """429 when this email is locked or this address has failed too often."""
    limits = counters()
    lock = await limits.read(_key("locked", email))
    if lock.value:
        raise TooManyRequests(
            "Too many wrong passwords for this email address: "
            f"try again in {_minutes(lock.seconds_left)}",
            lock.seconds_left,
        )
    address = await limits.read(_key("address", source_address.get()))
    if address.value >= ADDRESS_FAILURES_BEFORE_LIMIT:
        raise TooManyRequests(
            "Too many failed attempts to sign in from your network: "
            f"try again in {_minutes(address.seconds_left)}",
            address.seconds_left,
        )


async def note_failure(email: str, account: dict[str, Any] | None) -> None:
    """Count a wrong password; lock the email at the limit (audited, the holder emailed)."""
    limits = counters()
    address = await limits.add(_key("address", source_address.get()), WINDOW_SECONDS)
    if address.value == ADDRESS_FAILURES_BEFORE_LIMIT:
        await record(
            None,
            "sign_in_address_limited",
            "user",
            None,
            details={"failures": address.value, "window_seconds": WINDOW_SECONDS},
        )
    failures = await limits.add(_key("failures", email), WINDOW_SECONDS)
    if failures.value < ACCOUNT_FAILURES_BEFORE_LOCK:
        return
    await limits.mark(_key("locked", email), LOCK_SECONDS)
    await limits.clear(_key("failures", email))
    async with write_transaction():
        await record(
            None,
            "account_locked",
            "user",
            account["id"] if account else None,
            organisation_id=account["organisation_id"] if account else None,
            details={
                "email": email[:254],
                "failures": failures.value,
                "locked_for_seconds": LOCK_SECONDS,
            },
        )
        if account is not None:
            await add_email(
                account["email"],
                "account_locked",
                {"failures": failures.value, "minutes": LOCK_SECONDS // 60},
            )


async def note_success(email: str) -> None:
    await counters().clear(_key("failures", email))
