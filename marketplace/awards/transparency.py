"""The award's OCDS releases (marketplace/transparency): the award notice's when it is sent (the
suppliers, their weekly values and the bids as counts, all public once the award is notified) and
the contract's at conclusion; each in the transaction of its event."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from marketplace.accounts.queries import organisation_names
from marketplace.awards.queries import award_lines
from marketplace.bids.queries import bid_counts
from marketplace.tenders.call_offs.lifecycle import AwardTerms, call_off_areas
from marketplace.transparency import releases
from marketplace.transparency.service import add_release, has_release


async def award_facts(
    terms: AwardTerms, awarded_at: datetime, standstill_ends_at: datetime
) -> releases.AwardFacts:
    buyer_name = (await organisation_names([terms.commissioner_id]))[terms.commissioner_id]
    pilot_hours = {a.area_code: a.weekly_hours for a in terms.pilot.areas} if terms.pilot else {}
    lines = [
        releases.AwardedLine(
            supplier=releases.Organisation(line.provider_id, line.provider_name),
            area_code=line.area_code,
            hourly_rate_pence=line.hourly_rate_pence,
            weekly_hours=Decimal(pilot_hours.get(line.area_code or "", terms.total_weekly_hours)),
            mobilisation_date=line.mobilisation_date,
        )
        for line in await award_lines(terms.call_off_id)
    ]
    counts = await bid_counts([terms.call_off_id])
    return releases.AwardFacts(
        call_off_id=terms.call_off_id,
        buyer=releases.Organisation(terms.commissioner_id, buyer_name),
        awarded_at=awarded_at,
        standstill_ends_at=standstill_ends_at,
        lines=lines,
        bids_received=counts.get(terms.call_off_id, 0),
        areas=sorted(await call_off_areas(terms.call_off_id)),
    )


async def write_award_release(
    terms: AwardTerms, notice_sent_at: datetime, standstill_ends_at: datetime
) -> None:
    if await has_release(terms.call_off_id, "awarded"):
        return  # at the conclusion already, which came first (no standstill)
    facts = await award_facts(terms, notice_sent_at, standstill_ends_at)
    await add_release(
        terms.call_off_id,
        "awarded",
        notice_sent_at,
        releases.award_sections(facts),
        title=terms.title,
        buyer_name=facts.buyer.name,
    )


async def write_contract_release(
    terms: AwardTerms, notice_sent_at: datetime, standstill_ends_at: datetime, at: datetime
) -> None:
    # Concluded before its award notice went (no standstill): the award is published first.
    await write_award_release(terms, notice_sent_at, standstill_ends_at)
    facts = await award_facts(terms, notice_sent_at, standstill_ends_at)
    await add_release(
        terms.call_off_id,
        "concluded",
        at,
        releases.contract_sections(facts, at),
        title=terms.title,
        buyer_name=facts.buyer.name,
    )
