"""Use cases of admission to the DPS: a provider applies to a lot in areas of one commissioner,
attaches evidence, and that commissioner approves or rejects the application with a reason."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from marketplace.accounts.queries import organisation_kind
from marketplace.admissions import schemas
from marketplace.admissions.rules import areas_of_one_commissioner, decision_clock
from marketplace.admissions.tables import Admission, AdmissionArea, AdmissionDocument
from marketplace.archive.service import document_metadata, store_document
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotFound, RuleBroken, WrongState
from marketplace.pagination import newest_first_page
from marketplace.principal import Principal
from marketplace.reference import queries as reference

ENTITY = "admission"
_COLUMNS: list[Any] = [
    *Admission.all_columns(),
    Admission.lot.code.as_alias("lot_code"),
    Admission.lot.name.as_alias("lot_name"),
    Admission.provider.name.as_alias("provider_name"),
    Admission.commissioner.name.as_alias("commissioner_name"),
]


def now() -> datetime:
    return datetime.now(UTC)


async def _approved_area_ids(provider_id: UUID, lot_id: UUID) -> set[UUID]:
    rows = await AdmissionArea.select(AdmissionArea.area).where(
        (AdmissionArea.admission.provider == provider_id)
        & (AdmissionArea.admission.lot == lot_id)
        & (AdmissionArea.admission.status == "approved")
    )
    return {row["area"] for row in rows}


async def apply(actor: Principal, body: schemas.AdmissionCreate) -> schemas.Admission:
    """A provider applies to join a lot in areas that all belong to one commissioner."""
    provider_id = _provider_of(actor)
    lot = await reference.lot_id(body.lot_code)
    if lot is None:
        raise RuleBroken(
            f"There is no lot with the code {body.lot_code}",
            [FieldError("lot_code", "is not a known lot")],
        )
    if not body.accepts_maximum_prices:
        raise RuleBroken(
            f"To apply you must accept the maximum prices of the lot {body.lot_code}, night rates "
            "included",
            [FieldError("accepts_maximum_prices", "must be true: accept the lot's maximum prices")],
        )
    codes = list(dict.fromkeys(body.area_codes))
    areas = await reference.areas_by_code(codes)
    unknown = [
        FieldError(f"area_codes[{i}]", "is not a known area")
        for i, code in enumerate(body.area_codes)
        if code not in areas
    ]
    if unknown:
        raise RuleBroken("Some areas do not exist", unknown)
    if not areas_of_one_commissioner({code: row["commissioner"] for code, row in areas.items()}):
        raise RuleBroken(
            "An application's areas must all belong to one commissioner: apply to each "
            "commissioner separately",
            [FieldError("area_codes", "must all belong to one commissioner")],
        )
    commissioner_id = next(iter(areas.values()))["commissioner"]
    async with write_transaction():
        # Serialises this provider's applications (PostgreSQL; SQLite's lock already does).
        await organisation_kind(provider_id, lock=True)
        already = await _approved_area_ids(provider_id, lot)
        admitted = [code for code in codes if areas[code]["id"] in already]
        if admitted:
            raise RuleBroken(
                f"Already admitted to the lot {body.lot_code} for {', '.join(admitted)}",
                [FieldError("area_codes", f"{code} is already admitted") for code in admitted],
            )
        open_one = await Admission.exists().where(
            (Admission.provider == provider_id)
            & (Admission.lot == lot)
            & (Admission.commissioner == commissioner_id)
            & (Admission.status == "applied")
        )
        if open_one:
            raise WrongState(
                f"You already have an application to the lot {body.lot_code} with this commissioner "
                "waiting for a decision"
            )
        moment = now()
        admission = Admission(
            provider=provider_id,
            lot=lot,
            commissioner=commissioner_id,
            applied_at=moment,
            applied_by=actor.user_id,
            # The provider accepted the lot's maximum prices, night rates included, on applying.
            maximum_prices_accepted_at=moment,
        )
        await admission.save()
        await AdmissionArea.insert(
            *(AdmissionArea(admission=admission.id, area=areas[code]["id"]) for code in codes)
        )
        await record(
            actor,
            "apply_for_admission",
            ENTITY,
            admission.id,
            organisation_id=commissioner_id,
            details={"provider_id": provider_id, "lot": body.lot_code, "areas": codes},
        )
    return await get_admission(actor, admission.id)


def _provider_of(actor: Principal) -> UUID:
    return actor.provider_organisation(NotFound("No such application"))


def _visible(actor: Principal, row: dict[str, Any]) -> bool:
    return actor.is_admin or actor.organisation_id in (row["provider"], row["commissioner"])


async def _visible_row(actor: Principal, admission_id: UUID) -> dict[str, Any]:
    row = await Admission.select(*_COLUMNS).where(Admission.id == admission_id).first()
    if row is None or not _visible(actor, row):
        raise NotFound("No such application")
    return row


async def _present(actor: Principal, rows: list[dict[str, Any]]) -> list[schemas.Admission]:
    ids = [row["id"] for row in rows]
    areas: dict[UUID, list[schemas.AdmissionArea]] = defaultdict(list)
    documents: dict[UUID, list[schemas.EvidenceDocument]] = defaultdict(list)
    if ids:
        for area in await AdmissionArea.select(
            AdmissionArea.admission,
            AdmissionArea.area.id.as_alias("area_id"),
            AdmissionArea.area.code.as_alias("code"),
            AdmissionArea.area.name.as_alias("name"),
        ).where(AdmissionArea.admission.is_in(ids)):
            areas[area["admission"]].append(
                schemas.AdmissionArea(id=area["area_id"], code=area["code"], name=area["name"])
            )
        links = await AdmissionDocument.select().where(AdmissionDocument.admission.is_in(ids))
        for link in sorted(links, key=lambda link: link["attached_at"]):
            document = await document_metadata(actor, link["document"])
            documents[link["admission"]].append(
                schemas.EvidenceDocument(
                    id=document.id,
                    filename=document.filename,
                    media_type=document.media_type,
                    size=document.size,
                    sha256=document.sha256,
                    created_at=document.created_at,
                )
            )
    moment = now()
    presented = []
    for row in rows:
        clock = decision_clock(row["applied_at"], row["decided_at"], moment)
        presented.append(
            schemas.Admission(
                id=row["id"],
                provider_id=row["provider"],
                provider_name=row["provider_name"],
                lot_code=row["lot_code"],
                commissioner_id=row["commissioner"],
                areas=sorted(areas[row["id"]], key=lambda area: area.code),
                status=row["status"],
                applied_at=row["applied_at"],
                decided_at=row["decided_at"],
                decision_reason=row["decision_reason"],
                tender_score=row["tender_score"],
                maximum_prices_accepted_at=row["maximum_prices_accepted_at"],
                waited_working_days=clock.waited_working_days,
                decision_due_on=clock.decision_due_on,
                overdue=clock.overdue,
                documents=documents[row["id"]],
                lot_name=row["lot_name"],
                commissioner_name=row["commissioner_name"],
            )
        )
    return presented


async def get_admission(actor: Principal, admission_id: UUID) -> schemas.Admission:
    """An application, for its provider, the commissioner deciding it, and admins."""
    return (await _present(actor, [await _visible_row(actor, admission_id)]))[0]


async def list_admissions(
    actor: Principal, limit: int, cursor: str | None, status: str | None = None
) -> schemas.AdmissionPage:
    """A provider's own applications, or those a commissioner decides; newest first."""
    query = Admission.select(*_COLUMNS)
    if not actor.is_admin:
        if actor.organisation_id is None:
            raise NotFound("No such application")
        mine = Admission.provider if actor.is_provider else Admission.commissioner
        query = query.where(mine == actor.organisation_id)
    if status is not None:
        query = query.where(Admission.status == status)
    rows, next_cursor = await newest_first_page(
        query, Admission.id, Admission.applied_at, limit, cursor
    )
    return schemas.AdmissionPage(items=await _present(actor, rows), next_cursor=next_cursor)


async def attach_evidence(
    actor: Principal, admission_id: UUID, filename: str, content: bytes
) -> schemas.Admission:
    """A provider archives an evidence document (commissioner_only) on its undecided
    application."""
    provider_id = _provider_of(actor)
    row = await _visible_row(actor, admission_id)
    if row["provider"] != provider_id:
        raise NotFound("No such application")
    if row["status"] != "applied":
        raise WrongState("Evidence can be added only while the application awaits a decision")
    # Stored before the link is written; an orphan left by a failed link is harmless.
    document = await store_document(actor, filename, content, "commissioner_only", provider_id)
    async with write_transaction():
        current = await for_update(
            Admission.select(Admission.status).where(Admission.id == admission_id)
        ).first()
        if current is None or current["status"] != "applied":
            raise WrongState("Evidence can be added only while the application awaits a decision")
        await AdmissionDocument.insert(
            AdmissionDocument(admission=admission_id, document=document.id, attached_at=now())
        )
        await record(
            actor,
            "attach_admission_evidence",
            ENTITY,
            admission_id,
            organisation_id=row["commissioner"],
            details={"document_id": document.id, "sha256": document.sha256},
        )
    return await get_admission(actor, admission_id)
