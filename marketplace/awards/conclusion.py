"""After the award: the award notice once every assessment summary has gone, and the conclusion
when the standstill ends (a job scheduled at the award; the worker's sweep catches any missed)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.awards import notices
from marketplace.awards.engine.standstill import standstill_ends_at
from marketplace.awards.jobs import CONCLUDE_CALL_OFF
from marketplace.awards.queries import award_lines
from marketplace.awards.schemas import AwardedLine
from marketplace.awards.standing_changes import (
    hold_conclusion,
    tell_commissioner,
    winners_failing_gates,
)
from marketplace.awards.tables import Award, AwardLine
from marketplace.awards.transparency import write_award_release, write_contract_release
from marketplace.care.service import CareToBegin, begin_care
from marketplace.config import get_settings
from marketplace.db import for_update, write_transaction
from marketplace.notifications.outbox import Waiting, add_job, all_done
from marketplace.reference.queries import own_area_ids
from marketplace.tenders.call_offs.lifecycle import (
    AwardTerms,
    award_packages,
    award_terms,
    move_call_off,
)
from marketplace.tenders.call_offs.status import CallOffStatus, check_move


class SummariesPending(Waiting):
    """The award notice waits until every assessment summary has been sent (retried later)."""


async def send_award_notice(
    call_off_id: UUID, after: list[str], now: datetime | None = None
) -> str:
    """Put the award notice in the outbox once the summaries in `after` are all sent; at most
    once, however often the job runs. The standstill counts from the day the notice is sent: if
    that is later than the award's day (the summaries were held up), it ends later, and the
    conclusion is scheduled again for the new end (the early job then finds nothing due)."""
    if not await all_done([UUID(entry) for entry in after]):
        raise SummariesPending("the assessment summaries have not all been sent yet")
    moment = now or datetime.now(UTC)
    async with write_transaction():
        award = await for_update(Award.select().where(Award.call_off == call_off_id)).first()
        if award is None or award["notice_sent_at"] is not None:
            return "already sent"
        terms = await award_terms(call_off_id)
        assert terms is not None
        ends = max(
            award["standstill_ends_at"],
            standstill_ends_at(
                moment, terms.standstill_working_days, ZoneInfo(get_settings().timezone)
            ),
        )
        if ends != award["standstill_ends_at"]:
            await add_job(CONCLUDE_CALL_OFF, {"call_off_id": str(call_off_id)}, run_at=ends)
        await notices.send_award_notices(
            call_off_id, terms.title, await award_lines(call_off_id), ends
        )
        await Award.update({Award.notice_sent_at: moment, Award.standstill_ends_at: ends}).where(
            Award.id == award["id"]
        )
        await write_award_release(terms, moment, ends)
    return "sent"


async def conclude_call_off(call_off_id: UUID) -> str:
    """When the standstill has ended: the call-off concludes, its packages (a pilot: its areas)
    become awarded care awaiting its start, with the promised mobilisation date, and the winner
    is told. Does nothing before then or twice. A winner that fails a provider gate now (its CQC
    rating fell to inadequate in the standstill, say) holds the conclusion, and its commissioner
    is told once; the sweep concludes it when the gates pass again."""
    async with write_transaction():
        award = await for_update(Award.select().where(Award.call_off == call_off_id)).first()
        now = datetime.now(UTC)
        if award is None or award["concluded_at"] is not None or now < award["standstill_ends_at"]:
            return "not due"
        terms = await award_terms(call_off_id, lock=True)
        assert terms is not None
        check_move(terms.status, CallOffStatus.CONCLUDED)
        lines = await award_lines(call_off_id)
        failing = await winners_failing_gates(terms, [line.provider_id for line in lines])
        if failing:
            await _hold(terms, "; ".join(failing))
            return "held"
        packages = await award_packages(call_off_id)
        cares = await _cares_to_begin(terms, lines, packages)
        await begin_care(cares, now)
        await Award.update({Award.concluded_at: now}).where(Award.id == award["id"])
        await notices.send_conclusion_notices(call_off_id, terms.title, lines, len(packages))
        await move_call_off(
            call_off_id,
            CallOffStatus.CONCLUDED,
            actor=None,
            action="conclude_call_off",
            details={"packages_awarded": len(packages), "care_records": len(cares)},
        )
        await write_contract_release(
            terms, award["notice_sent_at"] or now, award["standstill_ends_at"], now
        )
    return "concluded"


async def _hold(terms: AwardTerms, why: str) -> None:
    if await hold_conclusion(terms, f"a winner fails a provider gate: {why}"):
        await tell_commissioner(
            terms.commissioner_id,
            f"Award conclusion held: {terms.title}",
            f"The standstill has ended but a winner now fails a provider gate ({why}), so the "
            "award has not concluded and the care does not begin. It concludes once the gates "
            "pass again.",
            [{"title": terms.title, "effect": "awarded, conclusion held"}],
        )


async def _cares_to_begin(
    terms: AwardTerms, lines: list[AwardedLine], packages: list[dict[str, Any]]
) -> list[CareToBegin]:
    """The awarded care a concluded call-off becomes: one record per package of its winner
    (enablement, cluster), or one per pilot area with that area's winner and weekly hours."""
    line_ids = {
        (row["bid_id"], row["area_code"]): row["id"]
        for row in await AwardLine.select(
            AwardLine.id, AwardLine.bid_id, AwardLine.area_code
        ).where(AwardLine.call_off == terms.call_off_id)
    }

    def care(line: AwardedLine, area_id: UUID, hours: Decimal, package: UUID | None) -> CareToBegin:
        return CareToBegin(
            award_line_id=line_ids[(line.bid_id, line.area_code)],
            call_off_id=terms.call_off_id,
            commissioner_id=terms.commissioner_id,
            kind=terms.kind,
            provider_id=line.provider_id,
            provider_name=line.provider_name,
            hourly_rate_pence=line.hourly_rate_pence,
            weekly_hours=Decimal(hours).quantize(Decimal("0.01")),
            area_id=area_id,
            package_id=package,
            promised_mobilisation_date=line.mobilisation_date,
        )

    if terms.pilot is not None:
        hours = {area.area_code: Decimal(area.weekly_hours) for area in terms.pilot.areas}
        area_ids = await own_area_ids(terms.commissioner_id, list(hours))
        return [
            care(line, area_ids[line.area_code], hours[line.area_code], None)
            for line in lines
            if line.area_code in area_ids
        ]
    if len(lines) != 1:
        return []
    return [care(lines[0], p["area"], p["weekly_hours"], p["id"]) for p in packages]


async def conclude_due_awards() -> int:
    """Conclude every award whose standstill has ended without its scheduled job having run."""
    due = await Award.select(Award.call_off).where(
        Award.concluded_at.is_null() & (Award.standstill_ends_at <= datetime.now(UTC))
    )
    done = 0
    for row in due:
        if await conclude_call_off(row["call_off"]) == "concluded":
            done += 1
    return done
