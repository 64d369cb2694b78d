"""A call-off's data key: made on its first bid, kept only wrapped by the key-encryption key; and
a bid version's receipt key, derived from the key-encryption key whenever it is needed."""

from __future__ import annotations

from typing import TypedDict
from uuid import UUID

from marketplace.bids.sealing import (
    RECEIPT_KEYED,
    new_data_key,
    receipt_key,
    unwrap_data_key,
    wrap_data_key,
)
from marketplace.bids.tables import CallOffKey
from marketplace.config import get_settings


async def call_off_data_key(call_off_id: UUID, *, create: bool = False) -> bytes | None:
    """The call-off's data key, unwrapped; made and stored wrapped when `create` is set and it
    has none yet (inside the caller's transaction); None when it has none."""
    kek = get_settings().key_encryption_key
    rows = await CallOffKey.raw(_WRAPPED_KEY, call_off_id)  # every bid: no query building
    if rows:
        return unwrap_data_key(kek, bytes(rows[0]["wrapped_key"]), call_off_id)
    if not create:
        return None
    # Bids on one call-off run side by side: when two make its key at once, the first to commit
    # wins and the other takes that one (the unique call-off column decides).
    data_key = new_data_key()
    wrapped = wrap_data_key(kek, data_key, call_off_id)
    await CallOffKey.insert(CallOffKey(call_off=call_off_id, wrapped_key=wrapped)).on_conflict(
        target=CallOffKey.call_off, action="DO NOTHING"
    )
    return await call_off_data_key(call_off_id)


_WRAPPED_KEY = "SELECT wrapped_key FROM call_off_key WHERE call_off = {}"


def receipt_key_of(bid_id: UUID, version: int) -> bytes:
    """The key of this bid version's receipt digest (never stored: derived from the KEK)."""
    return receipt_key(get_settings().key_encryption_key, bid_id, version)


class DigestWords(TypedDict):
    digest_algorithm: str
    digest_key: str | None


def digest_words(bid_id: UUID, version: int, receipt_version: int) -> DigestWords:
    """How a receipt's digest is checked, for its bidder: the algorithm and, when keyed, the
    key in hex (the `digest_algorithm` and `digest_key` of a receipt)."""
    if receipt_version != RECEIPT_KEYED:
        return DigestWords(digest_algorithm="SHA-256", digest_key=None)
    return DigestWords(
        digest_algorithm="HMAC-SHA256", digest_key=receipt_key_of(bid_id, version).hex()
    )
