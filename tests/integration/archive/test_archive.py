"""The document archive through the API, on both backends (moto's S3 server and the local folder)
and both engines: byte-identical round trips, refused tampering, locks, limits and access."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from marketplace.archive.bucket import ArchiveSetupError, init_archive
from marketplace.archive.s3_store import s3_client
from marketplace.archive.tables import Document
from marketplace.audit.tables import AuditEvent
from marketplace.config import get_settings, reset_settings
from tests.conftest import service_url
from tests.factories import bearer, make_admin, make_organisation, make_user
from tests.sample_documents import MINIMAL_PDF, minimal_docx

ALLOWED = "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), CSV, plain text, PNG, JPEG"


def use_s3(monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the app at the moto server, with a bucket of its own."""
    bucket = f"archive-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("S3_ENDPOINT_URL", service_url("S3_ENDPOINT_URL"))
    monkeypatch.setenv("S3_BUCKET", bucket)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    reset_settings()
    return bucket


@pytest.fixture(params=["local", "s3"])
async def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, db: str) -> str:
    if request.param == "s3":
        use_s3(monkeypatch)
    await init_archive()
    return str(request.param)


@pytest.fixture
def local_backend(db: str) -> str:
    return "local"


async def upload(
    client: Any,
    token: str,
    content: bytes,
    filename: str = "method statement.pdf",
    confidentiality: str = "public",
) -> httpx.Response:
    return await client.post(
        "/api/v1/documents",
        files={"file": (filename, content, "application/octet-stream")},
        data={"confidentiality": confidentiality},
        headers=bearer(token),
    )


async def provider_token() -> tuple[Any, str]:
    organisation = await make_organisation("provider")
    _, token = await make_user(organisation.id, "provider")
    return organisation, token


async def fetch(client: Any, location: str) -> httpx.Response:
    """Follow the short-lived link: straight to S3 for a presigned URL, else to the app."""
    if location.startswith("http"):
        async with httpx.AsyncClient() as outside:
            return await outside.get(location)
    return await client.get(location)


async def test_a_document_comes_back_byte_identical_with_its_digest_checked(
    backend: str, client: Any
) -> None:
    _, token = await provider_token()
    content = minimal_docx()
    created = await upload(client, token, content, "Method statement (v2).docx")
    assert created.status_code == 201, created.text
    document = created.json()
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["size"] == len(content)
    assert document["filename"] == "Method statement (v2).docx"
    assert document["media_type"].endswith("wordprocessingml.document")
    assert document["confidentiality"] == "public"

    redirect = await client.get(f"/api/v1/documents/{document['id']}", headers=bearer(token))
    assert redirect.status_code == 303, redirect.text
    location = redirect.headers["location"]
    assert location.startswith("http" if backend == "s3" else "/api/v1/documents/")
    downloaded = await fetch(client, location)
    assert downloaded.status_code == 200
    assert downloaded.content == content
    assert hashlib.sha256(downloaded.content).hexdigest() == document["sha256"]
    assert "attachment" in downloaded.headers["content-disposition"]
    if backend == "local":
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
        assert downloaded.headers["digest"] == f"sha-256={digest}"
        assert downloaded.headers["x-content-type-options"] == "nosniff"
        assert downloaded.headers["content-type"] == document["media_type"]

    metadata = await client.get(
        f"/api/v1/documents/{document['id']}/metadata", headers=bearer(token)
    )
    assert metadata.json()["sha256"] == document["sha256"]
    row = await Document.select().where(Document.id == document["id"]).first()
    assert document["filename"] not in row["key"]
    assert row["key"].startswith("documents/")
    assert (row["version_id"] is not None) == (backend == "s3")


async def test_a_tampered_local_file_is_refused(local_backend: str, client: Any) -> None:
    _, token = await provider_token()
    document = (await upload(client, token, MINIMAL_PDF)).json()
    row = await Document.select().where(Document.id == document["id"]).first()
    path = get_settings().var_dir / "archive" / row["key"]
    assert path.stat().st_mode & 0o777 == 0o444
    path.chmod(0o644)
    path.write_bytes(MINIMAL_PDF.replace(b"Catalog", b"Katalog"))

    redirect = await client.get(f"/api/v1/documents/{document['id']}", headers=bearer(token))
    refused = await client.get(redirect.headers["location"])
    assert refused.status_code == 500
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "integrity check" in refused.json()["detail"]
    assert b"Katalog" not in refused.content
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "document_integrity_failed")
        & (AuditEvent.entity_id == document["id"])
    )


async def test_a_bad_or_expired_local_link_is_refused(local_backend: str, client: Any) -> None:
    _, token = await provider_token()
    document = (await upload(client, token, MINIMAL_PDF)).json()
    redirect = await client.get(f"/api/v1/documents/{document['id']}", headers=bearer(token))
    location = redirect.headers["location"]
    forged = location.replace("signature=", "signature=0")
    assert (await client.get(forged)).status_code == 403
    expired = f"/api/v1/documents/{document['id']}/content?expires=1&signature=00"
    assert "expired" in (await client.get(expired)).json()["detail"]
    # A signature no signer could make (non-ASCII) is a refusal too, never a 500.
    odd = location.split("signature=")[0] + "signature=%C3%A9t%C3%A9"
    answer = await client.get(odd)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_an_s3_version_swapped_behind_the_apps_back_is_refused(
    db: str, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    bucket = use_s3(monkeypatch)
    await init_archive()
    _, token = await provider_token()
    document = (await upload(client, token, MINIMAL_PDF)).json()
    row = await Document.select().where(Document.id == document["id"]).first()
    swapped = s3_client(get_settings()).put_object(
        Bucket=bucket, Key=row["key"], Body=b"%PDF-1.4 something else", ChecksumAlgorithm="SHA256"
    )
    await Document.update({Document.version_id: swapped["VersionId"]}).where(
        Document.id == document["id"]
    )

    refused = await client.get(f"/api/v1/documents/{document['id']}", headers=bearer(token))
    assert refused.status_code == 500
    assert "location" not in refused.headers
    assert "SHA-256 differs" in refused.json()["detail"]


async def test_an_s3_row_whose_digest_was_changed_is_refused(
    db: str, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    use_s3(monkeypatch)
    await init_archive()
    _, token = await provider_token()
    document = (await upload(client, token, MINIMAL_PDF)).json()
    await Document.update({Document.sha256: "0" * 64}).where(Document.id == document["id"])
    refused = await client.get(f"/api/v1/documents/{document['id']}", headers=bearer(token))
    assert refused.status_code == 500
    assert "location" not in refused.headers


async def test_a_locked_s3_version_cannot_be_deleted(
    db: str, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    bucket = use_s3(monkeypatch)
    await init_archive()
    _, token = await provider_token()
    document = (await upload(client, token, MINIMAL_PDF)).json()
    row = await Document.select().where(Document.id == document["id"]).first()
    s3 = s3_client(get_settings())
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=row["key"], VersionId=row["version_id"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    head = s3.head_object(Bucket=bucket, Key=row["key"], VersionId=row["version_id"])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"].date() == row["retain_until"].date()


async def test_a_local_document_cannot_be_written_twice(local_backend: str, client: Any) -> None:
    from marketplace.archive.stores import document_store

    _, token = await provider_token()
    document = (await upload(client, token, MINIMAL_PDF)).json()
    row = await Document.select().where(Document.id == document["id"]).first()
    with pytest.raises(FileExistsError):
        await document_store().put(
            row["key"], b"other", "0" * 64, "text/plain", row["retain_until"]
        )


async def test_a_file_past_the_limit_is_refused_naming_the_limit(
    backend: str, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_MAX_UPLOAD_BYTES", str(1024 * 1024))
    reset_settings()
    _, token = await provider_token()
    refused = await upload(client, token, b"a" * (1024 * 1024 + 1), "notes.txt")
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "1 MB" in refused.json()["detail"]
    assert await Document.count() == 0


async def test_a_body_far_past_the_limit_is_cut_off_with_a_clear_message(
    local_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.app import create_app

    monkeypatch.setenv("MARKETPLACE_MAX_UPLOAD_BYTES", str(100 * 1024))
    reset_settings()
    _, token = await provider_token()
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as app:
        refused = await upload(app, token, b"a" * (1024 * 1024), "notes.txt")
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "at most 0.0976562 MB" in refused.json()["detail"]


async def test_a_disallowed_type_is_refused_listing_what_is_allowed(
    backend: str, client: Any
) -> None:
    _, token = await provider_token()
    refused = await upload(client, token, b"MZ\x90\x00" + bytes(200), "invoice.pdf")
    assert refused.status_code == 415
    problem = refused.json()
    assert "Windows executable" in problem["detail"]
    assert ALLOWED in problem["detail"]
    assert problem["type"] == "/problems/unsupported-type"
    html = await upload(client, token, b"<html><body>hi</body></html>", "page.txt")
    assert html.status_code == 415 and "HTML" in html.json()["detail"]


async def test_an_empty_file_or_unknown_confidentiality_is_400(
    local_backend: str, client: Any
) -> None:
    _, token = await provider_token()
    empty = await upload(client, token, b"", "empty.txt")
    assert empty.status_code == 400
    assert "empty" in empty.json()["detail"]
    unknown = await upload(client, token, b"words", "a.txt", confidentiality="secret")
    assert unknown.status_code == 400
    assert "confidentiality" in unknown.json()["detail"]
    no_file = await client.post(
        "/api/v1/documents",
        files={"note": ("a.txt", b"words", "text/plain")},
        data={"confidentiality": "public"},
        headers=bearer(token),
    )
    assert no_file.status_code == 400
    assert "file" in no_file.json()["detail"]


async def test_documents_are_hidden_across_tenants(local_backend: str, client: Any) -> None:
    provider, provider_key = await provider_token()
    _, colleague_key = await make_user(provider.id, "provider")
    _, other_provider_key = await provider_token()
    council = await make_organisation("commissioner")
    _, commissioner_key = await make_user(council.id, "commissioner")
    other_council = await make_organisation("commissioner")
    _, other_commissioner_key = await make_user(other_council.id, "commissioner")
    _, admin_key = await make_admin()

    async def status_of(document_id: str, key: str) -> int:
        response = await client.get(f"/api/v1/documents/{document_id}", headers=bearer(key))
        return int(response.status_code)

    public = (await upload(client, provider_key, MINIMAL_PDF)).json()["id"]
    for_commissioners = (
        await upload(client, provider_key, MINIMAL_PDF, confidentiality="commissioner_only")
    ).json()["id"]
    councils_own = (
        await upload(client, commissioner_key, MINIMAL_PDF, confidentiality="commissioner_only")
    ).json()["id"]

    assert await status_of(public, other_provider_key) == 303
    assert await status_of(for_commissioners, colleague_key) == 303
    assert await status_of(for_commissioners, commissioner_key) == 303
    assert await status_of(for_commissioners, admin_key) == 303
    assert await status_of(for_commissioners, other_provider_key) == 404
    assert await status_of(councils_own, other_commissioner_key) == 404
    assert await status_of(councils_own, provider_key) == 404
    assert await status_of(str(uuid.uuid4()), provider_key) == 404
    hidden = await client.get(
        f"/api/v1/documents/{councils_own}/metadata", headers=bearer(provider_key)
    )
    assert hidden.status_code == 404
    assert (
        await AuditEvent.count().where(
            (AuditEvent.action == "refused_read") & (AuditEvent.entity_id == councils_own)
        )
        == 3
    )


async def test_a_sealed_document_is_refused_to_everyone_and_each_attempt_audited(
    local_backend: str, client: Any
) -> None:
    provider, provider_key = await provider_token()
    _, other_provider_key = await provider_token()
    council = await make_organisation("commissioner")
    _, commissioner_key = await make_user(council.id, "commissioner")
    _, admin_key = await make_admin()
    sealed = (await upload(client, provider_key, MINIMAL_PDF, confidentiality="sealed")).json()
    path = f"/api/v1/documents/{sealed['id']}"

    for key in (provider_key, admin_key):
        refused = await client.get(path, headers=bearer(key))
        assert refused.status_code == 403
        assert "sealed" in refused.json()["detail"]
    for key in (commissioner_key, other_provider_key):
        assert (await client.get(path, headers=bearer(key))).status_code == 404
    own_record = await client.get(f"{path}/metadata", headers=bearer(provider_key))
    assert own_record.status_code == 200
    assert own_record.json()["sha256"] == sealed["sha256"]
    assert (await client.get(f"{path}/metadata", headers=bearer(admin_key))).status_code == 403

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.organisation_id).where(
        AuditEvent.entity_id == sealed["id"]
    )
    actions = sorted(event["action"] for event in events)
    assert actions == [
        "refused_read",
        "refused_read",
        *["refused_read_sealed"] * 3,
        "store_document",
    ]
    assert {event["organisation_id"] for event in events} == {provider.id}


@pytest.fixture
def s3_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield use_s3(monkeypatch)


def test_archive_init_is_idempotent(s3_settings: str) -> None:
    from click.testing import CliRunner

    from marketplace.cli import main

    runner = CliRunner()
    first = runner.invoke(main, ["archive", "init"])
    second = runner.invoke(main, ["archive", "init"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert f"Created bucket {s3_settings}" in first.output
    assert f"Checked bucket {s3_settings}" in second.output
    s3 = s3_client(get_settings())
    assert s3.get_bucket_versioning(Bucket=s3_settings)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=s3_settings)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert lock["Rule"]["DefaultRetention"]["Days"] == 3 * 365 + 1


def test_archive_init_refuses_a_bucket_without_object_lock(s3_settings: str) -> None:
    import asyncio

    s3 = s3_client(get_settings())
    s3.create_bucket(
        Bucket=s3_settings, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    with pytest.raises(ArchiveSetupError, match="without Object Lock"):
        asyncio.run(init_archive())


def test_archive_init_without_s3_makes_the_local_folder(var_dir: Path) -> None:
    from click.testing import CliRunner

    from marketplace.cli import main

    result = CliRunner().invoke(main, ["archive", "init"])
    assert result.exit_code == 0, result.output
    assert "local folder" in result.output
    assert os.path.isdir(var_dir / "archive")
