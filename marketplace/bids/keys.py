"""A call-off's data key: made on its first bid, kept only wrapped by the key-encryption key (new
keys under the KEK; during a rotation, an old one opens under the KEK being replaced too); and a
bid version's receipt key, derived from the call-off's data key whenever it is needed."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypedDict
from uuid import UUID

from marketplace.bids.sealing import (
    RECEIPT_KEYED,
    new_data_key,
    receipt_key,
    unwrap_data_key_under_any,
    wrap_data_key,
)
from marketplace.bids.tables import CallOffKey
from marketplace.config import get_settings


async def call_off_data_key(call_off_id: UUID, *, create: bool = False) -> bytes | None:
    """The call-off's data key, unwrapped; made and stored wrapped when `create` is set and it
    has none yet (inside the caller's transaction); None when it has none."""
    keks = get_settings().key_encryption_keys
    rows = await CallOffKey.raw(_WRAPPED_KEY, call_off_id)  # every bid: no query building
    if rows:
        return unwrap_data_key_under_any(keks, bytes(rows[0]["wrapped_key"]), call_off_id)[0]
    if not create:
        return None
    # Bids on one call-off run side by side: when two make its key at once, the first to commit
    # wins and the other takes that one (the unique call-off column decides).
    data_key = new_data_key()
    wrapped = wrap_data_key(keks[0], data_key, call_off_id)
    await CallOffKey.insert(CallOffKey(call_off=call_off_id, wrapped_key=wrapped)).on_conflict(
        target=CallOffKey.call_off, action="DO NOTHING"
    )
    return await call_off_data_key(call_off_id)


_WRAPPED_KEY = "SELECT wrapped_key FROM call_off_key WHERE call_off = {}"

# The data keys of call-offs bid for lately, unwrapped, in this process's memory: a data key
# never changes once committed (a KEK rotation re-wraps it, the key itself stays), so a bid need
# not read and unwrap it again. Only a key known to be committed is remembered (the caller says
# so after its transaction has committed: a key made in a transaction that rolled back is never
# kept). The process holds the KEK, which opens every wrapped key, so this exposes nothing more.
_KNOWN_KEYS: OrderedDict[UUID, bytes] = OrderedDict()
KNOWN_KEYS_LIMIT = 1024


def known_data_key(call_off_id: UUID) -> bytes | None:
    """The call-off's data key if this process has it in memory (committed), else None."""
    key = _KNOWN_KEYS.get(call_off_id)
    if key is not None:
        _KNOWN_KEYS.move_to_end(call_off_id)
    return key


def remember_data_key(call_off_id: UUID, data_key: bytes) -> None:
    """Keep the call-off's data key in memory; call only once the key is committed."""
    _KNOWN_KEYS[call_off_id] = data_key
    _KNOWN_KEYS.move_to_end(call_off_id)
    while len(_KNOWN_KEYS) > KNOWN_KEYS_LIMIT:
        _KNOWN_KEYS.popitem(last=False)


async def data_keys_of(call_off_ids: list[UUID]) -> dict[UUID, bytes]:
    """The data keys of these call-offs that have one, unwrapped, in one query."""
    if not call_off_ids:
        return {}
    keks = get_settings().key_encryption_keys
    rows = await CallOffKey.select(CallOffKey.call_off, CallOffKey.wrapped_key).where(
        CallOffKey.call_off.is_in(list(set(call_off_ids)))
    )
    return {
        UUID(str(row["call_off"])): unwrap_data_key_under_any(
            keks, bytes(row["wrapped_key"]), UUID(str(row["call_off"]))
        )[0]
        for row in rows
    }


class DigestWords(TypedDict):
    digest_algorithm: str
    digest_key: str | None


def digest_words(
    data_key: bytes | None, bid_id: UUID, version: int, receipt_version: int
) -> DigestWords:
    """How a receipt's digest is checked, for its bidder: the algorithm and, when keyed, the
    key in hex (the `digest_algorithm` and `digest_key` of a receipt); `data_key` is the
    call-off's."""
    if receipt_version != RECEIPT_KEYED or data_key is None:
        return DigestWords(digest_algorithm="SHA-256", digest_key=None)
    return DigestWords(
        digest_algorithm="HMAC-SHA256", digest_key=receipt_key(data_key, bid_id, version).hex()
    )
