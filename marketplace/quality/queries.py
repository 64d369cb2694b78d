"""Reading quality records: a commissioner's staff read their own organisation's, a provider the
ones about itself (anyone else's is not found), and the ranking reads the facts it rests on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from marketplace.errors import NotAllowed, NotFound
from marketplace.pagination import newest_first_page
from marketplace.principal import Principal
from marketplace.quality import schemas
from marketplace.quality.rules import RECORD_KINDS
from marketplace.quality.tables import QualityRecord

COLUMNS: list[Any] = [
    *QualityRecord.all_columns(),
    QualityRecord.commissioner.name.as_alias("commissioner_name"),
    QualityRecord.provider.name.as_alias("provider_name"),
    QualityRecord.report.filename.as_alias("report_filename"),
    QualityRecord.report.sha256.as_alias("report_sha256"),
]


def present(row: dict[str, Any]) -> schemas.QualityRecord:
    report = None
    if row["report"] is not None:
        report = schemas.ReportDocument(
            id=row["report"], filename=row["report_filename"], sha256=row["report_sha256"]
        )
    return schemas.QualityRecord(
        id=row["id"],
        commissioner_id=row["commissioner"],
        commissioner_name=row["commissioner_name"],
        provider_id=row["provider"],
        provider_name=row["provider_name"],
        kind=row["kind"],
        kind_words=RECORD_KINDS[row["kind"]],
        occurred_on=row["occurred_on"],
        score=row["score"],
        summary=row["summary"],
        report=report,
        recorded_at=row["recorded_at"],
        withdrawn_at=row["withdrawn_at"],
        withdrawal_reason=row["withdrawal_reason"],
    )


def _whose(actor: Principal) -> Any:
    """The records `actor` may read: a commissioner's staff their organisation's, a provider
    those about itself."""
    if actor.is_commissioner and actor.organisation_id is not None:
        return QualityRecord.commissioner == actor.organisation_id
    if actor.is_provider and actor.organisation_id is not None:
        return QualityRecord.provider == actor.organisation_id
    raise NotAllowed("Only commissioners' staff and providers read quality records")


async def record_row(actor: Principal, record_id: UUID) -> dict[str, Any]:
    """A record `actor` may read; 404 for anyone else's."""
    row: dict[str, Any] | None = (
        await QualityRecord.select(*COLUMNS)
        .where((QualityRecord.id == record_id) & _whose(actor))
        .first()
    )
    if row is None:
        raise NotFound("No such quality record")
    return row


async def get_record(actor: Principal, record_id: UUID) -> schemas.QualityRecord:
    return present(await record_row(actor, record_id))


async def list_records(
    actor: Principal,
    limit: int,
    cursor: str | None,
    provider_id: UUID | None = None,
    kind: str | None = None,
) -> schemas.QualityRecordPage:
    """The records `actor` may read, newest recorded first; for a provider, by every
    commissioner."""
    query = QualityRecord.select(*COLUMNS).where(_whose(actor))
    if provider_id is not None:
        query = query.where(QualityRecord.provider == provider_id)
    if kind is not None:
        query = query.where(QualityRecord.kind == kind)
    rows, next_cursor = await newest_first_page(
        query, QualityRecord.id, QualityRecord.recorded_at, limit, cursor
    )
    return schemas.QualityRecordPage(items=[present(r) for r in rows], next_cursor=next_cursor)


@dataclass(frozen=True)
class QualityFacts:
    """What the quality ranking counts of one provider's records with one commissioner."""

    monitoring_scores: tuple[int, ...] = ()
    safeguarding_concerns: int = 0
    upheld_complaints: int = 0
    compliments: int = 0


async def quality_facts(
    commissioner_id: UUID, provider_ids: Iterable[UUID], since: date
) -> dict[UUID, QualityFacts]:
    """For each of these providers, its records with the commissioner that happened on or after
    `since` and are not withdrawn: the monitoring visits' scores (by date) and the counts of the
    other kinds."""
    providers = list(provider_ids)
    found: dict[UUID, dict[str, Any]] = {
        p: {"scores": [], "safeguarding_concern": 0, "upheld_complaint": 0, "compliment": 0}
        for p in providers
    }
    if providers:
        rows = (
            await QualityRecord.select(
                QualityRecord.provider, QualityRecord.kind, QualityRecord.score
            )
            .where(
                (QualityRecord.commissioner == commissioner_id)
                & QualityRecord.provider.is_in(providers)
                & (QualityRecord.occurred_on >= since)
                & QualityRecord.withdrawn_at.is_null()
            )
            .order_by(QualityRecord.occurred_on)
        )
        for row in rows:
            facts = found[row["provider"]]
            if row["kind"] == "monitoring_visit":
                facts["scores"].append(row["score"])
            else:
                facts[row["kind"]] += 1
    return {
        provider: QualityFacts(
            tuple(f["scores"]), f["safeguarding_concern"], f["upheld_complaint"], f["compliment"]
        )
        for provider, f in found.items()
    }


@dataclass(frozen=True)
class RecordChange:
    """A quality record added or withdrawn: what happened to which provider's record, when."""

    provider_id: UUID
    kind: str
    change: str  # added | withdrawn
    at: datetime


async def record_changes(
    commissioner_id: UUID, provider_ids: Iterable[UUID], since: datetime, until: datetime
) -> list[RecordChange]:
    """The commissioner's quality records about these providers added or withdrawn after `since`
    and up to `until`, oldest first."""
    providers = list(provider_ids)
    if not providers:
        return []
    rows = await QualityRecord.select(
        QualityRecord.provider,
        QualityRecord.kind,
        QualityRecord.recorded_at,
        QualityRecord.withdrawn_at,
    ).where(
        (QualityRecord.commissioner == commissioner_id) & QualityRecord.provider.is_in(providers)
    )
    changes = [
        RecordChange(row["provider"], row["kind"], change, row[column])
        for row in rows
        for change, column in (("added", "recorded_at"), ("withdrawn", "withdrawn_at"))
        if row[column] is not None and since < row[column] <= until
    ]
    return sorted(changes, key=lambda c: c.at)
