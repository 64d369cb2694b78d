"""Use cases of quality records: a commissioner's staff record a monitoring visit (with its
archived report), a substantiated safeguarding concern, an upheld complaint or a compliment about
a provider they have admitted, or withdraw one entered in error. Each is audited, emailed to the
provider's users, and recomputes the provider's quality ranking with the commissioner, in the
same transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.accounts.service import active_user_emails
from marketplace.admissions.queries import admitted_providers
from marketplace.archive.service import store_document
from marketplace.audit.service import record
from marketplace.config import get_settings
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.notifications.outbox import add_email
from marketplace.principal import Principal
from marketplace.quality import schemas
from marketplace.quality.queries import get_record, present, record_row
from marketplace.quality.rules import SCORED, record_errors
from marketplace.quality.tables import QualityRecord
from marketplace.reranking import rerank

ENTITY = "quality_record"


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(
        NotAllowed("Only a commissioner's staff keep quality records")
    )


async def _tell_provider(actor: Principal, found: schemas.QualityRecord, template: str) -> None:
    context: dict[str, Any] = {
        "commissioner": found.commissioner_name,
        "provider": found.provider_name,
        "kind": found.kind_words,
        "occurred_on": found.occurred_on.isoformat(),
        "score": found.score,
        "summary": found.summary,
        "reason": found.withdrawal_reason,
        "record_id": str(found.id),
    }
    for email in await active_user_emails([found.provider_id]):
        await add_email(email, template, context)


async def record_quality(
    actor: Principal,
    body: schemas.QualityRecordCreate,
    report: tuple[str, bytes] | None = None,
) -> schemas.QualityRecord:
    """Record one event about a provider the commissioner has admitted; a monitoring visit may
    bring its report (archived write-once, commissioner_only, before the record is written)."""
    commissioner_id = commissioner_of(actor)
    summary = body.summary.strip()
    errors = record_errors(body.kind, body.occurred_on, body.score, local_today())
    if not summary:
        errors.append(FieldError("summary", "is required"))
    if report is not None and body.kind != SCORED:
        errors.append(FieldError("file", "a report is archived only for a monitoring visit"))
    if not await admitted_providers(commissioner_id, None, [body.provider_id]):
        errors.append(FieldError("provider_id", "is not a provider you have admitted"))
    if errors:
        raise RuleBroken(
            "The quality record is not complete: "
            + "; ".join(f"{e.field} {e.message}" for e in errors),
            errors,
        )
    document_id = None
    if report is not None:
        document_id = (await store_document(actor, *report, "commissioner_only")).id
    async with write_transaction():
        row = QualityRecord(
            commissioner=commissioner_id,
            provider=body.provider_id,
            kind=body.kind,
            occurred_on=body.occurred_on,
            score=body.score,
            summary=summary,
            report=document_id,
            recorded_at=datetime.now(UTC),
            recorded_by=actor.user_id,
        )
        await QualityRecord.insert(row)
        found = await get_record(actor, row.id)
        await record(
            actor,
            "record_quality",
            ENTITY,
            row.id,
            organisation_id=commissioner_id,
            details={
                "provider_id": body.provider_id,
                "kind": body.kind,
                "occurred_on": body.occurred_on,
                "score": body.score,
                "report_document_id": document_id,
            },
        )
        await _tell_provider(actor, found, "quality_record_added")
        await rerank(commissioner_id, [body.provider_id])
    return found


async def _own_for_update(actor: Principal, record_id: UUID) -> dict[str, Any]:
    commissioner_id = commissioner_of(actor)
    row: dict[str, Any] | None = await for_update(
        QualityRecord.select().where(
            (QualityRecord.id == record_id) & (QualityRecord.commissioner == commissioner_id)
        )
    ).first()
    if row is None:
        raise NotFound("No such quality record")
    return row


async def attach_report(
    actor: Principal, record_id: UUID, filename: str, content: bytes
) -> schemas.QualityRecord:
    """Archive the report of a monitoring visit recorded without one (once: write-once)."""
    found = present(await record_row(actor, record_id))
    commissioner_of(actor)
    if found.kind != SCORED:
        raise RuleBroken(
            "Only a monitoring visit has a report",
            [FieldError("file", "a report is archived only for a monitoring visit")],
        )
    if found.report is not None or found.withdrawn_at is not None:
        raise WrongState("This visit already has its report, or was withdrawn")
    document = await store_document(actor, filename, content, "commissioner_only")
    async with write_transaction():
        row = await _own_for_update(actor, record_id)
        if row["report"] is not None or row["withdrawn_at"] is not None:
            raise WrongState("This visit already has its report, or was withdrawn")
        await QualityRecord.update({QualityRecord.report: document.id}).where(
            QualityRecord.id == record_id
        )
        await record(
            actor,
            "attach_quality_report",
            ENTITY,
            record_id,
            organisation_id=row["commissioner"],
            details={"document_id": document.id, "sha256": document.sha256},
        )
    return await get_record(actor, record_id)


async def withdraw_record(
    actor: Principal, record_id: UUID, body: schemas.QualityRecordWithdrawal
) -> schemas.QualityRecord:
    """Withdraw a record entered in error, with the reason: it stays on file, marked withdrawn,
    and no longer counts in the ranking; the provider is told."""
    reason = body.reason.strip()
    if not reason:
        raise RuleBroken("Give the reason", [FieldError("reason", "is required")])
    async with write_transaction():
        row = await _own_for_update(actor, record_id)
        if row["withdrawn_at"] is not None:
            raise WrongState("This quality record is already withdrawn")
        await QualityRecord.update(
            {
                QualityRecord.withdrawn_at: datetime.now(UTC),
                QualityRecord.withdrawn_by: actor.user_id,
                QualityRecord.withdrawal_reason: reason,
            }
        ).where(QualityRecord.id == record_id)
        found = await get_record(actor, record_id)
        await record(
            actor,
            "withdraw_quality_record",
            ENTITY,
            record_id,
            organisation_id=row["commissioner"],
            details={"provider_id": row["provider"], "kind": row["kind"], "reason": reason},
        )
        await _tell_provider(actor, found, "quality_record_withdrawn")
        await rerank(row["commissioner"], [row["provider"]])
    return found
