"""Use cases of the archive: store a document, and hand it back verified to those allowed."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from marketplace.archive import schemas
from marketplace.archive.access import CONFIDENTIALITY_LEVELS, Holding, content_decision
from marketplace.archive.access import metadata_decision as metadata_rule
from marketplace.archive.content_types import sniff
from marketplace.archive.filenames import sanitise_filename
from marketplace.archive.links import link_is_valid, signed_content_path
from marketplace.archive.storage import DocumentDamaged, StoredObject
from marketplace.archive.stores import document_store
from marketplace.archive.tables import Document
from marketplace.audit.service import record
from marketplace.config import get_settings
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, TooLarge
from marketplace.principal import Principal

log = logging.getLogger("marketplace.archive")
ENTITY = "document"


def describe_limit(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB ({limit:,} bytes)"


def _document(row: dict[str, Any]) -> schemas.Document:
    return schemas.Document(
        id=row["id"],
        filename=row["filename"],
        media_type=row["media_type"],
        size=row["size"],
        sha256=row["sha256"],
        confidentiality=row["confidentiality"],
        created_at=row["created_at"],
        owner_organisation_id=row["owner_organisation"],
        retain_until=row["retain_until"],
    )


# What kind an organisation is (commissioner | provider), or None when there is no such one: the
# accounts domain knows, above this one; the composition root hands its lookup in at start-up.
KindOf = Callable[[UUID], Awaitable[str | None]]
_kind_of: KindOf | None = None


def look_up_organisation_kinds_with(kind_of: KindOf) -> None:
    global _kind_of
    _kind_of = kind_of


async def _owner_kind(actor: Principal, owner_id: UUID | None) -> str | None:
    if owner_id is None:
        return None
    if owner_id == actor.organisation_id:
        return actor.organisation_kind
    if not actor.is_admin:
        raise NotAllowed("You can only archive documents for your own organisation")

    if _kind_of is None:
        raise RuntimeError("No organisation lookup: call marketplace.wiring.wire() at start-up")
    kind = await _kind_of(owner_id)
    if kind is None:
        raise NotFound("No such organisation")
    return kind


def check_upload(filename: str, content: bytes) -> str:
    """The media type of an upload the archive accepts: not empty, at most the upload limit, and
    of an allowed type judged by its bytes (413, 400 and 415 otherwise, naming the field `file`)."""
    limit = get_settings().max_upload_bytes
    if len(content) > limit:
        raise TooLarge(
            f"The file is {len(content):,} bytes; the largest file accepted is "
            f"{describe_limit(limit)}",
            [FieldError("file", f"must be at most {describe_limit(limit)}")],
        )
    if not content:
        raise BadInput("The file is empty", [FieldError("file", "is empty")])
    return sniff(content, filename)


async def _archive(
    actor: Principal,
    content: bytes,
    *,
    filename: str,
    media_type: str,
    confidentiality: str,
    owner_id: UUID | None,
    owner_kind: str | None,
) -> Document:
    """Put the bytes write-once, then write their row and audit event (joining the caller's
    transaction, if any). The object goes first: if the row's transaction fails, an orphan object
    is left behind, harmless because nothing refers to it (and it expires with its lock)."""
    document_id = uuid.uuid4()
    now = datetime.now(UTC)
    retain_until = now + timedelta(days=get_settings().archive_retention_days)
    key = f"documents/{now:%Y}/{now:%m}/{document_id}"
    sha256_hex = hashlib.sha256(content).hexdigest()
    version_id = await document_store().put(key, content, sha256_hex, media_type, retain_until)
    row = Document(
        id=document_id,
        key=key,
        sha256=sha256_hex,
        size=len(content),
        media_type=media_type,
        filename=filename,
        owner_organisation=owner_id,
        owner_kind=owner_kind,
        confidentiality=confidentiality,
        version_id=version_id,
        uploaded_by=actor.user_id,
        created_at=now,
        retain_until=retain_until,
    )
    async with write_transaction():
        await row.save()
        await record(
            actor,
            "store_document",
            ENTITY,
            document_id,
            organisation_id=owner_id,
            details={"sha256": sha256_hex, "size": len(content), "media_type": media_type},
        )
    return row


async def store_document(
    actor: Principal,
    filename: str,
    content: bytes,
    confidentiality: str,
    owner_organisation_id: UUID | None = None,
) -> schemas.Document:
    """Archive an allowed document of at most the upload limit, write-once, with its SHA-256."""
    media_type = check_upload(filename, content)
    if confidentiality not in CONFIDENTIALITY_LEVELS:
        raise BadInput(
            f"Confidentiality must be one of {', '.join(CONFIDENTIALITY_LEVELS)}",
            [FieldError("confidentiality", "is not a known level")],
        )
    owner_id = owner_organisation_id or actor.organisation_id
    row = await _archive(
        actor,
        content,
        filename=sanitise_filename(filename),
        media_type=media_type,
        confidentiality=confidentiality,
        owner_id=owner_id,
        owner_kind=await _owner_kind(actor, owner_id),
    )
    return _document(row.to_dict())


SEALED_FILENAME = "sealed.bin"


async def store_sealed_document(actor: Principal, sealed: bytes) -> UUID:
    """Archive bytes its owner's domain has already encrypted (a bid attachment), write-once and
    `sealed`: the archive never hands them out; their name and type stay inside the seal."""
    row = await _archive(
        actor,
        sealed,
        filename=SEALED_FILENAME,
        media_type="application/octet-stream",
        confidentiality="sealed",
        owner_id=actor.organisation_id,
        owner_kind=actor.organisation_kind,
    )
    return row.id


async def keep_for_the_award(document_ids: list[UUID], awarded_at: datetime) -> int:
    """Documents of an awarded call-off are kept write-once for the retention period from the
    award (docs/design.md 6.2), not only from their upload: lengthen each lock that ends
    sooner (joining the caller's transaction); returns how many were lengthened."""
    until = awarded_at + timedelta(days=get_settings().archive_retention_days)
    rows = await Document.select().where(
        Document.id.is_in(document_ids or [uuid.UUID(int=0)]) & (Document.retain_until < until)
    )
    store = document_store()
    for row in rows:
        await store.keep_until(_stored(row), until)
    if rows:
        async with write_transaction():
            await Document.update({Document.retain_until: until}).where(
                Document.id.is_in([row["id"] for row in rows])
            )
    return len(rows)


async def sealed_document_bytes(document_id: UUID) -> bytes:
    """A sealed document's stored bytes, verified against their SHA-256, for the domain that
    sealed them and decides who may open them (the archive itself never opens them)."""
    row = await _row(document_id)
    if row is None or row["confidentiality"] != "sealed":
        raise NotFound("No such document")
    try:
        return await document_store().read(_stored(row))
    except DocumentDamaged as exc:
        raise await _integrity_failure(None, row, exc) from None


async def _row(document_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await Document.select().where(Document.id == document_id).first()
    return row


def _holding(row: dict[str, Any]) -> Holding:
    return Holding(row["confidentiality"], row["owner_organisation"], row["owner_kind"])


def _stored(row: dict[str, Any]) -> StoredObject:
    return StoredObject(row["key"], row["version_id"], row["sha256"], row["size"])


async def _visible_row(actor: Principal, document_id: UUID, rule: Any, what: str) -> dict[str, Any]:
    """The document's row if `rule` lets `actor` have it; refusals are audited."""
    row = await _row(document_id)
    if row is None:
        raise NotFound("No such document")
    decision = rule(actor, _holding(row))
    if decision == "allow":
        return row
    action = "refused_read_sealed" if decision == "sealed" else "refused_read"
    async with write_transaction():
        await record(
            actor,
            action,
            ENTITY,
            document_id,
            organisation_id=row["owner_organisation"],
            details={"confidentiality": row["confidentiality"], "requested": what},
        )
    if decision == "sealed":
        raise NotAllowed("This document is sealed: nobody may read it before it is opened")
    raise NotFound("No such document")


async def _integrity_failure(
    actor: Principal | None, row: dict[str, Any], exc: DocumentDamaged
) -> DocumentDamaged:
    log.error("archived document %s (key %s) failed its integrity check", row["id"], row["key"])
    async with write_transaction():
        await record(
            actor,
            "document_integrity_failed",
            ENTITY,
            row["id"],
            organisation_id=row["owner_organisation"],
            details={"key": row["key"], "version_id": row["version_id"]},
        )
    return exc


async def document_metadata(actor: Principal, document_id: UUID) -> schemas.Document:
    """A document's record, for those who may know of it (a sealed one: its owner only)."""
    return _document(await _visible_row(actor, document_id, metadata_rule, "metadata"))


async def read_document(actor: Principal, document_id: UUID) -> str:
    """Where `actor` may fetch the verified bytes in the next five minutes: a presigned S3 URL,
    or a signed link to this app."""
    row = await _visible_row(actor, document_id, content_decision, "content")
    try:
        url = await document_store().download_url(_stored(row), row["filename"], row["media_type"])
    except DocumentDamaged as exc:
        raise await _integrity_failure(actor, row, exc) from None
    return url or signed_content_path(get_settings().secret_key, document_id)


async def document_content(
    document_id: UUID, expires: int, signature: str
) -> schemas.DocumentContent:
    """The verified bytes behind a signed link that read_document handed out."""
    if not link_is_valid(get_settings().secret_key, document_id, expires, signature):
        raise NotAllowed(
            "This download link has expired or is not valid: ask for the document again"
        )
    row = await _row(document_id)
    if row is None or row["confidentiality"] == "sealed":
        raise NotFound("No such document")
    try:
        content = await document_store().read(_stored(row))
    except DocumentDamaged as exc:
        raise await _integrity_failure(None, row, exc) from None
    return schemas.DocumentContent(document=_document(row), content=content)
