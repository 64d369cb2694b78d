"""`marketplace archive init`: make the archive ready to keep documents write-once."""

from __future__ import annotations

import asyncio
from typing import Any

from botocore.exceptions import ClientError

from marketplace.archive.s3_store import s3_client
from marketplace.config import Settings, get_settings


class ArchiveSetupError(Exception):
    """The configured archive cannot be made write-once as it stands."""


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


async def init_archive(settings: Settings | None = None) -> str:
    """Create the bucket with versioning, Object Lock and a default COMPLIANCE retention, or the
    local folder when no S3 is configured. Idempotent; returns what it did, in words."""
    settings = settings or get_settings()
    if not settings.s3_configured:
        root = settings.var_dir / "archive"
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return f"No S3 bucket configured: documents are kept in the local folder {root}."
    return await asyncio.to_thread(_init_bucket, settings)


def _init_bucket(settings: Settings) -> str:
    client = s3_client(settings)
    bucket = settings.s3_bucket
    created = _create_if_missing(client, settings)
    try:
        lock = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError as exc:
        if _error_code(exc) != "ObjectLockConfigurationNotFoundError":
            raise
        lock = {}
    if lock.get("ObjectLockEnabled") != "Enabled":
        raise ArchiveSetupError(
            f"Bucket {bucket} exists without Object Lock, which can only be turned on when a "
            "bucket is created: use a new bucket name (S3_BUCKET) or a bucket made with Object Lock"
        )
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    days = settings.archive_retention_days
    wanted = {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": days}}
    current = lock.get("Rule", {}).get("DefaultRetention", {})
    if current.get("Mode") != "COMPLIANCE" or current.get("Days") != days:
        client.put_object_lock_configuration(
            Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": wanted}
        )
    verb = "Created" if created else "Checked"
    return (
        f"{verb} bucket {bucket}: versioning on, Object Lock on, "
        f"default retention COMPLIANCE for {days} days."
    )


def _create_if_missing(client: Any, settings: Settings) -> bool:
    try:
        client.head_bucket(Bucket=settings.s3_bucket)
        return False
    except ClientError as exc:
        if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    options: dict[str, Any] = {"Bucket": settings.s3_bucket, "ObjectLockEnabledForBucket": True}
    if settings.s3_region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": settings.s3_region}
    try:
        client.create_bucket(**options)
    except ClientError as exc:
        if _error_code(exc) != "BucketAlreadyOwnedByYou":
            raise
        return False
    return True
