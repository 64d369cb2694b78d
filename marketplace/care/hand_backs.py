"""Hand-backs (Dorset Lot 1 specification, 8.12-8.13 and Appendix 1, 1.3): the provider hands a
package back with a reason and the last day of care. The care ends `handed_back`, its history
kept; the package returns to the commissioner's waiting list marked handed back, with its urgency,
ready for a new call-off; the commissioner is told; the hand-back counts against the provider in
the quality ranking."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from marketplace.care import records, rules, schemas
from marketplace.care.service import get_care
from marketplace.care.tables import AwardedCare
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, RuleBroken
from marketplace.principal import Principal
from marketplace.tenders.waiting_list.hand_backs import return_handed_back


async def hand_back(actor: Principal, care_id: UUID, body: schemas.HandBack) -> schemas.Care:
    """The provider hands back care awaiting its start or active, with a reason and the last day
    of care (not before the start, nor before the award)."""
    actor.provider_organisation(NotAllowed("Only the provider hands care back"))
    reason = body.reason.strip()
    if not reason:
        raise BadInput("Give the reason for handing back", [FieldError("reason", "is empty")])
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        records.require_status(row, rules.CAN_HAND_BACK, "handed back")
        earliest = row["actual_start"] or records.local_day(row["awarded_at"])
        if body.last_care_date < earliest:
            message = f"cannot be before {rules.long_date(earliest)}"
            raise RuleBroken(
                f"The last day of care {message}", [FieldError("last_care_date", message)]
            )
        now = datetime.now(UTC)
        await AwardedCare.update(
            {
                AwardedCare.status: "handed_back",
                AwardedCare.handed_back_at: now,
                AwardedCare.end_reason: reason,
                AwardedCare.last_care_date: body.last_care_date,
            }
        ).where(AwardedCare.id == care_id)
        lapsed = await records.lapse_requests(care_id, now)
        returned = row["package"] is not None and await return_handed_back(row["package"], now)
        sentence = (
            f"Handed back; the last day of care is {rules.long_date(body.last_care_date)}. "
            f"Reason: {reason}"
        )
        if returned:
            sentence += ". The package is back on the waiting list"
        await records.happened(
            actor,
            row,
            "hand_back_care",
            "Care handed back",
            sentence,
            {
                "last_care_date": body.last_care_date,
                "reason": reason,
                "package_returned": returned,
                "requests_lapsed": lapsed,
            },
        )
    return await get_care(actor, care_id)
