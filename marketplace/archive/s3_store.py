"""The S3 backend: a versioned bucket with Object Lock; boto3 calls run in worker threads."""

from __future__ import annotations

import asyncio
import functools
import hashlib
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from marketplace.archive.filenames import content_disposition
from marketplace.archive.storage import StoredObject, damaged, sha256_base64
from marketplace.config import Settings

PRESIGNED_URL_SECONDS = 300


@functools.lru_cache(maxsize=8)
def _client(endpoint_url: str | None, region: str) -> Any:

    # boto3 clients are thread-safe (sessions are not): one per endpoint, shared by threads.
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        config=Config(signature_version="s3v4", retries={"mode": "standard", "max_attempts": 3}),
    )


def s3_client(settings: Settings) -> Any:
    return _client(settings.s3_endpoint_url, settings.s3_region)


class S3DocumentStore:
    def __init__(self, settings: Settings) -> None:
        if not settings.s3_bucket:
            raise ValueError("S3_BUCKET is not set")
        self.bucket = settings.s3_bucket
        self.client = s3_client(settings)

    async def put(
        self, key: str, content: bytes, sha256_hex: str, media_type: str, retain_until: datetime
    ) -> str | None:
        # S3 checks the body against ChecksumSHA256 and refuses a mismatch; the retention is
        # set on the version itself, so it does not depend on the bucket's default alone.
        response = await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=content,
            ContentType=media_type,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=sha256_base64(sha256_hex),
            ObjectLockMode="COMPLIANCE",
            ObjectLockRetainUntilDate=retain_until,
        )
        version_id: str | None = response.get("VersionId")
        if not version_id:
            raise RuntimeError(f"bucket {self.bucket} returned no version id: is versioning on?")
        return version_id

    async def keep_until(self, stored: StoredObject, retain_until: datetime) -> None:
        # COMPLIANCE mode lets a lock be lengthened, never shortened or removed.
        await asyncio.to_thread(
            self.client.put_object_retention,
            Bucket=self.bucket,
            Key=stored.key,
            VersionId=stored.version_id,
            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": retain_until},
        )

    async def _verify(self, stored: StoredObject) -> None:
        try:
            head = await asyncio.to_thread(
                self.client.head_object,
                Bucket=self.bucket,
                Key=stored.key,
                VersionId=stored.version_id,
                ChecksumMode="ENABLED",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NoSuchVersion"):
                raise damaged("the stored version is missing") from None
            raise
        checksum = head.get("ChecksumSHA256")
        if not checksum:
            raise damaged("the stored version carries no SHA-256 checksum")
        if checksum != sha256_base64(stored.sha256_hex):
            raise damaged("its SHA-256 differs from the one recorded at upload")
        if head.get("ContentLength") != stored.size:
            raise damaged("its size differs from the one recorded at upload")

    async def read(self, stored: StoredObject) -> bytes:
        await self._verify(stored)
        response = await asyncio.to_thread(
            self.client.get_object, Bucket=self.bucket, Key=stored.key, VersionId=stored.version_id
        )
        content: bytes = await asyncio.to_thread(response["Body"].read)
        if hashlib.sha256(content).hexdigest() != stored.sha256_hex:
            raise damaged("the bytes read differ from the digest recorded at upload")
        return content

    async def download_url(
        self, stored: StoredObject, filename: str, media_type: str
    ) -> str | None:
        await self._verify(stored)
        url: str = await asyncio.to_thread(
            self.client.generate_presigned_url,
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": stored.key,
                "VersionId": stored.version_id,
                "ResponseContentType": media_type,
                "ResponseContentDisposition": content_disposition(filename),
            },
            ExpiresIn=PRESIGNED_URL_SECONDS,
        )
        return url
