"""The awards domain's outbox jobs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marketplace.awards.conclusion import conclude_call_off, send_award_notice
from marketplace.awards.notices import AWARD_NOTICE_JOB, CONCLUDE_JOB


async def award_notice_job(_: UUID, payload: dict[str, Any]) -> None:
    await send_award_notice(UUID(payload["call_off_id"]), list(payload.get("after", [])))


async def conclude_call_off_job(_: UUID, payload: dict[str, Any]) -> None:
    await conclude_call_off(UUID(payload["call_off_id"]))


JOBS = {AWARD_NOTICE_JOB: award_notice_job, CONCLUDE_JOB: conclude_call_off_job}
