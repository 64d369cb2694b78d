"""Care records as each party may see them (a provider its own, a commissioner its own; anyone
else's is not found), and what every change writes in the same transaction: the timeline entry,
the audit event and the email to the other party's users."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.accounts.service import active_user_emails
from marketplace.audit.service import record
from marketplace.care import rules, schemas
from marketplace.care.tables import AwardedCare, CareEvent, HoursVariation
from marketplace.config import get_settings
from marketplace.db import for_update
from marketplace.errors import NotAllowed, NotFound, WrongState
from marketplace.notifications.outbox import add_email
from marketplace.principal import Principal

ENTITY = "awarded_care"
TWO = Decimal("0.01")
STATUS_WORDS = {
    "awaiting_start": "awaiting start",
    "active": "active",
    "ended": "ended",
    "handed_back": "handed back",
}


def today() -> date:
    """Today in the marketplace's time zone (Europe/London)."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def local_day(instant: datetime) -> date:
    return instant.astimezone(ZoneInfo(get_settings().timezone)).date()


def hours(value: Any) -> Decimal:
    return Decimal(value).quantize(TWO)


def signed(value: Decimal) -> str:
    return f"+{value}" if value > 0 else str(value)


def select() -> Any:
    return AwardedCare.select(
        *AwardedCare.all_columns(),
        AwardedCare.package.reference.as_alias("package_reference"),
        AwardedCare.area.code.as_alias("area_code"),
        AwardedCare.provider.name.as_alias("provider_name"),
        AwardedCare.call_off.title.as_alias("call_off_title"),
    )


def visible_to(actor: Principal) -> Any:
    """The care records this user may see: its provider's, or its commissioner's."""
    if actor.is_provider and actor.organisation_id is not None:
        return AwardedCare.provider == actor.organisation_id
    if actor.is_commissioner and actor.organisation_id is not None:
        return AwardedCare.commissioner == actor.organisation_id
    raise NotAllowed("Only commissioners and providers see care records")


async def care_row(actor: Principal, care_id: UUID, *, lock: bool = False) -> dict[str, Any]:
    """One care record the user may see (another's is not found); locked until the caller's
    transaction ends when `lock` is set."""
    scope = visible_to(actor)
    if lock:
        await for_update(AwardedCare.select(AwardedCare.id).where(AwardedCare.id == care_id))
    row: dict[str, Any] | None = await select().where((AwardedCare.id == care_id) & scope).first()
    if row is None:
        raise NotFound("There is no such care record")
    return row


def require_status(row: dict[str, Any], allowed: tuple[str, ...], doing: str) -> None:
    if row["status"] not in allowed:
        raise WrongState(f"Care that is {STATUS_WORDS[row['status']]} cannot be {doing}")


async def lapse_requests(care_id: UUID, now: datetime) -> int:
    """Care that is no longer active (handed back, ended) leaves no change of hours waiting for
    a decision: a pending request lapses."""
    pending = (HoursVariation.care == care_id) & (HoursVariation.status == "requested")
    count = int(await HoursVariation.count().where(pending))
    if count:
        await HoursVariation.update(
            {HoursVariation.status: "lapsed", HoursVariation.decided_at: now}
        ).where(pending)
    return count


def label(row: dict[str, Any]) -> str:
    """How a care record is named: its package's reference, or a pilot's area."""
    if row["package_reference"]:
        return str(row["package_reference"])
    return f"pilot area {row['area_code']}"


def item(row: dict[str, Any]) -> schemas.CareItem:
    return schemas.CareItem(**_item_fields(row))


def _item_fields(row: dict[str, Any]) -> dict[str, Any]:
    awarded = hours(row["weekly_hours"])
    return {
        "id": row["id"],
        "status": row["status"],
        "kind": row["kind"],
        "call_off_id": row["call_off"],
        "call_off_title": row["call_off_title"] or "",
        "package_id": row["package"],
        "package_reference": row["package_reference"],
        "area_code": row["area_code"] or "",
        "provider_id": row["provider"],
        "provider_name": row["provider_name"] or "",
        "commissioner_id": row["commissioner"],
        "hourly_rate_pence": row["hourly_rate_pence"],
        "awarded_weekly_hours": awarded,
        "weekly_hours": hours(row["current_weekly_hours"] or awarded),
        "promised_mobilisation_date": row["promised_mobilisation_date"],
        "actual_start": row["actual_start"],
        "late_start": bool(row["late_start"]),
        "awarded_at": row["awarded_at"],
        "handed_back_at": row["handed_back_at"],
        "ended_at": row["ended_at"],
    }


def variation(row: dict[str, Any], awarded: Decimal) -> schemas.Variation:
    new = hours(row["weekly_hours"])
    return schemas.Variation(
        id=row["id"],
        previous_weekly_hours=hours(row["previous_weekly_hours"]),
        weekly_hours=new,
        effective_from=row["effective_from"],
        reason=row["reason"],
        status=row["status"],
        tolerance_used=rules.tolerance_used(awarded, new),
        within_tolerance=rules.within_tolerance(awarded, new),
        recorded_at=row["recorded_at"],
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
    )


async def present(row: dict[str, Any], enablement: schemas.Enablement | None) -> schemas.Care:
    """The whole care record: its figures, variations, enablement and timeline."""
    fields = _item_fields(row)
    awarded, now = fields["awarded_weekly_hours"], fields["weekly_hours"]
    variations = await HoursVariation.select().where(HoursVariation.care == row["id"])
    events = await CareEvent.select().where(CareEvent.care == row["id"])
    return schemas.Care(
        **fields,
        tolerance_used=rules.tolerance_used(awarded, now),
        tolerance_left=rules.tolerance_left(awarded, now),
        end_reason=row["end_reason"],
        last_care_date=row["last_care_date"],
        enablement=enablement,
        variations=[
            variation(v, awarded)
            for v in sorted(variations, key=lambda v: (v["recorded_at"], str(v["id"])))
        ],
        timeline=[
            schemas.TimelineEntry(
                occurred_at=e["occurred_at"],
                action=e["action"],
                party=e["party"],
                sentence=e["sentence"],
            )
            for e in sorted(events, key=lambda e: (e["occurred_at"], str(e["id"])))
        ],
    )


async def happened(
    actor: Principal | None,
    row: dict[str, Any],
    action: str,
    title: str,
    sentence: str,
    details: dict[str, Any],
) -> None:
    """Record one thing that happened to a care record (inside the caller's transaction): its
    timeline entry, the audit event filed under the commissioner, and an email to the users of
    the other party (the provider's doings go to the commissioner, everything else to the
    provider)."""
    party = "system" if actor is None else "provider" if actor.is_provider else "commissioner"
    await CareEvent.insert(
        CareEvent(
            care=row["id"],
            occurred_at=datetime.now(UTC),
            action=action,
            party=party,
            sentence=sentence,
        )
    )
    await record(
        actor,
        action,
        ENTITY,
        row["id"],
        organisation_id=row["commissioner"],
        details={"provider_id": row["provider"], **details},
    )
    to_commissioner = party == "provider"
    recipient = row["commissioner"] if to_commissioner else row["provider"]
    for email in await active_user_emails([recipient]):
        await add_email(
            email,
            "care_event",
            {
                "subject": f"{title}: {label(row)}",
                "title": title,
                "care": label(row),
                "call_off_title": row["call_off_title"] or "",
                "provider": row["provider_name"] or "",
                "sentence": sentence,
                "path": f"/care/{row['id']}" if to_commissioner else f"/my-care/{row['id']}",
            },
        )
