"""A commissioner uploads a call-off's document from its page: archived write-once in S3 (the moto
server of the services), listed on the page; a wrong type or an empty file is refused in words on
the file field. SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from marketplace.archive.bucket import init_archive
from marketplace.archive.s3_store import s3_client
from marketplace.archive.tables import Document
from marketplace.config import get_settings
from tests.integration.archive.test_archive import use_s3
from tests.integration.tenders.test_console_pages import (
    as_commissioner,
    create_through_form,
    enablement_form,
)
from tests.sample_documents import MINIMAL_PDF
from tests.support import csrf_token_in


async def test_a_document_uploaded_from_the_page_is_archived_and_listed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = use_s3(monkeypatch)
    await init_archive()
    c = await as_commissioner(client)
    location = await create_through_form(client, enablement_form(c))
    page = (await client.get(location)).text
    assert 'id="document-form"' in page and 'enctype="multipart/form-data"' in page
    token = csrf_token_in(page)

    uploaded = await client.post(
        f"{location}/documents",
        data={"csrf_token": token},
        files={"file": ("Service specification.pdf", MINIMAL_PDF, "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text
    assert uploaded.headers["location"] == f"{location}#documents"
    shown = (await client.get(uploaded.headers["location"])).text
    assert "The document is uploaded" in shown
    assert "Service specification.pdf" in shown
    row = await Document.select().where(Document.filename == "Service specification.pdf").first()
    assert row is not None and row["confidentiality"] == "public"
    stored = s3_client(get_settings()).get_object(
        Bucket=bucket, Key=row["key"], VersionId=row["version_id"]
    )
    assert stored["Body"].read() == MINIMAL_PDF

    zipped = await client.post(
        f"{location}/documents",
        data={"csrf_token": token},
        files={"file": ("notes.zip", b"PK\x03\x04not a document", "application/zip")},
    )
    assert zipped.status_code == 415
    assert 'href="#file"' in zipped.text
    assert "The selected file must be one of PDF" in zipped.text
    empty = await client.post(
        f"{location}/documents", data={"csrf_token": token}, files={"file": ("empty.pdf", b"")}
    )
    assert empty.status_code in (400, 422) and "The selected file is empty" in empty.text
    missing = await client.post(f"{location}/documents", data={"csrf_token": token}, files={})
    assert "Select a file to upload" in missing.text
