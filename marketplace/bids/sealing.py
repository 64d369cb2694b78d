"""Sealed bids at rest (docs/design.md section 5), pure: keys are arguments, nothing is stored or read.

A bid's canonical content is sealed with AES-256-GCM under its call-off's data key; the data key is
itself wrapped with AES-256-GCM under the key-encryption key (KEK). Both blobs have one layout:

    format byte (0x01) | 96-bit random nonce | ciphertext and 128-bit tag

The associated data names what the blob belongs to (the call-off; for a bid also the provider and
the version) behind a purpose label, so a blob moved to another row, or a wrapped key offered as a
bid, does not open. A receipt's digest is an HMAC of the canonical content under a key derived
from the KEK for that bid version (its receipt key, given to the bidder with the receipt). See
README.md here for the words.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = 1
# A receipt's digest: 1, a plain SHA-256 of the canonical content (receipts made before they
# were keyed, still checked at opening); 2, an HMAC-SHA256 under the bid version's receipt key.
RECEIPT_UNKEYED = 1
RECEIPT_KEYED = 2
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


class SealBroken(Exception):
    """A wrapped key or a sealed bid does not open: wrong key, wrong owner, or altered."""


def canonical_bid_content(content: Mapping[str, Any]) -> bytes:
    """The bytes a bid's digest is taken over: JSON with keys sorted by code point, no whitespace,
    UTF-8; fields that are None are left out (absent and null mean the same); lists keep the order
    the provider gave; integers and booleans stay JSON numbers and literals; dates are YYYY-MM-DD;
    UUIDs their lowercase text; Decimals strings of their exact digits ("21.50" is not "21.5": the
    service fixes a Decimal's places before it gets here). Floats and datetimes are refused."""
    return json.dumps(
        _canonical_value(content),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def bid_digest(content: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a bid's canonical content: what a receipt of version 1 (unkeyed,
    before receipts were keyed) names."""
    return hashlib.sha256(canonical_bid_content(content)).hexdigest()


def receipt_key(data_key: bytes, bid_id: UUID, version: int) -> bytes:
    """The key of one bid version's receipt digest: an HMAC of the bid and version under a key
    derived from the call-off's data key, so the same bid version always has the same key, the
    database holds none (the data key is kept only wrapped), each receipt's key opens no other,
    and a rotation of the key-encryption key (which re-wraps the data key, never changes it)
    leaves every receipt verifiable."""
    if isinstance(version, bool) or not isinstance(version, int):
        raise TypeError("a bid's version is an integer")
    master = hmac.new(data_key, b"care-marketplace/bid-receipt-key/v2", hashlib.sha256).digest()
    binding = f"bid={_uuid_text(bid_id)}|version={version}".encode()
    return hmac.new(master, binding, hashlib.sha256).digest()


def keyed_bid_digest(key: bytes, content: Mapping[str, Any]) -> str:
    """The HMAC-SHA256 (hex) of a bid's canonical content under its receipt key: what a receipt
    of version 2 names. Without the key (given to the bidder alone, with the receipt) nobody can
    test guessed rates against the digest; with it, the bidder checks the digest of what it
    sent."""
    return hmac.new(key, canonical_bid_content(content), hashlib.sha256).hexdigest()


def receipt_digest(
    receipt_version: int, data_key: bytes, bid_id: UUID, version: int, content: Mapping[str, Any]
) -> str:
    """The digest a receipt of this version names for this content (2: keyed, 1: plain)."""
    if receipt_version == RECEIPT_UNKEYED:
        return bid_digest(content)
    if receipt_version == RECEIPT_KEYED:
        return keyed_bid_digest(receipt_key(data_key, bid_id, version), content)
    raise ValueError(f"unknown receipt version {receipt_version}")


def _canonical_value(value: Any) -> Any:
    # bool before int (bool is an int), datetime before date (datetime is a date).
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("bid content keys must be strings")
        return {key: _canonical_value(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_canonical_value(item) for item in value]
    if isinstance(value, datetime):
        raise TypeError("bid content holds dates, not moments: give a date")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("bid content cannot hold an infinite or NaN Decimal")
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError("bid content cannot hold a float (not exact): use integer pence or Decimal")
    raise TypeError(f"bid content cannot hold a {type(value).__name__}")


def kek_fingerprint(kek: bytes) -> str:
    """A name for a key-encryption key that reveals nothing of it (for the audit log): 16 hex
    digits of the SHA-256 of a label and the key."""
    return hashlib.sha256(b"care-marketplace/kek-fingerprint/v1|" + kek).hexdigest()[:16]


def new_data_key() -> bytes:
    """A fresh random 256-bit data key for one call-off."""
    return os.urandom(KEY_BYTES)


def wrap_data_key(kek: bytes, data_key: bytes, call_off_id: UUID) -> bytes:
    """The data key encrypted under the KEK, bound to its call-off."""
    _check_key(data_key, "data key")
    return _encrypt(kek, "key-encryption key", data_key, _key_binding(call_off_id))


def unwrap_data_key(kek: bytes, wrapped: bytes, call_off_id: UUID) -> bytes:
    """The call-off's data key; SealBroken if the KEK is wrong, the key is another call-off's, or
    the wrapped key was altered."""
    return _decrypt(
        kek,
        "key-encryption key",
        wrapped,
        _key_binding(call_off_id),
        "the data key does not unwrap: wrong key-encryption key, another call-off's key, or altered",
    )


def unwrap_data_key_under_any(
    keks: Sequence[bytes], wrapped: bytes, call_off_id: UUID
) -> tuple[bytes, bytes]:
    """The call-off's data key and the KEK (of `keks`, tried in order) it opened under: during a
    rotation, the new KEK then the one being replaced. SealBroken if it opens under none."""
    for kek in keks[:-1]:
        with suppress(SealBroken):
            return unwrap_data_key(kek, wrapped, call_off_id), kek
    return unwrap_data_key(keks[-1], wrapped, call_off_id), keks[-1]


def rewrap_data_key(old_kek: bytes, new_kek: bytes, wrapped: bytes, call_off_id: UUID) -> bytes:
    """The data key wrapped under `old_kek`, wrapped under `new_kek` instead (checked to unwrap to
    the same key before it is handed back). SealBroken if it does not open under `old_kek`."""
    data_key = unwrap_data_key(old_kek, wrapped, call_off_id)
    rewrapped = wrap_data_key(new_kek, data_key, call_off_id)
    if unwrap_data_key(new_kek, rewrapped, call_off_id) != data_key:  # never: AES-GCM round trip
        raise SealBroken("the re-wrapped data key does not unwrap to the same key")
    return rewrapped


def seal_bid(
    data_key: bytes, plaintext: bytes, call_off_id: UUID, provider_id: UUID, version: int
) -> bytes:
    """A bid's content encrypted under its call-off's data key (a fresh nonce every time), bound to
    the call-off, the provider and the bid's version."""
    return _encrypt(
        data_key, "data key", plaintext, _bid_binding(call_off_id, provider_id, version)
    )


def open_bid(
    data_key: bytes, sealed: bytes, call_off_id: UUID, provider_id: UUID, version: int
) -> bytes:
    """A sealed bid's content; SealBroken if it is not this call-off's, provider's and version's,
    or was altered (AES-GCM cannot say which)."""
    return _decrypt(
        data_key,
        "data key",
        sealed,
        _bid_binding(call_off_id, provider_id, version),
        "the sealed bid does not belong to this call-off, provider and version, or was altered",
    )


def seal_attachment(
    data_key: bytes, plaintext: bytes, call_off_id: UUID, provider_id: UUID, attachment_id: UUID
) -> bytes:
    """A bid attachment's bytes (or its sealed description) encrypted under the call-off's data
    key, bound to the call-off, the provider and the attachment."""
    return _encrypt(
        data_key,
        "data key",
        plaintext,
        _attachment_binding(call_off_id, provider_id, attachment_id),
    )


def open_attachment(
    data_key: bytes, sealed: bytes, call_off_id: UUID, provider_id: UUID, attachment_id: UUID
) -> bytes:
    """A sealed attachment's bytes; SealBroken if they are not this attachment's or were altered."""
    return _decrypt(
        data_key,
        "data key",
        sealed,
        _attachment_binding(call_off_id, provider_id, attachment_id),
        "the sealed attachment does not belong to this bid, or was altered",
    )


def _attachment_binding(call_off_id: UUID, provider_id: UUID, attachment_id: UUID) -> bytes:
    return (
        f"care-marketplace/sealed-attachment/v1|call-off={_uuid_text(call_off_id)}"
        f"|provider={_uuid_text(provider_id)}|attachment={_uuid_text(attachment_id)}"
    ).encode()


def _key_binding(call_off_id: UUID) -> bytes:
    return f"care-marketplace/bid-data-key/v1|call-off={_uuid_text(call_off_id)}".encode()


def _bid_binding(call_off_id: UUID, provider_id: UUID, version: int) -> bytes:
    if isinstance(version, bool) or not isinstance(version, int):
        raise TypeError("a bid's version is an integer")
    return (
        f"care-marketplace/sealed-bid/v1|call-off={_uuid_text(call_off_id)}"
        f"|provider={_uuid_text(provider_id)}|version={version}"
    ).encode()


def _uuid_text(value: UUID) -> str:
    # Accepts the text of a UUID too, in any case, so a row read back as text still binds the same.
    return str(value if isinstance(value, UUID) else UUID(str(value)))


def _check_key(key: bytes, name: str) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"the {name} must be {KEY_BYTES} bytes")


def _encrypt(key: bytes, key_name: str, plaintext: bytes, binding: bytes) -> bytes:
    _check_key(key, key_name)
    header = bytes([FORMAT_V1])
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + binding)


def _decrypt(key: bytes, key_name: str, blob: bytes, binding: bytes, broken: str) -> bytes:
    _check_key(key, key_name)
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES:
        raise SealBroken(f"{broken} (too short to be sealed)")
    if blob[0] != FORMAT_V1:
        raise SealBroken(f"{broken} (unknown format {blob[0]})")
    header, nonce, ciphertext = blob[:1], blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, header + binding)
    except InvalidTag:
        raise SealBroken(broken) from None
