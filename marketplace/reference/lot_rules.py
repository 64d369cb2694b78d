"""A lot's own rules, set by a platform admin: one provider per area (docs/design.md 4.16)."""

from __future__ import annotations

from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import NotAllowed, NotFound
from marketplace.principal import Principal
from marketplace.reference import schemas
from marketplace.reference.service import lot_by_code
from marketplace.reference.tables import Lot


async def put_lot_rules(actor: Principal, lot_code: str, body: schemas.LotRulesPut) -> schemas.Lot:
    """A platform admin sets the lot's rules; the change is audited with the old and new values."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin sets a lot's rules")
    async with write_transaction():
        old = await for_update(Lot.select().where(Lot.code == lot_code)).first()
        if old is None:
            raise NotFound(f"There is no lot with the code {lot_code}")
        await Lot.update({Lot.one_provider_per_area: body.one_provider_per_area}).where(
            Lot.id == old["id"]
        )
        await record(
            actor,
            "put_lot_rules",
            "lot",
            old["id"],
            details={
                "code": lot_code,
                "one_provider_per_area": {
                    "old": bool(old["one_provider_per_area"]),
                    "new": body.one_provider_per_area,
                },
            },
        )
    row = await lot_by_code(lot_code)
    return schemas.Lot(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        one_provider_per_area=bool(row["one_provider_per_area"]),
    )
