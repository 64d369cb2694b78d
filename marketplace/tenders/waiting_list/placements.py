"""Off-framework placements (docs/design.md 3.5): when no framework provider can be found, the
commissioner places a waiting package with a provider from the whole market. Allowed once the
package's contingency clock is due; earlier only with a recorded override reason. The package
leaves the waiting list as `placed_off_framework` and its clock stops. Every placement is
audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.principal import Principal
from marketplace.reference.queries import lot_id
from marketplace.tenders.tables import OffFrameworkPlacement, Package
from marketplace.tenders.waiting_list import contingency
from marketplace.tenders.waiting_list import contingency_rules as rules
from marketplace.tenders.waiting_list import placement_schemas as schemas
from marketplace.tenders.waiting_list.placement_queries import (
    placement,
    placements_of,
    placements_page,
)
from marketplace.units import two_places

PLACED = "placed_off_framework"
MIN_HOURS, MAX_HOURS = Decimal("0.25"), Decimal(168)
MAX_RATE_PENCE = 100_000  # £1,000.00 an hour: a typing error beyond it


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotAllowed("Only commissioners place packages"))


def _text(value: str | None, field: str, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise BadInput(f"{field} is required", [FieldError(field, "is required")])
        return None
    return text


def _checked(body: schemas.PlacementCreate) -> tuple[str, Decimal, str, str | None]:
    supplier = _text(body.supplier_name, "supplier_name", required=True)
    reason = _text(body.reason, "reason", required=True)
    if not 1 <= body.hourly_rate_pence <= MAX_RATE_PENCE:
        raise BadInput(
            "The hourly rate must be between £0.01 and £1,000.00",
            [
                FieldError(
                    "hourly_rate_pence",
                    "The hourly rate must be between £0.01 and £1,000.00",
                    "out_of_range",
                )
            ],
        )
    hours = two_places(body.weekly_hours, "weekly_hours", MIN_HOURS, MAX_HOURS)
    assert supplier is not None and reason is not None
    return supplier, hours, reason, _text(body.override_reason, "override_reason", required=False)


async def clock_due(package: dict[str, Any], on: date) -> bool:
    """Whether the package's contingency clock is due (due today or overdue) on `on`; a package
    never offered has no clock and is never due."""
    if package["first_offered_at"] is None:
        return False
    settings = await contingency.settings_of(package["commissioner"])
    scale = rules.time_scale(
        package["urgency"] == "urgent", settings.urgent_working_days, settings.other_working_days
    )
    return rules.in_digest(
        rules.clock(rules.local_day(package["first_offered_at"], contingency.zone()), scale, on)
    )


async def place_off_framework(
    actor: Principal,
    package_id: UUID,
    body: schemas.PlacementCreate,
    on: date | None = None,
) -> schemas.Placement:
    """Place the commissioner's own waiting package off framework: 404 when not its own, 409 when
    not waiting, 422 naming `override_reason` when the clock is not due and no reason is given."""
    commissioner_id = _commissioner_of(actor)
    supplier, hours, reason, override = _checked(body)
    day = on or contingency.today()
    lot = await lot_id(body.lot_code)
    if lot is None:
        raise RuleBroken("No such lot", [FieldError("lot_code", "is not a lot", "not_a_choice")])
    async with write_transaction():
        package = (
            await Package.select(*Package.all_columns())
            .where((Package.id == package_id) & (Package.commissioner == commissioner_id))
            .first()
        )
        if package is None:
            raise NotFound("No such package")
        if package["status"] != "waiting":
            raise WrongState(
                f"Only a waiting package can be placed off framework; this one is "
                f"{package['status']}"
            )
        due = await clock_due(package, day)
        if not due and override is None:
            raise RuleBroken(
                "The package's contingency clock is not due yet: placing it off framework early "
                "needs an override reason",
                [FieldError("override_reason", "is required before the clock is due")],
            )
        moved = (
            await Package.update(
                {
                    Package.status: PLACED,
                    Package.first_offered_at: None,
                    Package.contingency_reason: None,
                }
            )
            .where((Package.id == package_id) & (Package.status == "waiting"))
            .returning(Package.id)
        )
        if not moved:
            raise WrongState("The package is no longer waiting")
        row = OffFrameworkPlacement(
            package=package_id,
            commissioner=commissioner_id,
            lot=lot,
            supplier_name=supplier,
            hourly_rate_pence=body.hourly_rate_pence,
            weekly_hours=hours,
            start_date=body.start_date,
            reason=reason,
            early_override_reason=None if due else override,
            placed_at=datetime.now(UTC),
            placed_by=actor.user_id,
        )
        await row.save()
        await record(
            actor,
            "place_off_framework",
            "package",
            package_id,
            organisation_id=commissioner_id,
            details={
                "placement_id": str(row.id),
                "lot_code": body.lot_code,
                "supplier_name": supplier,
                "hourly_rate_pence": body.hourly_rate_pence,
                "weekly_hours": str(hours),
                "start_date": body.start_date.isoformat(),
                "reason": reason,
                "early": not due,
                "override_reason": None if due else override,
            },
        )
    return placement({**row.to_dict(), "lot_code": body.lot_code}, package["reference"])


async def placements(actor: Principal) -> list[schemas.Placement]:
    return await placements_of(_commissioner_of(actor))


async def list_placements(
    actor: Principal, limit: int, cursor: str | None
) -> tuple[list[schemas.Placement], str | None]:
    """All the commissioner's placements, latest first, a page at a time (for the export)."""
    return await placements_page(_commissioner_of(actor), limit, cursor)
