"""Where documents' bytes live: one interface, two backends (S3, or a local folder by default).

Both are write-once: S3 through versioning and Object Lock, the folder through O_EXCL and
read-only files. Both refuse to hand out bytes whose SHA-256 is not the one recorded at upload.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from marketplace.errors import DomainError


class DocumentDamaged(DomainError):
    """The stored copy no longer matches its recorded digest: it is never handed out."""

    status_code = 500
    title = "Document failed its integrity check"
    slug = "document-integrity"


def damaged(why: str) -> DocumentDamaged:
    return DocumentDamaged(
        f"The archived copy of this document failed its integrity check ({why}), so it has not "
        "been handed out. The failure has been logged for the platform team."
    )


@dataclass(frozen=True)
class StoredObject:
    """One archived object, as the document's row records it."""

    key: str
    version_id: str | None
    sha256_hex: str
    size: int


def sha256_base64(sha256_hex: str) -> str:
    """The digest in the base64 form S3 checksums and `Digest` headers use."""
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


class DocumentStore(Protocol):
    async def put(
        self, key: str, content: bytes, sha256_hex: str, media_type: str, retain_until: datetime
    ) -> str | None:
        """Store the bytes once; returns the S3 version id (None for the local folder)."""
        ...

    async def read(self, stored: StoredObject) -> bytes:
        """The bytes, after checking their SHA-256 against the recorded one."""
        ...

    async def keep_until(self, stored: StoredObject, retain_until: datetime) -> None:
        """Lengthen the stored version's lock to `retain_until` (a lock is never shortened)."""
        ...

    async def download_url(
        self, stored: StoredObject, filename: str, media_type: str
    ) -> str | None:
        """A verified, short-lived URL to fetch the bytes directly, or None when the app must
        serve them itself (then through read())."""
        ...
