"""The document store the settings name: S3 when a bucket is configured, else the local folder."""

from __future__ import annotations

from marketplace.archive.local_store import LocalDocumentStore
from marketplace.archive.s3_store import S3DocumentStore
from marketplace.archive.storage import DocumentStore
from marketplace.config import Settings, get_settings


def document_store(settings: Settings | None = None) -> DocumentStore:
    """The backend the settings name: S3 when a bucket is configured, else the local folder."""
    settings = settings or get_settings()
    if settings.s3_configured:
        return S3DocumentStore(settings)

    return LocalDocumentStore(settings.var_dir / "archive")
