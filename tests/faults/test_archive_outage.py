"""S3 stopped in the middle of a document upload: the upload is refused 503 with a sentence
saying so, no document row is left without its object, /healthz names S3 as down, and the same
upload succeeds once S3 is back. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib

import httpx

from marketplace.archive.bucket import init_archive
from marketplace.archive.s3_store import s3_client
from marketplace.archive.tables import Document
from marketplace.config import get_settings
from tests.factories import bearer, make_organisation, make_user
from tests.faults.conftest import app_client, health, problem_of
from tests.faults.services import ThrowawayS3
from tests.sample_documents import MINIMAL_PDF


async def upload(client: httpx.AsyncClient, token: str, content: bytes) -> httpx.Response:
    return await client.post(
        "/api/v1/documents",
        files={"file": ("care plan.pdf", content, "application/octet-stream")},
        data={"confidentiality": "public"},
        headers=bearer(token),
    )


def stored_versions() -> set[tuple[str, str]]:
    """Every (key, version) the bucket holds."""
    listing = s3_client(get_settings()).list_object_versions(Bucket=get_settings().s3_bucket)
    return {(v["Key"], v["VersionId"]) for v in listing.get("Versions", [])}


async def test_s3_stopped_mid_upload_is_a_503_leaves_no_row_and_the_upload_can_be_retried(
    db: str, s3: ThrowawayS3
) -> None:
    await init_archive()
    provider = await make_organisation("provider")
    _, token = await make_user(provider.id, "provider")
    content = MINIMAL_PDF + b"% fault test\n"
    async with app_client() as client:
        assert await health(client) == (
            200,
            {"database": "ok", "redis": "embedded", "s3": "ok", "smtp": "embedded"},
        )

        s3.hold()  # the upload reaches S3 and waits there, unanswered ...
        pending = asyncio.create_task(upload(client, token, content))
        assert await asyncio.to_thread(s3.held.wait, 30), "the upload reached S3"
        s3.stop()  # ... when S3 goes away, cutting the connection
        s3.release()
        refused = await pending
        assert refused.status_code == 503, refused.text
        problem = problem_of(refused)
        assert problem["type"] == "/problems/unavailable"
        assert problem["detail"].startswith("The document archive is not answering just now")
        assert "no document was stored" in problem["detail"]
        assert refused.headers["retry-after"].isdigit()
        assert await Document.count() == 0, "no row without its object"

        status, states = await health(client)
        assert status == 503 and states["s3"] == "down" and states["database"] == "ok"

        s3.start()
        assert (await health(client))[0] == 200
        retried = await upload(client, token, content)
        assert retried.status_code == 201, retried.text
        assert retried.json()["sha256"] == hashlib.sha256(content).hexdigest()

    rows = await Document.select(Document.key, Document.version_id)
    assert len(rows) == 1
    versions = await asyncio.to_thread(stored_versions)
    assert {(row["key"], row["version_id"]) for row in rows} <= versions, "each row has its object"
