"""Use cases of blocks: a commissioner blocks a provider from its call-offs, with a reason, and
may unblock it later. Both are audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from marketplace.accounts.queries import organisation_kind
from marketplace.admissions import schemas
from marketplace.admissions.tables import Block
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotFound, RuleBroken, WrongState
from marketplace.pagination import newest_first_page
from marketplace.principal import Principal

ENTITY = "provider_block"
_COLUMNS: list[Any] = [*Block.all_columns(), Block.provider.name.as_alias("provider_name")]


def _block(row: dict[str, Any]) -> schemas.Block:
    return schemas.Block(
        id=row["id"],
        commissioner_id=row["commissioner"],
        provider_id=row["provider"],
        provider_name=row["provider_name"],
        reason=row["reason"],
        blocked_at=row["blocked_at"],
        unblocked_at=row["unblocked_at"],
        unblock_reason=row["unblock_reason"],
        active=row["unblocked_at"] is None,
    )


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotFound("No such block"))


async def _own_block(commissioner_id: UUID, block_id: UUID) -> schemas.Block:
    row = await Block.select(*_COLUMNS).where(Block.id == block_id).first()
    if row is None or row["commissioner"] != commissioner_id:
        raise NotFound("No such block")
    return _block(row)


async def block(actor: Principal, body: schemas.BlockCreate) -> schemas.Block:
    """A commissioner blocks a provider that it has not blocked already."""
    commissioner_id = _commissioner_of(actor)
    reason = body.reason.strip()
    if not reason:
        raise RuleBroken("Give the reason for the block", [FieldError("reason", "is empty")])
    async with write_transaction():
        # A guest supplier (docs/design.md 3.5) may be blocked as a provider may.
        if await organisation_kind(body.provider_id, lock=True) not in ("provider", "guest"):
            raise RuleBroken(
                "There is no provider with this id",
                [FieldError("provider_id", "is not a provider")],
            )
        blocked = await Block.exists().where(
            (Block.commissioner == commissioner_id)
            & (Block.provider == body.provider_id)
            & Block.unblocked_at.is_null()
        )
        if blocked:
            raise WrongState("You have already blocked this provider")
        row = Block(
            commissioner=commissioner_id,
            provider=body.provider_id,
            reason=reason,
            blocked_at=datetime.now(UTC),
            blocked_by=actor.user_id,
        )
        await row.save()
        await record(
            actor,
            "block_provider",
            ENTITY,
            row.id,
            organisation_id=commissioner_id,
            details={"provider_id": body.provider_id, "reason": reason},
        )
    return await _own_block(commissioner_id, row.id)


async def unblock(actor: Principal, block_id: UUID, reason: str | None) -> schemas.Block:
    """A commissioner lifts its own block (with an optional reason)."""
    commissioner_id = _commissioner_of(actor)
    reason = (reason or "").strip() or None
    async with write_transaction():
        row = await for_update(Block.select().where(Block.id == block_id)).first()
        if row is None or row["commissioner"] != commissioner_id:
            raise NotFound("No such block")
        if row["unblocked_at"] is not None:
            raise WrongState("This block has already been lifted")
        await Block.update(
            {
                Block.unblocked_at: datetime.now(UTC),
                Block.unblocked_by: actor.user_id,
                Block.unblock_reason: reason,
            }
        ).where(Block.id == block_id)
        await record(
            actor,
            "unblock_provider",
            ENTITY,
            block_id,
            organisation_id=commissioner_id,
            details={"provider_id": row["provider"], "reason": reason},
        )
    return await _own_block(commissioner_id, block_id)


async def list_blocks(
    actor: Principal, limit: int, cursor: str | None, active: bool | None = None
) -> schemas.BlockPage:
    """A commissioner's own blocks, newest first (only active or lifted ones if asked)."""
    query = Block.select(*_COLUMNS).where(Block.commissioner == _commissioner_of(actor))
    if active is not None:
        query = query.where(
            Block.unblocked_at.is_null() if active else Block.unblocked_at.is_not_null()
        )
    rows, next_cursor = await newest_first_page(query, Block.id, Block.blocked_at, limit, cursor)
    return schemas.BlockPage(items=[_block(row) for row in rows], next_cursor=next_cursor)
