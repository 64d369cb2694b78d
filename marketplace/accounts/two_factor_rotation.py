"""Re-sealing every two-factor secret under a new key-encryption key, during a rotation of the KEK
(docs/operations.md 3; the call-off data keys are re-wrapped by bids.key_rotation, which calls
this). Batch by batch, each in its own transaction with its audit event: stopped anywhere, a
second run finishes, skipping every secret already under the new KEK."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from cryptography.exceptions import InvalidTag

from marketplace.accounts import two_factor_rules as rules
from marketplace.accounts.tables import TwoFactor
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction

BATCH = 100


@dataclass
class Resealed:
    """What a run did with the two-factor secrets."""

    resealed: int = 0
    already: int = 0
    unopenable: list[UUID] = field(default_factory=list)  # users whose secret opens under neither


async def reseal_two_factor_secrets(new_kek: bytes, old_kek: bytes, limit: int | None) -> Resealed:
    """Re-seal under `new_kek` every secret that opens under `old_kek`, at most `limit` of them."""
    done = Resealed()
    after: UUID | None = None
    while limit is None or done.resealed < limit:
        async with write_transaction():
            query = TwoFactor.select(TwoFactor.id, TwoFactor.user, TwoFactor.sealed_secret)
            if after is not None:
                query = query.where(TwoFactor.id > after)
            rows = await for_update(query.order_by(TwoFactor.id).limit(BATCH))
            if not rows:
                break
            users: list[str] = []
            for row in rows:
                after = row["id"]
                if limit is not None and done.resealed + len(users) >= limit:
                    break
                user, sealed = row["user"], bytes(row["sealed_secret"])
                try:
                    secret, kek = rules.open_secret_under_any([new_kek, old_kek], user, sealed)
                except InvalidTag:
                    done.unopenable.append(user)
                    continue
                if kek == new_kek:
                    done.already += 1
                    continue
                await TwoFactor.update(
                    {TwoFactor.sealed_secret: rules.seal_secret(new_kek, user, secret)}
                ).where(TwoFactor.id == row["id"])
                users.append(str(user))
            if users:
                await record(None, "reseal_two_factor_secrets", "user", details={"users": users})
            done.resealed += len(users)
    return done
