"""Which function runs each outbox job, and the periodic upkeep: wired here, above every domain,
so that the outbox (a platform package) imports no domain and each domain only names its jobs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marketplace.audit.sealing import seal_audit_log
from marketplace.awards import jobs as awards_jobs
from marketplace.awards.closing import close_call_off, close_due_call_offs
from marketplace.awards.conclusion import conclude_call_off, conclude_due_awards, send_award_notice
from marketplace.idempotency.service import forget_expired_keys
from marketplace.kpi.reminders import send_kpi_reminders
from marketplace.notifications.delivery import Job, register_job
from marketplace.tenders import jobs as tenders_jobs
from marketplace.tenders.waiting_list.contingency_digest import send_contingency_digests


async def close_call_off_job(_: UUID, payload: dict[str, Any]) -> None:
    await close_call_off(UUID(payload["call_off_id"]))


async def award_notice_job(_: UUID, payload: dict[str, Any]) -> None:
    await send_award_notice(UUID(payload["call_off_id"]), list(payload.get("after", [])))


async def conclude_call_off_job(_: UUID, payload: dict[str, Any]) -> None:
    await conclude_call_off(UUID(payload["call_off_id"]))


JOBS: dict[str, Job] = {
    tenders_jobs.CLOSE_CALL_OFF: close_call_off_job,
    awards_jobs.SEND_AWARD_NOTICE: award_notice_job,
    awards_jobs.CONCLUDE_CALL_OFF: conclude_call_off_job,
}


def register_jobs() -> None:
    """Give the outbox every domain's jobs (idempotent; the web process and the worker call it)."""
    for name, job in JOBS.items():
        register_job(name, job)


async def periodic_upkeep(ctx: dict[str, Any] | None = None) -> None:
    """Work done every few seconds whatever the mode: closing call-offs whose scheduled close was
    missed, concluding awards whose standstill has ended, sending the daily contingency digests
    (from 08:00 on working days, once a day), opening the last quarter's KPI returns and sending
    their reminders (the same hours, once a day per return), forgetting expired idempotency
    keys, and sealing the audit log."""
    await close_due_call_offs()
    await conclude_due_awards()
    await send_contingency_digests()
    await send_kpi_reminders()
    await forget_expired_keys()
    await seal_audit_log()
