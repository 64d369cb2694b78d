"""The second factor's rules, pure: time-based one-time codes (RFC 6238, through pyotp), recovery
codes, who must have a second factor, and sealing the shared secret.

A code is six digits for a 30-second step; one step either side is accepted for clock drift,
and a step once used is never accepted again (so an overheard code cannot be replayed). The
shared secret is sealed with AES-256-GCM under a key derived from the key-encryption key, bound
to its user, so that a database reader cannot compute codes. Recovery codes are ten random
single-use codes of 60 bits, shown once and stored as their SHA-256 (high-entropy random codes
need no slow hash).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from uuid import UUID

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STEP_SECONDS = 30
DRIFT_STEPS = 1
ISSUER = "Care call-off marketplace"
RECOVERY_CODES = 10
# Platform admins, commissioners and openers need a second factor in production; providers may.
REQUIRED_ROLES = frozenset({"admin", "commissioner", "opener"})
MAX_FAILURES = 5
LOCK_MINUTES = 15
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_SEALED_FORMAT = b"\x01"


def required_for(role: str, production: bool) -> bool:
    """A second factor is required of platform admins, commissioners and openers in production
    (OWASP ASVS 5.0 level 2, 6.3.3); a provider's is optional."""
    return production and role in REQUIRED_ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def matching_step(
    secret: str, code: str, moment: datetime, last_used_step: int | None
) -> int | None:
    """The time step whose code this is (within one step of `moment`), or None: a code of a step
    already used (`last_used_step` or before) is refused, so each code works once."""
    typed = "".join(code.split())
    if len(typed) != 6 or not typed.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = step_at(moment)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), typed):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like `k7mq-2xzp-h4tr` (12 characters of a 31-letter alphabet: 59 bits)."""
    codes = []
    for _ in range(RECOVERY_CODES):
        letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{letters[:4]}-{letters[4:8]}-{letters[8:]}")
    return codes


def recovery_code_digest(code: str) -> str:
    """What is stored for a recovery code: the SHA-256 of its letters (case, spaces and dashes
    ignored as typed)."""
    letters = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(letters.encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len("".join(ch for ch in code if ch.isalnum())) == 12


def _secret_key(kek: bytes) -> bytes:
    return hmac.new(kek, b"marketplace two-factor secrets v1", hashlib.sha256).digest()


def _binding(user_id: UUID) -> bytes:
    return b"two-factor secret:" + str(user_id).encode()


def seal_secret(kek: bytes, user_id: UUID, secret: str) -> bytes:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_secret_key(kek)).encrypt(nonce, secret.encode(), _binding(user_id))
    return _SEALED_FORMAT + nonce + sealed


def open_secret(kek: bytes, user_id: UUID, blob: bytes) -> str:
    if blob[:1] != _SEALED_FORMAT:
        raise ValueError("not a sealed two-factor secret")
    plain = AESGCM(_secret_key(kek)).decrypt(blob[1:13], blob[13:], _binding(user_id))
    return plain.decode()


def open_secret_under_any(keks: Sequence[bytes], user_id: UUID, blob: bytes) -> tuple[str, bytes]:
    """The secret and the KEK (of `keks`, tried in order) it opened under: during a rotation of
    the KEK, the new one then the one being replaced. InvalidTag if it opens under none."""
    for kek in keks[:-1]:
        with suppress(InvalidTag):
            return open_secret(kek, user_id, blob), kek
    return open_secret(keks[-1], user_id, blob), keks[-1]
