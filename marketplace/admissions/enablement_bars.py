"""Enablement bars: a provider whose enablements failed too often with a commissioner is barred
from that commissioner's enablement requests (the care domain bars it when it records the
failure that reaches the threshold) until a commissioner lifts the bar. Both are audited and the
provider is emailed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from marketplace.accounts.queries import organisation_names
from marketplace.accounts.service import active_user_emails
from marketplace.admissions import schemas
from marketplace.admissions.rules import enablement_barred
from marketplace.admissions.tables import EnablementBar
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotFound, RuleBroken, WrongState
from marketplace.notifications.outbox import add_email
from marketplace.pagination import newest_first_page
from marketplace.principal import Principal

ENTITY = "enablement_bar"
_COLUMNS: list[Any] = [
    *EnablementBar.all_columns(),
    EnablementBar.provider.name.as_alias("provider_name"),
]


def _bar(row: dict[str, Any]) -> schemas.EnablementBar:
    return schemas.EnablementBar(
        id=row["id"],
        commissioner_id=row["commissioner"],
        provider_id=row["provider"],
        provider_name=row["provider_name"],
        failures=row["failures"],
        months=row["months"],
        reason=enablement_barred(row["failures"], row["months"]),
        barred_at=row["barred_at"],
        lifted_at=row["lifted_at"],
        lift_reason=row["lift_reason"],
        active=row["lifted_at"] is None,
    )


async def open_bars(commissioner_id: UUID, provider_ids: Iterable[UUID]) -> dict[UUID, Any]:
    """The open bars of these providers on the commissioner's enablement requests."""
    providers = list(provider_ids)
    if not providers:
        return {}
    rows = await EnablementBar.select().where(
        (EnablementBar.commissioner == commissioner_id)
        & EnablementBar.provider.is_in(providers)
        & EnablementBar.lifted_at.is_null()
    )
    return {row["provider"]: row for row in rows}


async def last_lifted(commissioner_id: UUID, provider_id: UUID) -> datetime | None:
    """When a bar of this provider with the commissioner was last lifted: failures before then
    no longer count towards a new bar."""
    rows = await EnablementBar.select(EnablementBar.lifted_at).where(
        (EnablementBar.commissioner == commissioner_id)
        & (EnablementBar.provider == provider_id)
        & EnablementBar.lifted_at.is_not_null()
    )
    return max((row["lifted_at"] for row in rows), default=None)


async def bar_from_enablement(
    commissioner_id: UUID, provider_id: UUID, failures: int, months: int
) -> UUID | None:
    """Bar the provider from the commissioner's enablement requests (inside the caller's
    transaction), unless a bar is already open; audited, and the provider's users are told."""
    if await open_bars(commissioner_id, [provider_id]):
        return None
    row = EnablementBar(
        commissioner=commissioner_id,
        provider=provider_id,
        failures=failures,
        months=months,
        barred_at=datetime.now(UTC),
    )
    await row.save()
    await record(
        None,
        "bar_from_enablement",
        ENTITY,
        row.id,
        organisation_id=commissioner_id,
        details={"provider_id": provider_id, "failures": failures, "months": months},
    )
    await _tell(commissioner_id, provider_id, {"failures": failures, "months": months})
    return row.id


async def _tell(commissioner_id: UUID, provider_id: UUID, news: dict[str, Any]) -> None:
    """Email the provider's users that it is barred ({failures, months}) or that the bar is
    lifted ({reason})."""
    names = await organisation_names([commissioner_id, provider_id])
    for email in await active_user_emails([provider_id]):
        await add_email(
            email,
            "enablement_bar",
            {
                "barred": "failures" in news,
                "commissioner": names.get(commissioner_id, ""),
                "provider": names.get(provider_id, ""),
                "failures": news.get("failures"),
                "months": news.get("months"),
                "reason": news.get("reason"),
            },
        )


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotFound("No such enablement bar"))


async def _own_bar(commissioner_id: UUID, bar_id: UUID) -> schemas.EnablementBar:
    row = await EnablementBar.select(*_COLUMNS).where(EnablementBar.id == bar_id).first()
    if row is None or row["commissioner"] != commissioner_id:
        raise NotFound("No such enablement bar")
    return _bar(row)


async def lift_bar(actor: Principal, bar_id: UUID, reason: str) -> schemas.EnablementBar:
    """A commissioner lifts its own open bar, with a reason; the provider is told."""
    commissioner_id = _commissioner_of(actor)
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give the reason for lifting the bar", [FieldError("reason", "is empty")])
    async with write_transaction():
        row = await for_update(EnablementBar.select().where(EnablementBar.id == bar_id)).first()
        if row is None or row["commissioner"] != commissioner_id:
            raise NotFound("No such enablement bar")
        if row["lifted_at"] is not None:
            raise WrongState("This enablement bar has already been lifted")
        await EnablementBar.update(
            {
                EnablementBar.lifted_at: datetime.now(UTC),
                EnablementBar.lifted_by: actor.user_id,
                EnablementBar.lift_reason: reason,
            }
        ).where(EnablementBar.id == bar_id)
        await record(
            actor,
            "lift_enablement_bar",
            ENTITY,
            bar_id,
            organisation_id=commissioner_id,
            details={"provider_id": row["provider"], "reason": reason},
        )
        await _tell(commissioner_id, row["provider"], {"reason": reason})
    return await _own_bar(commissioner_id, bar_id)


async def list_bars(
    actor: Principal, limit: int, cursor: str | None, active: bool | None = None
) -> schemas.EnablementBarPage:
    """A commissioner's own enablement bars, newest first (only open or lifted ones if asked)."""
    query = EnablementBar.select(*_COLUMNS).where(
        EnablementBar.commissioner == _commissioner_of(actor)
    )
    if active is not None:
        lifted = EnablementBar.lifted_at
        query = query.where(lifted.is_null() if active else lifted.is_not_null())
    rows, next_cursor = await newest_first_page(
        query, EnablementBar.id, EnablementBar.barred_at, limit, cursor
    )
    return schemas.EnablementBarPage(items=[_bar(row) for row in rows], next_cursor=next_cursor)
