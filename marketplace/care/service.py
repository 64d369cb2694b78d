"""Use cases of awarded care: care begins at the conclusion of a call-off (awards calls
begin_care), the provider records the actual start, the commissioner corrects it or ends the care,
and each party lists and reads its own care records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from marketplace.audit.service import record
from marketplace.care import enablement, records, rules, schemas
from marketplace.care.tables import AwardedCare, CareEvent, StartCorrection
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, RuleBroken
from marketplace.pagination import newest_first_page
from marketplace.principal import Principal
from marketplace.units import pounds


@dataclass(frozen=True)
class CareToBegin:
    """One awarded care record to write at conclusion: one per package, or per pilot area."""

    award_line_id: UUID
    call_off_id: UUID
    commissioner_id: UUID
    kind: str
    provider_id: UUID
    provider_name: str
    hourly_rate_pence: int
    weekly_hours: Decimal
    area_id: UUID
    package_id: UUID | None
    promised_mobilisation_date: date | None


async def begin_care(cares: list[CareToBegin], awarded_at: datetime) -> list[UUID]:
    """At the conclusion of a call-off (inside its transaction): each awarded package, or pilot
    area, becomes care awaiting its start, with the promised mobilisation date; each is audited
    and starts its timeline."""
    written = []
    for care in cares:
        row = AwardedCare(
            award_line=care.award_line_id,
            package=care.package_id,
            provider=care.provider_id,
            hourly_rate_pence=care.hourly_rate_pence,
            weekly_hours=care.weekly_hours,
            current_weekly_hours=care.weekly_hours,
            promised_mobilisation_date=care.promised_mobilisation_date,
            awarded_at=awarded_at,
            commissioner=care.commissioner_id,
            call_off=care.call_off_id,
            kind=care.kind,
            area=care.area_id,
            status="awaiting_start",
        )
        await row.save()
        promise = care.promised_mobilisation_date
        sentence = (
            f"Awarded to {care.provider_name} at {pounds(care.hourly_rate_pence)}/h for "
            f"{care.weekly_hours} hours a week"
            + (f"; mobilisation promised by {rules.long_date(promise)}" if promise else "")
        )
        await CareEvent.insert(
            CareEvent(
                care=row.id,
                occurred_at=awarded_at,
                action="begin_care",
                party="system",
                sentence=sentence,
            )
        )
        await record(
            None,
            "begin_care",
            records.ENTITY,
            row.id,
            organisation_id=care.commissioner_id,
            details={
                "provider_id": care.provider_id,
                "call_off_id": care.call_off_id,
                "package_id": care.package_id,
                "area_id": care.area_id,
                "weekly_hours": care.weekly_hours,
                "hourly_rate_pence": care.hourly_rate_pence,
                "promised_mobilisation_date": promise,
            },
        )
        written.append(row.id)
    return written


def _checked_start(start: date, awarded_at: datetime) -> date:
    problem = rules.start_problem(start, records.local_day(awarded_at), records.today())
    if problem is not None:
        raise RuleBroken(f"The actual start {problem}", [FieldError("actual_start", problem)])
    return start


def _lateness(start: date, promised: date | None) -> str:
    if promised is None:
        return "no mobilisation date was promised"
    if rules.is_late(start, promised):
        return f"a late start: mobilisation was promised by {rules.long_date(promised)}"
    return f"on time: mobilisation was promised by {rules.long_date(promised)}"


async def record_start(actor: Principal, care_id: UUID, body: schemas.StartRecord) -> schemas.Care:
    """The provider records the day its care actually started, once: not in the future, not
    before the award. A start after the promised mobilisation date is a late start."""
    actor.provider_organisation(NotAllowed("Only the provider records the actual start"))
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        records.require_status(row, rules.CAN_START, "started")
        start = _checked_start(body.actual_start, row["awarded_at"])
        late = rules.is_late(start, row["promised_mobilisation_date"])
        await AwardedCare.update(
            {
                AwardedCare.actual_start: start,
                AwardedCare.late_start: late,
                AwardedCare.status: "active",
                AwardedCare.start_recorded_at: datetime.now(UTC),
            }
        ).where(AwardedCare.id == care_id)
        await records.happened(
            actor,
            row,
            "record_care_start",
            "Care started",
            f"Care started on {rules.long_date(start)}, "
            f"{_lateness(start, row['promised_mobilisation_date'])}",
            {"actual_start": start, "late_start": late},
        )
    return await get_care(actor, care_id)


async def correct_start(
    actor: Principal, care_id: UUID, body: schemas.StartCorrection
) -> schemas.Care:
    """The commissioner corrects a recorded actual start, with a reason (the same date rules)."""
    actor.commissioner_organisation(NotAllowed("Only the commissioner corrects the start"))
    reason = body.reason.strip()
    if not reason:
        raise BadInput("Give the reason for the correction", [FieldError("reason", "is empty")])
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        records.require_status(row, rules.CAN_CORRECT_START, "corrected before it has started")
        start = _checked_start(body.actual_start, row["awarded_at"])
        if start == row["actual_start"]:
            raise RuleBroken(
                "The corrected start is the start already recorded",
                [FieldError("actual_start", "is the start already recorded")],
            )
        late = rules.is_late(start, row["promised_mobilisation_date"])
        await StartCorrection.insert(
            StartCorrection(
                care=care_id,
                previous_start=row["actual_start"],
                actual_start=start,
                reason=reason,
                corrected_at=datetime.now(UTC),
                corrected_by=actor.user_id,
            )
        )
        await AwardedCare.update(
            {AwardedCare.actual_start: start, AwardedCare.late_start: late}
        ).where(AwardedCare.id == care_id)
        await records.happened(
            actor,
            row,
            "correct_care_start",
            "Actual start corrected",
            f"Actual start corrected from {rules.long_date(row['actual_start'])} to "
            f"{rules.long_date(start)}, {_lateness(start, row['promised_mobilisation_date'])}. "
            f"Reason: {reason}",
            {
                "previous_start": row["actual_start"],
                "actual_start": start,
                "late_start": late,
                "reason": reason,
            },
        )
    return await get_care(actor, care_id)


async def end_care(actor: Principal, care_id: UUID, body: schemas.CareEnd) -> schemas.Care:
    """The commissioner ends active care, with a reason and the last day of care (not before
    its start)."""
    actor.commissioner_organisation(NotAllowed("Only the commissioner ends care"))
    reason = body.reason.strip()
    if not reason:
        raise BadInput("Give the reason for ending the care", [FieldError("reason", "is empty")])
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        records.require_status(row, rules.CAN_END, "ended")
        if body.last_care_date < row["actual_start"]:
            message = f"cannot be before the start on {rules.long_date(row['actual_start'])}"
            raise RuleBroken(
                f"The last day of care {message}", [FieldError("last_care_date", message)]
            )
        now = datetime.now(UTC)
        await AwardedCare.update(
            {
                AwardedCare.status: "ended",
                AwardedCare.ended_at: now,
                AwardedCare.end_reason: reason,
                AwardedCare.last_care_date: body.last_care_date,
            }
        ).where(AwardedCare.id == care_id)
        lapsed = await records.lapse_requests(care_id, now)
        await records.happened(
            actor,
            row,
            "end_care",
            "Care ended",
            f"Care ended; the last day of care is {rules.long_date(body.last_care_date)}. "
            f"Reason: {reason}",
            {"last_care_date": body.last_care_date, "reason": reason, "requests_lapsed": lapsed},
        )
    return await get_care(actor, care_id)


async def get_care(actor: Principal, care_id: UUID) -> schemas.Care:
    """One care record of the user's own, with its variations, enablement and timeline."""
    row = await records.care_row(actor, care_id)
    return await records.present(row, await enablement.enablement_view(row))


async def list_care(
    actor: Principal,
    limit: int,
    cursor: str | None,
    *,
    status: str | None = None,
    area_code: str | None = None,
    provider_id: UUID | None = None,
    late: bool | None = None,
) -> schemas.CarePage:
    """The user's care records, newest first: a provider's own ("My care"); a commissioner's,
    filtered by area, provider, status and late start."""
    query = records.select().where(records.visible_to(actor))
    for column, value in [
        (AwardedCare.status, status),
        (AwardedCare.area.code, area_code),
        (AwardedCare.provider, provider_id),
        (AwardedCare.late_start, late),
    ]:
        if value is not None:
            query = query.where(column == value)
    rows, next_cursor = await newest_first_page(
        query, AwardedCare.id, AwardedCare.awarded_at, limit, cursor
    )
    return schemas.CarePage(items=[records.item(row) for row in rows], next_cursor=next_cursor)
