"""A call-off's data key: made on its first bid, kept only wrapped by the key-encryption key (new
keys under the KEK; during a rotation, an old one opens under the KEK being replaced too)."""

from __future__ import annotations

from uuid import UUID

from marketplace.bids.sealing import new_data_key, unwrap_data_key_under_any, wrap_data_key
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
