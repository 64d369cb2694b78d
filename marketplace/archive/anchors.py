"""Where the audit log's anchors are kept: beside the documents, write-once (docs/design.md 6.2 and
6.3). On S3, each anchor is an object version under COMPLIANCE retention; in the local folder, a
read-only file created exclusively. The composition root hands `anchor_store` to the audit log."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from marketplace.archive.local_store import write_file_once
from marketplace.archive.s3_store import s3_client
from marketplace.archive.storage import sha256_base64
from marketplace.audit.anchors import AnchorStore, StoredAnchor
from marketplace.config import Settings, get_settings

PREFIX = "audit/anchors/"


class AnchorConflict(Exception):
    """An anchor of that name already exists with other contents."""


class LocalAnchorStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.where = f"the local archive folder ({PREFIX.rstrip('/')})"

    async def write(self, name: str, body: bytes) -> None:
        await asyncio.to_thread(self._write_once, self.root / name, body)

    @staticmethod
    def _write_once(path: Path, body: bytes) -> None:
        try:
            write_file_once(path, body)
        except FileExistsError:
            if path.read_bytes() != body:
                raise AnchorConflict(f"anchor {path.name} exists with other contents") from None

    async def list(self) -> list[StoredAnchor]:
        def names() -> list[str]:
            return sorted(os.listdir(self.root)) if self.root.is_dir() else []

        return [StoredAnchor(name, PREFIX + name) for name in await asyncio.to_thread(names)]

    async def read(self, anchor: StoredAnchor) -> bytes:
        return await asyncio.to_thread((self.root / anchor.name).read_bytes)


class S3AnchorStore:
    def __init__(self, settings: Settings) -> None:
        if not settings.s3_bucket:
            raise ValueError("S3_BUCKET is not set")
        self.bucket = settings.s3_bucket
        self.client = s3_client(settings)
        self.retention_days = settings.archive_retention_days
        self.where = f"the archive bucket {self.bucket}"

    async def write(self, name: str, body: bytes) -> None:
        # The name holds the seal's hash, so a second write of the same anchor (after a crash
        # between writing it and recording that it was written) is the same bytes again.
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=PREFIX + name,
            Body=body,
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=sha256_base64(hashlib.sha256(body).hexdigest()),
            ObjectLockMode="COMPLIANCE",
            ObjectLockRetainUntilDate=datetime.now(UTC) + timedelta(days=self.retention_days),
        )

    def _versions(self) -> list[StoredAnchor]:
        # Every version, not only the current ones: a delete marker hides a key from a plain
        # listing but cannot remove a locked version.
        found: list[StoredAnchor] = []
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=PREFIX):
            for version in page.get("Versions", []):
                key = version["Key"]
                found.append(StoredAnchor(key[len(PREFIX) :], key, version.get("VersionId")))
        return found

    async def list(self) -> list[StoredAnchor]:
        return await asyncio.to_thread(self._versions)

    async def read(self, anchor: StoredAnchor) -> bytes:
        options = {"VersionId": anchor.version_id} if anchor.version_id else {}
        response = await asyncio.to_thread(
            self.client.get_object, Bucket=self.bucket, Key=anchor.location, **options
        )
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body


def anchor_store(settings: Settings | None = None) -> AnchorStore:
    """The archive the settings name: the S3 bucket when one is configured, else the folder."""
    settings = settings or get_settings()
    if settings.s3_configured:
        return S3AnchorStore(settings)
    return LocalAnchorStore(settings.var_dir / "archive" / PREFIX.rstrip("/"))
