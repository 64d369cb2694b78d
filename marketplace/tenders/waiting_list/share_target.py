"""The commissioner's framework share target (docs/design.md 3.5): a whole percentage, 90 by
default, kept with the commissioner's contingency settings."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request
from marketplace.audit.service import record
from marketplace.db import upsert, write_transaction
from marketplace.errors import NotAllowed
from marketplace.principal import Principal
from marketplace.tenders.tables import ContingencySettings
from marketplace.tenders.waiting_list.share_rules import (
    DEFAULT_TARGET_PERCENT,
    MAX_TARGET_PERCENT,
    MIN_TARGET_PERCENT,
)


class ShareTarget(msgspec.Struct):
    target_percent: int


class ShareTargetPut(Request, kw_only=True):
    target_percent: Annotated[
        int,
        msgspec.Meta(
            ge=MIN_TARGET_PERCENT,
            le=MAX_TARGET_PERCENT,
            description="the share of hours to place through the framework, 1 to 100 per cent",
        ),
    ]


def commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotAllowed("Only commissioners see the framework share"))


async def target_of(commissioner_id: UUID) -> int:
    row = (
        await ContingencySettings.select(ContingencySettings.framework_share_target_percent)
        .where(ContingencySettings.commissioner == commissioner_id)
        .first()
    )
    return DEFAULT_TARGET_PERCENT if row is None else int(row["framework_share_target_percent"])


async def share_target(actor: Principal) -> ShareTarget:
    return ShareTarget(await target_of(commissioner_of(actor)))


async def put_share_target(actor: Principal, body: ShareTargetPut) -> ShareTarget:
    """Set the commissioner's framework share target; audited."""
    commissioner_id = commissioner_of(actor)
    async with write_transaction():
        await upsert(
            ContingencySettings(
                commissioner=commissioner_id, framework_share_target_percent=body.target_percent
            ),
            (ContingencySettings.commissioner,),
            [ContingencySettings.framework_share_target_percent],
        )
        await record(
            actor,
            "set_framework_share_target",
            "organisation",
            commissioner_id,
            organisation_id=commissioner_id,
            details={"target_percent": body.target_percent},
        )
    return ShareTarget(await target_of(commissioner_id))
