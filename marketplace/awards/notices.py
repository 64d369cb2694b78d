"""Telling providers: an assessment summary to every assessed bidder before the award notice,
the award notice to each winner, the news of a call-off ending without an award, and of its
conclusion after the standstill. All through the outbox, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from marketplace.accounts.service import active_user_emails
from marketplace.awards import schemas
from marketplace.awards.engine.phrases import long_date
from marketplace.awards.jobs import SEND_AWARD_NOTICE
from marketplace.awards.words import OUTCOME_WORDS, figure_lines
from marketplace.notifications.outbox import add_email, add_job
from marketplace.reference.queries import areas_by_code
from marketplace.tenders.call_offs.status import CallOffStatus


async def _area_names(codes: set[str | None]) -> dict[str | None, str]:
    """People read an area's name, never its code."""
    found = await areas_by_code(code for code in codes if code)
    return {code: row["name"] for code, row in found.items()}


def _area_lines(
    outcome: schemas.ProviderOutcome, names: dict[str | None, str]
) -> list[dict[str, Any]]:
    lines = outcome.areas or [
        schemas.AreaOutcome(
            area_code=None,
            outcome=outcome.outcome,
            rank=outcome.rank,
            your_figures=outcome.your_figures,
            winning_figures=outcome.winning_figures,
            reason=outcome.reason,
        )
    ]
    return [
        {
            "area_code": line.area_code,
            "area_name": names.get(line.area_code, line.area_code),
            "outcome": OUTCOME_WORDS.get(line.outcome, line.outcome),
            "rank": line.rank,
            "yours": figure_lines(line.your_figures),
            "winning": figure_lines(line.winning_figures),
            "reason": line.reason,
        }
        for line in lines
    ]


async def send_assessment_summaries(
    call_off_id: UUID, title: str, outcomes: dict[UUID, schemas.ProviderOutcome]
) -> list[str]:
    """An assessment summary (its own figures, rank, the winning figure and the reason) to the
    users of every assessed bidder; returns the outbox entries, which the award notice waits for."""
    entries = []
    names = await _area_names({a.area_code for o in outcomes.values() for a in o.areas})
    for provider_id, outcome in outcomes.items():
        for email in await active_user_emails([provider_id]):
            entry = await add_email(
                email,
                "assessment_summary",
                {
                    "title": title,
                    "call_off_id": str(call_off_id),
                    "outcome": OUTCOME_WORDS.get(outcome.outcome, outcome.outcome),
                    "lines": _area_lines(outcome, names),
                    "no_award": outcome.status == CallOffStatus.NO_AWARD,
                },
            )
            entries.append(str(entry))
    return entries


async def schedule_award_notice(call_off_id: UUID, after: list[str]) -> None:
    """The award notice goes once every summary in `after` has been sent (the job checks)."""
    await add_job(SEND_AWARD_NOTICE, {"call_off_id": str(call_off_id), "after": after})


async def send_award_notices(
    call_off_id: UUID, title: str, lines: list[schemas.AwardedLine], standstill_ends_at: datetime
) -> None:
    """The award notice to the users of each winner: what it won, at what rate, and when the
    standstill ends."""
    by_provider: dict[UUID, list[schemas.AwardedLine]] = {}
    for line in lines:
        by_provider.setdefault(line.provider_id, []).append(line)
    names = await _area_names({line.area_code for line in lines})
    for provider_id, won in by_provider.items():
        for email in await active_user_emails([provider_id]):
            await add_email(
                email,
                "award_notice",
                {
                    "title": title,
                    "call_off_id": str(call_off_id),
                    "lines": [
                        {
                            "area_code": line.area_code,
                            "area_name": names.get(line.area_code, line.area_code),
                            "figures": figure_lines(
                                {
                                    "hourly_rate_pence": line.hourly_rate_pence,
                                    "mobilisation_date": line.mobilisation_date.isoformat()
                                    if line.mobilisation_date
                                    else None,
                                }
                            ),
                        }
                        for line in won
                    ],
                    "standstill_ends_at": standstill_ends_at.isoformat(),
                },
            )


async def send_conclusion_notices(
    call_off_id: UUID, title: str, lines: list[schemas.AwardedLine], packages: int
) -> None:
    """After the standstill: the winner is told the award stands and the care is now theirs."""
    for provider_id in {line.provider_id for line in lines}:
        won = [line for line in lines if line.provider_id == provider_id]
        for email in await active_user_emails([provider_id]):
            await add_email(
                email,
                "call_off_concluded",
                {
                    "title": title,
                    "call_off_id": str(call_off_id),
                    "packages": packages,
                    "mobilisation_dates": [
                        long_date(line.mobilisation_date)
                        for line in won
                        if line.mobilisation_date is not None
                    ],
                },
            )
