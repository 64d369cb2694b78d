"""`marketplace keys rotate-kek`: re-wrap every call-off data key, and re-seal every two-factor
secret, under a new key-encryption key (docs/design.md 5.2, docs/operations.md 3).

The web and worker processes run with MARKETPLACE_KEK set to the new KEK and
MARKETPLACE_PREVIOUS_KEK to the old one, so that whatever is not re-wrapped yet still opens. The
rotation goes batch by batch, each batch in its own transaction with its audit event, so it can be
stopped anywhere (or given a --limit) and run again: a key that already opens under the new KEK is
left as it is, so none is wrapped twice, and a key is replaced only by one checked to unwrap to
the same data key, so none is lost. When nothing is left under the old KEK it records
`rotate_kek`; then MARKETPLACE_PREVIOUS_KEK can be removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from marketplace.accounts.two_factor_rotation import Resealed, reseal_two_factor_secrets
from marketplace.audit.service import record
from marketplace.bids.sealing import (
    SealBroken,
    kek_fingerprint,
    rewrap_data_key,
    unwrap_data_key_under_any,
)
from marketplace.bids.tables import CallOffKey
from marketplace.config import Settings, get_settings
from marketplace.db import for_update, write_transaction

BATCH = 100


class RotationRefused(Exception):
    """The environment does not describe a rotation."""


@dataclass
class Rotation:
    """What one run of the rotation did."""

    rewrapped: int = 0
    already: int = 0
    unopenable: list[UUID] = field(default_factory=list)  # call-offs whose key opens under neither
    two_factor: Resealed = field(default_factory=Resealed)
    complete: bool = False

    def describe(self) -> str:
        lines = [
            f"Data keys re-wrapped under the new key-encryption key: {self.rewrapped} "
            f"({self.already} were already).",
            f"Two-factor secrets re-sealed: {self.two_factor.resealed} "
            f"({self.two_factor.already} were already).",
        ]
        if self.unopenable or self.two_factor.unopenable:
            names = [f"call-off {c}" for c in self.unopenable]
            names += [f"user {u}'s two-factor secret" for u in self.two_factor.unopenable]
            lines.append(
                "These open under neither key and were left as they are: " + ", ".join(names)
            )
        elif self.complete:
            lines.append(
                "Rotation complete: everything is under the new key. Remove "
                "MARKETPLACE_PREVIOUS_KEK and restart every process."
            )
        else:
            lines.append("Stopped at the limit: run the command again to finish.")
        return "\n".join(lines)


def _keys(settings: Settings) -> tuple[bytes, bytes]:
    old = settings.previous_key_encryption_key
    if old is None:
        raise RotationRefused(
            "MARKETPLACE_PREVIOUS_KEK is not set: set MARKETPLACE_KEK to the new key and "
            "MARKETPLACE_PREVIOUS_KEK to the one it replaces"
        )
    if old == settings.key_encryption_key:
        raise RotationRefused("MARKETPLACE_KEK and MARKETPLACE_PREVIOUS_KEK are the same key")
    return settings.key_encryption_key, old


async def _rewrap_batch(
    new: bytes, old: bytes, after: UUID | None, room: int | None
) -> tuple[Rotation, UUID | None]:
    """One batch in one transaction; returns what it did and the last id it looked at (None when
    there was nothing left)."""
    done = Rotation()
    rewrapped: list[str] = []
    async with write_transaction():
        query = CallOffKey.select(CallOffKey.id, CallOffKey.call_off, CallOffKey.wrapped_key)
        if after is not None:
            query = query.where(CallOffKey.id > after)
        rows = await for_update(query.order_by(CallOffKey.id).limit(BATCH))
        last = None
        for row in rows:
            if room is not None and done.rewrapped >= room:
                break
            last = row["id"]
            call_off, wrapped = row["call_off"], bytes(row["wrapped_key"])
            try:
                _, kek = unwrap_data_key_under_any([new, old], wrapped, call_off)
            except SealBroken:
                done.unopenable.append(call_off)
                continue
            if kek == new:
                done.already += 1
                continue
            await CallOffKey.update(
                {CallOffKey.wrapped_key: rewrap_data_key(old, new, wrapped, call_off)}
            ).where(CallOffKey.id == row["id"])
            done.rewrapped += 1
            rewrapped.append(str(call_off))
        if rewrapped:
            await record(
                None,
                "rewrap_data_keys",
                "call_off_key",
                kek_fingerprint(new),
                details={"count": len(rewrapped), "call_offs": rewrapped},
            )
    return done, last


async def rotate_key_encryption_key(limit: int | None = None) -> Rotation:
    """Re-wrap (at most `limit` of) the data keys and two-factor secrets still under the previous
    KEK; records `rotate_kek` once nothing is left under it."""
    new, old = _keys(get_settings())
    total = Rotation()
    after: UUID | None = None
    while limit is None or total.rewrapped < limit:
        room = None if limit is None else limit - total.rewrapped
        batch, after = await _rewrap_batch(new, old, after, room)
        total.rewrapped += batch.rewrapped
        total.already += batch.already
        total.unopenable += batch.unopenable
        if after is None:
            break
    room = None if limit is None else max(0, limit - total.rewrapped)
    if room != 0:
        total.two_factor = await reseal_two_factor_secrets(new, old, room)
    total.complete = (
        limit is None or total.rewrapped + total.two_factor.resealed < limit
    ) and not (total.unopenable or total.two_factor.unopenable)
    if total.complete:
        await record(
            None,
            "rotate_kek",
            "key_encryption_key",
            kek_fingerprint(new),
            details={
                "previous_kek": kek_fingerprint(old),
                "data_keys_rewrapped": total.rewrapped,
                "data_keys_already": total.already,
                "two_factor_resealed": total.two_factor.resealed,
                "two_factor_already": total.two_factor.already,
            },
        )
    return total
