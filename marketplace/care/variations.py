"""Hours variations (Dorset Lot 1 specification, 6.3-6.5): the provider records a change of weekly
hours with an effective date and a reason. While the care stays within +/- 5.00 hours a week of
the hours awarded (cumulatively, at the awarded rate) the change applies at once and the
commissioner is told; beyond it, it is a request the commissioner approves or refuses with a
reason. The commissioner watches the use of the tolerance per package and per provider."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.care import records, rules, schemas
from marketplace.care.tables import AwardedCare, HoursVariation
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.principal import Principal
from marketplace.units import two_places

MIN_HOURS, MAX_HOURS = Decimal("0.25"), Decimal(168)


def _words(awarded: Decimal, new: Decimal) -> str:
    used = records.signed(rules.tolerance_used(awarded, new))
    side = "within" if rules.within_tolerance(awarded, new) else "beyond"
    return f"{side} the tolerance ({used} of ±{rules.TOLERANCE_HOURS} on the {awarded} awarded)"


async def record_variation(
    actor: Principal, care_id: UUID, body: schemas.VariationCreate
) -> schemas.Variation:
    """The provider varies the weekly hours of its active care from a date (not before the
    start, nor before its last variation). Within the tolerance it applies at once; beyond it, it
    waits for the commissioner's decision, and no other variation is recorded meanwhile."""
    actor.provider_organisation(NotAllowed("Only the provider varies the hours"))
    new = two_places(body.weekly_hours, "weekly_hours", MIN_HOURS, MAX_HOURS)
    reason = body.reason.strip()
    if not reason:
        raise BadInput("Give the reason for the change", [FieldError("reason", "is empty")])
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        records.require_status(row, rules.CAN_VARY, "varied")
        earlier = await HoursVariation.select().where(HoursVariation.care == care_id)
        if any(v["status"] == "requested" for v in earlier):
            raise WrongState("A change beyond the tolerance is waiting for the commissioner")
        since = max([row["actual_start"], *(v["effective_from"] for v in earlier)])
        if body.effective_from < since:
            message = f"cannot be before {rules.long_date(since)}"
            raise RuleBroken(f"The change {message}", [FieldError("effective_from", message)])
        awarded, current = (
            records.hours(row["weekly_hours"]),
            records.hours(row["current_weekly_hours"]),
        )
        if new == current:
            raise RuleBroken(
                f"The care already has {current} hours a week",
                [FieldError("weekly_hours", "is the weekly hours already")],
            )
        within = rules.within_tolerance(awarded, new)
        variation = HoursVariation(
            care=care_id,
            previous_weekly_hours=current,
            weekly_hours=new,
            effective_from=body.effective_from,
            reason=reason,
            status="applied" if within else "requested",
            recorded_at=datetime.now(UTC),
            recorded_by=actor.user_id,
        )
        await variation.save()
        when = rules.long_date(body.effective_from)
        if within:
            await AwardedCare.update({AwardedCare.current_weekly_hours: new}).where(
                AwardedCare.id == care_id
            )
            title = "Weekly hours changed"
            sentence = f"Weekly hours changed from {current} to {new} from {when}"
        else:
            title = "Change of hours to approve"
            sentence = f"Change of weekly hours from {current} to {new} from {when} requested"
        await records.happened(
            actor,
            row,
            "vary_care_hours" if within else "request_care_hours",
            title,
            f"{sentence}, {_words(awarded, new)}. Reason: {reason}",
            {
                "variation_id": variation.id,
                "previous_weekly_hours": current,
                "weekly_hours": new,
                "effective_from": body.effective_from,
                "within": within,
                "reason": reason,
            },
        )
    return records.variation(await _variation_row(care_id, variation.id), awarded)


async def _variation_row(care_id: UUID, variation_id: UUID) -> dict[str, Any]:
    row = (
        await HoursVariation.select()
        .where((HoursVariation.id == variation_id) & (HoursVariation.care == care_id))
        .first()
    )
    if row is None:
        raise NotFound("There is no such variation of this care")
    return dict(row)


async def decide_variation(
    actor: Principal, care_id: UUID, variation_id: UUID, body: schemas.VariationDecision
) -> schemas.Variation:
    """The commissioner approves (the hours apply) or refuses, with a reason, a change beyond
    the tolerance; the provider is told."""
    actor.commissioner_organisation(NotAllowed("Only the commissioner decides a change of hours"))
    reason = (body.reason or "").strip() or None
    if body.decision == "refuse" and reason is None:
        raise RuleBroken(
            "Give the reason for refusing", [FieldError("reason", "is required", "required")]
        )
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        await for_update(
            HoursVariation.select(HoursVariation.id).where(HoursVariation.id == variation_id)
        )
        found = await _variation_row(care_id, variation_id)
        if found["status"] != "requested":
            raise WrongState(f"This change is {found['status']}: there is nothing to decide")
        if row["status"] not in rules.CAN_VARY:
            raise WrongState(f"Care that is {records.STATUS_WORDS[row['status']]} is not varied")
        approved = body.decision == "approve"
        await HoursVariation.update(
            {
                HoursVariation.status: "approved" if approved else "refused",
                HoursVariation.decided_at: datetime.now(UTC),
                HoursVariation.decided_by: actor.user_id,
                HoursVariation.decision_reason: reason,
            }
        ).where(HoursVariation.id == variation_id)
        new = records.hours(found["weekly_hours"])
        if approved:
            await AwardedCare.update({AwardedCare.current_weekly_hours: new}).where(
                AwardedCare.id == care_id
            )
        word = "approved" if approved else "refused"
        await records.happened(
            actor,
            row,
            "approve_care_hours" if approved else "refuse_care_hours",
            f"Change of hours {word}",
            f"Change of weekly hours from {records.hours(found['previous_weekly_hours'])} to "
            f"{new} from {rules.long_date(found['effective_from'])} {word}"
            + (f". Reason: {reason}" if reason else ""),
            {"variation_id": variation_id, "decision": body.decision, "reason": reason},
        )
    return records.variation(
        await _variation_row(care_id, variation_id), records.hours(row["weekly_hours"])
    )


async def tolerance_use(actor: Principal) -> schemas.ToleranceUse:
    """The commissioner's care that is active or awaiting its start: how much of the tolerance
    each package uses, and each provider's use of it."""
    commissioner_id = actor.commissioner_organisation(
        NotAllowed("Only commissioners watch the use of the tolerance")
    )
    rows = await records.select().where(
        (AwardedCare.commissioner == commissioner_id)
        & AwardedCare.status.is_in(["awaiting_start", "active"])
    )
    counted: dict[UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if rows:
        for v in await HoursVariation.select(HoursVariation.care, HoursVariation.status).where(
            HoursVariation.care.is_in([row["id"] for row in rows])
        ):
            counted[v["care"]][v["status"]] += 1
    packages = []
    providers: dict[UUID, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["provider_name"] or "", records.label(r))):
        awarded, now = (
            records.hours(row["weekly_hours"]),
            records.hours(row["current_weekly_hours"]),
        )
        used, mine = rules.tolerance_used(awarded, now), counted[row["id"]]
        requests = mine["requested"] + mine["approved"] + mine["refused"]
        packages.append(
            schemas.PackageTolerance(
                care_id=row["id"],
                package_reference=row["package_reference"],
                area_code=row["area_code"] or "",
                provider_id=row["provider"],
                provider_name=row["provider_name"] or "",
                status=row["status"],
                awarded_weekly_hours=awarded,
                weekly_hours=now,
                tolerance_used=used,
                tolerance_left=rules.tolerance_left(awarded, now),
                variations_applied=mine["applied"],
                requests_pending=mine["requested"],
            )
        )
        total = providers.setdefault(
            row["provider"],
            {
                "name": row["provider_name"] or "",
                "records": 0,
                "varied": 0,
                "hours": Decimal("0.00"),
                "applied": 0,
                "requests": 0,
                "pending": 0,
            },
        )
        total["records"] += 1
        total["varied"] += used != 0
        total["hours"] += abs(used)
        total["applied"] += mine["applied"]
        total["requests"] += requests
        total["pending"] += mine["requested"]
    return schemas.ToleranceUse(
        tolerance_hours=rules.TOLERANCE_HOURS,
        packages=packages,
        providers=[
            schemas.ProviderTolerance(
                provider_id=provider_id,
                provider_name=t["name"],
                care_records=t["records"],
                records_varied=t["varied"],
                hours_varied=t["hours"],
                variations_applied=t["applied"],
                requests=t["requests"],
                requests_pending=t["pending"],
            )
            for provider_id, t in sorted(providers.items(), key=lambda p: p[1]["name"])
        ],
    )
