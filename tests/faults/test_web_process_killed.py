"""The web process killed (SIGKILL) in the middle of a request: a document upload whose bytes
have reached S3 but whose row is not yet written. Nothing partial is left (no document row,
no audit event, at most an unreferenced object in the archive), /healthz answers nothing while
it is dead and ok once it is started again, and the same upload then succeeds. On SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from marketplace.archive.bucket import init_archive
from marketplace.archive.tables import Document
from marketplace.audit.tables import AuditEvent
from tests.factories import bearer, make_organisation, make_user
from tests.faults.services import ThrowawayS3, WebProcess
from tests.faults.test_archive_outage import stored_versions
from tests.sample_documents import MINIMAL_PDF


@pytest.fixture
def web(db: str, s3: ThrowawayS3, tmp_path: Path) -> Iterator[WebProcess]:
    server = WebProcess(tmp_path / "web.log")
    yield server
    server.stop()


async def upload(url: str, token: str, content: bytes) -> httpx.Response:
    async with httpx.AsyncClient(timeout=60) as client:
        return await client.post(
            f"{url}/api/v1/documents",
            files={"file": ("visit log.pdf", content, "application/octet-stream")},
            data={"confidentiality": "public"},
            headers=bearer(token),
        )


async def test_web_process_killed_mid_upload_leaves_nothing_partial(
    web: WebProcess, s3: ThrowawayS3
) -> None:
    await init_archive()
    provider = await make_organisation("provider")
    _, token = await make_user(provider.id, "provider")
    content = MINIMAL_PDF + b"% killed mid-request\n"
    await asyncio.to_thread(web.start)

    s3.hold()  # the bytes reach S3 and wait there ...
    pending = asyncio.create_task(upload(web.url, token, content))
    assert await asyncio.to_thread(s3.held.wait, 30), "the upload reached S3"
    web.kill()  # ... when the web process dies
    with pytest.raises(httpx.TransportError):
        await pending
    with pytest.raises(httpx.TransportError):
        async with httpx.AsyncClient() as client:
            await client.get(f"{web.url}/healthz")
    s3.release()  # S3 may now keep the bytes: an object nothing refers to, never a row without one

    assert await Document.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "store_document") == 0

    await asyncio.to_thread(web.start)
    async with httpx.AsyncClient() as client:
        healthz = await client.get(f"{web.url}/healthz")
    assert healthz.status_code == 200, healthz.text
    retried = await upload(web.url, token, content)
    assert retried.status_code == 201, retried.text
    rows = await Document.select(Document.key, Document.version_id)
    assert len(rows) == 1
    versions = await asyncio.to_thread(stored_versions)
    assert {(row["key"], row["version_id"]) for row in rows} <= versions
    assert await AuditEvent.count().where(AuditEvent.action == "store_document") == 1
