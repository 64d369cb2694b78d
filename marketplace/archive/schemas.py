"""Shapes of the archive's API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

Confidentiality = Literal["public", "commissioner_only", "sealed"]


@dataclass
class DocumentUpload:
    """The multipart form of POST /documents."""

    file: UploadFile
    confidentiality: Confidentiality


class Document(msgspec.Struct):
    id: UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    confidentiality: str
    created_at: datetime
    owner_organisation_id: UUID | None
    retain_until: datetime


class DocumentContent(msgspec.Struct):
    """Verified bytes of a document, with what a download needs to present them."""

    document: Document
    content: bytes
