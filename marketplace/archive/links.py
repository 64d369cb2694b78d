"""Short-lived links to a document's bytes served by the app (the local-folder backend's
counterpart of an S3 presigned URL): an HMAC of the document id and the expiry time."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode
from uuid import UUID

LINK_LIFETIME_SECONDS = 300


def _signature(secret_key: bytes, document_id: UUID, expires: int) -> str:
    message = f"document-content:{document_id}:{expires}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()


def signed_content_path(secret_key: bytes, document_id: UUID, now: float | None = None) -> str:
    """The app path that serves this document's bytes for the next five minutes."""
    expires = int(now if now is not None else time.time()) + LINK_LIFETIME_SECONDS
    query = urlencode(
        {"expires": expires, "signature": _signature(secret_key, document_id, expires)}
    )
    return f"/api/v1/documents/{document_id}/content?{query}"


def link_is_valid(
    secret_key: bytes, document_id: UUID, expires: int, signature: str, now: float | None = None
) -> bool:
    """True when the signature is ours and the link has not expired."""
    if expires < int(now if now is not None else time.time()):
        return False
    # Bytes, not str: compare_digest refuses a str with non-ASCII characters (a TypeError, which
    # would answer a client's odd signature with a 500).
    expected = _signature(secret_key, document_id, expires).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass"))
