"""The contingency queue and the commissioner's time scales (docs/design.md 3.5): each package
whose clock runs, with its due date worked out by the pure rules, soonest due first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.audit.service import record
from marketplace.config import get_settings
from marketplace.db import upsert, write_transaction
from marketplace.errors import NotAllowed
from marketplace.principal import Principal
from marketplace.tenders.tables import CallOffPackage, ContingencySettings, Package
from marketplace.tenders.waiting_list import contingency_rules as rules
from marketplace.tenders.waiting_list import contingency_schemas as schemas
from marketplace.tenders.waiting_list.placement_queries import placements_of

WAITING_STATUSES = ("waiting", "in_call_off")


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotAllowed("Only commissioners see contingency"))


def zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def today() -> date:
    return datetime.now(zone()).date()


async def settings_of(commissioner_id: UUID) -> schemas.ContingencySettings:
    """The commissioner's time scales, or the defaults (2 urgent, 10 other)."""
    row = (
        await ContingencySettings.select(
            ContingencySettings.urgent_working_days, ContingencySettings.other_working_days
        )
        .where(ContingencySettings.commissioner == commissioner_id)
        .first()
    )
    if row is None:
        return schemas.ContingencySettings(
            rules.DEFAULT_URGENT_WORKING_DAYS, rules.DEFAULT_OTHER_WORKING_DAYS
        )
    return schemas.ContingencySettings(row["urgent_working_days"], row["other_working_days"])


async def contingency_settings(actor: Principal) -> schemas.ContingencySettings:
    return await settings_of(_commissioner_of(actor))


async def put_settings(
    actor: Principal, body: schemas.ContingencySettingsPut
) -> schemas.ContingencySettings:
    """Set the commissioner's time scales (each 1 to 30 working days); audited."""
    commissioner_id = _commissioner_of(actor)
    async with write_transaction():
        await upsert(
            ContingencySettings(
                commissioner=commissioner_id,
                urgent_working_days=body.urgent_working_days,
                other_working_days=body.other_working_days,
            ),
            (ContingencySettings.commissioner,),
            [ContingencySettings.urgent_working_days, ContingencySettings.other_working_days],
        )
        await record(
            actor,
            "set_contingency_settings",
            "organisation",
            commissioner_id,
            organisation_id=commissioner_id,
            details={
                "urgent_working_days": body.urgent_working_days,
                "other_working_days": body.other_working_days,
            },
        )
    return await settings_of(commissioner_id)


async def _histories(package_ids: list[UUID]) -> dict[UUID, list[schemas.CallOffInHistory]]:
    histories: dict[UUID, list[schemas.CallOffInHistory]] = {p: [] for p in package_ids}
    if not package_ids:
        return histories
    rows = await CallOffPackage.select(
        CallOffPackage.package,
        CallOffPackage.call_off.as_alias("call_off_id"),
        CallOffPackage.call_off.title.as_alias("title"),
        CallOffPackage.call_off.kind.as_alias("kind"),
        CallOffPackage.call_off.status.as_alias("status"),
        CallOffPackage.call_off.published_at.as_alias("published_at"),
        CallOffPackage.call_off.cancelled_at.as_alias("cancelled_at"),
        CallOffPackage.call_off.created_at.as_alias("created_at"),
    ).where(CallOffPackage.package.is_in(package_ids))
    for row in sorted(rows, key=lambda r: r["created_at"]):
        histories[row["package"]].append(
            schemas.CallOffInHistory(
                id=row["call_off_id"],
                title=row["title"],
                kind=row["kind"],
                status=row["status"],
                published_at=row["published_at"],
                cancelled_at=row["cancelled_at"],
            )
        )
    return histories


async def queue_for(
    commissioner_id: UUID, settings: schemas.ContingencySettings, on: date
) -> list[schemas.WaitingPackage]:
    """The commissioner's packages whose contingency clock runs, soonest due first."""
    rows: list[dict[str, Any]] = await Package.select(
        *Package.all_columns(), Package.area.code.as_alias("area_code")
    ).where(
        (Package.commissioner == commissioner_id)
        & Package.status.is_in(list(WAITING_STATUSES))
        & Package.first_offered_at.is_not_null()
    )
    histories = await _histories([row["id"] for row in rows])
    items = []
    for row in rows:
        if any(c.status == "awarded" for c in histories[row["id"]]):
            continue  # the award is confirmed (standstill running): the clock has stopped
        scale = rules.time_scale(
            row["urgency"] == "urgent", settings.urgent_working_days, settings.other_working_days
        )
        state = rules.clock(rules.local_day(row["first_offered_at"], zone()), scale, on)
        items.append(
            schemas.WaitingPackage(
                package_id=row["id"],
                reference=row["reference"],
                area_code=row["area_code"],
                status=row["status"],
                urgency=row["urgency"],
                urgency_reason=row["urgency_reason"],
                reason=row["contingency_reason"] or "waiting",
                first_offered_at=row["first_offered_at"],
                working_days=scale,
                working_days_elapsed=state.working_days_elapsed,
                working_days_left=state.working_days_left,
                due_on=state.due_on,
                due_today=state.due_today,
                overdue=state.overdue,
                call_offs=histories[row["id"]],
            )
        )
    return sorted(items, key=lambda i: (i.due_on, i.urgency != "urgent", i.reference))


async def contingency_queue(actor: Principal, on: date | None = None) -> schemas.ContingencyQueue:
    """The signed-in commissioner's contingency queue as it stands on `on` (today by default)."""
    commissioner_id = _commissioner_of(actor)
    settings = await settings_of(commissioner_id)
    day = on or today()
    return schemas.ContingencyQueue(
        today=day,
        settings=settings,
        items=await queue_for(commissioner_id, settings, day),
        placements=await placements_of(commissioner_id),
    )


async def due_packages(
    commissioner_id: UUID, on: date | None = None
) -> list[schemas.WaitingPackage]:
    """The packages of the commissioner's queue that are due or overdue on `on` (today): the
    home page's contingency work, soonest due first (three queries)."""
    settings = await settings_of(commissioner_id)
    items = await queue_for(commissioner_id, settings, on or today())
    return [item for item in items if item.due_today or item.overdue]


async def package_story(
    actor: Principal, package_id: UUID
) -> tuple[list[schemas.CallOffInHistory], schemas.WaitingPackage | None]:
    """One of the commissioner's packages: the call-offs it was in, oldest first, and its
    contingency clock when one runs (None otherwise)."""
    commissioner_id = _commissioner_of(actor)
    history = (await _histories([package_id]))[package_id]
    settings = await settings_of(commissioner_id)
    clock = next(
        (
            item
            for item in await queue_for(commissioner_id, settings, today())
            if item.package_id == package_id
        ),
        None,
    )
    return history, clock
