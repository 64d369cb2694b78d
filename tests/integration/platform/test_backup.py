"""`marketplace backup` and `marketplace restore` on the embedded default: a restore drill (sealed
and opened bids, wiped, restored, verified, opened with the same key), refused tampering, refused
overwrites and foreign keys, consistency while the marketplace writes, and the refusal on
PostgreSQL and S3 pointing at their procedure."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from marketplace.archive.local_store import LocalDocumentStore
from marketplace.archive.storage import StoredObject
from marketplace.archive.tables import Document
from marketplace.awards.closing import close_due_call_offs
from marketplace.backup import MANIFEST, BackupRefused, back_up, restore
from marketplace.bids.tables import CallOffKey
from marketplace.cli import main
from marketplace.config import get_settings, reset_settings
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import PASSWORD, bearer, make_admin, make_organisation, make_user
from tests.integration.bids.test_bid_attachments import attach
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.support import run_marketplace

on_sqlite = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

OPENED_PLAN = b"Mobilisation plan for the opened call-off\n"
SEALED_PLAN = b"Mobilisation plan for the still sealed call-off\n"


@pytest.fixture
def var(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The embedded default's data folder: this test's database is already there
    (tmp_path/marketplace.sqlite); its archive and keys go there too."""
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    reset_settings()
    return tmp_path


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder away from the data folder, for backups and the keys kept apart."""
    return tmp_path_factory.mktemp("elsewhere")


async def command(*arguments: str) -> Result:
    """The `marketplace` command through its function (in a thread: it runs its own loop)."""
    return await asyncio.to_thread(CliRunner().invoke, main, list(arguments))


def names_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def lose_everything(var: Path, keys_kept: Path) -> None:
    """Lose the data folder (database, archive, keys), the keys having been kept apart."""
    shutil.copytree(var / "keys", keys_kept)
    for entry in var.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    assert names_in(var) == []
    reset_settings()


def wipe(var: Path, keys_kept: Path) -> None:
    """Lose the data folder, then put back the keys kept apart, as an operator restores them
    from the secret store."""
    lose_everything(var, keys_kept)
    shutil.copytree(keys_kept, var / "keys")


async def documents_by_id() -> dict[str, dict[str, Any]]:
    return {str(row["id"]): row for row in await Document.select().order_by(Document.id)}


async def every_document_reads_back(var: Path) -> int:
    """Read each document's file through the archive, which refuses one differing from its
    digest; returns how many were read."""
    store = LocalDocumentStore(var / "archive")
    rows = await Document.select(Document.key, Document.sha256, Document.version_id, Document.size)
    for row in rows:
        content = await store.read(
            StoredObject(row["key"], row["version_id"], row["sha256"], row["size"])
        )
        assert hashlib.sha256(content).hexdigest() == row["sha256"]
    return len(rows)


async def bids_of(client: Any, token: str, call_off_id: str) -> Any:
    return await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(token))


@on_sqlite
async def test_a_restore_drill_brings_back_opened_and_sealed_bids_with_their_documents(
    var: Path, elsewhere: Path, client: Any
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    opened_id = await published(client, c, enablement_body(c))
    sealed_id = await published(
        client, c, enablement_body(c, package_ids=[str(c.packages["3"])], title="Second")
    )
    for call_off_id, rate, plan in ((opened_id, 1873, OPENED_PLAN), (sealed_id, 1890, SEALED_PLAN)):
        submitted = await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid",
            json={**ENABLEMENT_BID, "hourly_rate_pence": rate},
            headers=bearer(token),
        )
        assert submitted.status_code == 201, submitted.text
        assert (await attach(client, call_off_id, token, plan)).status_code == 201
    await pass_the_deadline(opened_id)
    assert await close_due_call_offs() == 1
    assert (await bids_of(client, c.token, opened_id)).status_code == 200
    assert (await command("audit", "seal")).exit_code == 0
    documents = await documents_by_id()
    wrapped = {
        str(row["call_off"]): bytes(row["wrapped_key"])
        for row in await CallOffKey.select(CallOffKey.call_off, CallOffKey.wrapped_key)
    }
    assert len(documents) == 2 and len(wrapped) == 2

    backup = elsewhere / "backup"
    made = await command("backup", str(backup))
    assert made.exit_code == 0, made.output
    # The archive holds the two documents and the audit log's anchors (one per seal).
    assert "archive files (2 documents, each matching its SHA-256)" in made.output
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["keys"]["included"] is False and "never" in manifest["keys"]["note"]
    files = manifest["archive"]["files"]
    anchors = [name for name in files if name.startswith("audit/anchors/")]
    assert manifest["documents"] == 2 and len(files) - len(anchors) == 2 and anchors
    kek = get_settings().key_encryption_key
    for path in backup.rglob("*"):
        assert "keys" not in path.relative_to(backup).parts
        if path.is_file():
            content = path.read_bytes()
            assert kek not in content and base64.b64encode(kek) not in content

    wipe(var, elsewhere / "keys")
    restored = await command("restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "2 documents" in restored.output and "archive files" in restored.output

    verified = await command("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("ok: ")
    assert await documents_by_id() == documents
    assert await every_document_reads_back(var) == 2

    [opened] = (await bids_of(client, c.token, opened_id)).json()
    assert opened["integrity"] == "intact" and opened["content"]["hourly_rate_pence"] == 1873
    still_sealed = await bids_of(client, c.token, sealed_id)
    assert still_sealed.status_code == 409 and "sealed" in still_sealed.json()["detail"]
    assert {
        str(row["call_off"]): bytes(row["wrapped_key"])
        for row in await CallOffKey.select(CallOffKey.call_off, CallOffKey.wrapped_key)
    } == wrapped, "the restored call-offs keep their data keys, wrapped as before"
    await pass_the_deadline(sealed_id)
    assert await close_due_call_offs() == 1
    [bid] = (await bids_of(client, c.token, sealed_id)).json()
    assert bid["integrity"] == "intact" and bid["content"]["hourly_rate_pence"] == 1890
    [attachment] = bid["attachments"]
    plan = await client.get(
        f"/api/v1/call-offs/{sealed_id}/bids/{bid['bid_id']}/attachments/"
        f"{attachment['attachment_id']}",
        headers=bearer(c.token),
    )
    assert plan.status_code == 200 and plan.content == SEALED_PLAN


async def a_backup_with_a_document(client: Any, backup: Path) -> str:
    """A provider's public document, then a backup; returns the document's archive key."""
    organisation = await make_organisation("provider")
    _, token = await make_user(organisation.id, "provider")
    uploaded = await client.post(
        "/api/v1/documents",
        files={"file": ("method.txt", b"Our method statement.\n", "text/plain")},
        data={"confidentiality": "public"},
        headers=bearer(token),
    )
    assert uploaded.status_code == 201, uploaded.text
    assert (await command("backup", str(backup))).exit_code == 0
    [row] = await Document.select(Document.key)
    return str(row["key"])


def rewrite_manifest(backup: Path, name: str, content: bytes) -> None:
    """Change the manifest's entry for one archive file to match new content, as someone
    covering their tracks would."""
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["archive"]["files"][name] = {
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }
    (backup / MANIFEST).write_text(json.dumps(manifest))


@on_sqlite
@pytest.mark.parametrize(
    ("tampered", "refusal"),
    [
        ("database", "marketplace.sqlite in the backup differs from the SHA-256"),
        ("archive file", "in the backup differs from the SHA-256 its manifest records"),
        ("archive file and manifest", "differs from the SHA-256 recorded at upload"),
    ],
)
async def test_a_tampered_backup_is_refused_before_anything_is_touched(
    var: Path, elsewhere: Path, client: Any, tampered: str, refusal: str
) -> None:
    backup = elsewhere / "backup"
    key = await a_backup_with_a_document(client, backup)
    if tampered == "database":
        with (backup / "marketplace.sqlite").open("r+b") as database:
            database.seek(-1, 2)
            last = database.read(1)
            database.seek(-1, 2)
            database.write(bytes([last[0] ^ 0x01]))
    else:
        path = backup / "archive" / key
        content = b"Our method statement, changed.\n"
        path.write_bytes(content)
        if tampered == "archive file and manifest":
            rewrite_manifest(backup, key, content)
    wipe(var, elsewhere / "keys")

    refused = await command("restore", str(backup))
    assert refused.exit_code == 1
    assert refusal in refused.output
    assert names_in(var) == ["keys"], "nothing restored"


def alter(path: Path, content: bytes) -> None:
    """Change a read-only archive file, as a fault or someone with access to the disk might."""
    path.chmod(0o600)
    path.write_bytes(content)
    path.chmod(0o444)


@on_sqlite
async def test_a_backup_refuses_an_archive_whose_file_differs_from_its_document(
    var: Path, elsewhere: Path, client: Any
) -> None:
    key = await a_backup_with_a_document(client, elsewhere / "first")
    [row] = await Document.select(Document.id)
    alter(var / "archive" / key, b"Our method statement, changed.\n")

    refused = await command("backup", str(elsewhere / "second"))
    assert refused.exit_code == 1
    assert f"document {row['id']} ({key}) in the archive folder differs from the SHA-256" in (
        refused.output
    )
    assert names_in(elsewhere / "second") == [], "no half-made backup is left"


@on_sqlite
async def test_a_backup_leaves_out_an_upload_still_being_written(
    var: Path, elsewhere: Path, client: Any
) -> None:
    key = await a_backup_with_a_document(client, elsewhere / "first")
    month = (var / "archive" / key).parent
    under_way = month / "an-upload-under-way"
    under_way.write_bytes(b"half of a fi")
    finished = under_way.with_name("an-orphan-whose-row-failed")
    finished.write_bytes(b"a whole file\n")
    finished.chmod(0o444)

    summary = await asyncio.to_thread(back_up, elsewhere / "second")
    files = json.loads((elsewhere / "second" / MANIFEST).read_text())["archive"]["files"]
    folder = month.relative_to(var / "archive").as_posix()
    assert f"{folder}/an-orphan-whose-row-failed" in files
    assert f"{folder}/an-upload-under-way" not in files
    assert (summary.documents, summary.archive_files) == (1, 2)


@on_sqlite
async def test_a_restore_refuses_a_marketplace_holding_data_unless_told_to_overwrite(
    var: Path, elsewhere: Path, client: Any
) -> None:
    backup = elsewhere / "backup"
    key = await a_backup_with_a_document(client, backup)
    admin, _ = await make_admin()
    alter(var / "archive" / key, b"Damaged since the backup.\n")

    refused = await command("restore", str(backup))
    assert refused.exit_code == 1
    assert "holds data already" in refused.output and "--overwrite" in refused.output
    assert await Document.count() == 1

    replaced = await command("restore", "--overwrite", str(backup))
    assert replaced.exit_code == 0, replaced.output
    from marketplace.accounts.tables import User

    assert not await User.exists().where(User.id == admin.id), "the database is the backup's"
    assert await every_document_reads_back(var) == 1, "the damaged file is the backup's again"
    assert (await command("audit", "verify")).exit_code == 0


@on_sqlite
async def test_a_restore_refuses_a_key_encryption_key_other_than_the_backups(
    var: Path, elsewhere: Path, client: Any
) -> None:
    backup = elsewhere / "backup"
    await a_backup_with_a_document(client, backup)
    lose_everything(var, elsewhere / "keys")  # new keys are generated in their place

    refused = await command("restore", str(backup))
    assert refused.exit_code == 1
    assert "not the one this backup was made with" in refused.output
    assert not (var / "marketplace.sqlite").exists()


@on_sqlite
async def test_a_backup_taken_while_documents_are_uploaded_is_consistent(
    var: Path, elsewhere: Path, client: Any
) -> None:
    organisation = await make_organisation("provider")
    _, token = await make_user(organisation.id, "provider")
    done = asyncio.Event()

    async def upload_until_done() -> int:
        count = 0
        while not done.is_set():
            response = await client.post(
                "/api/v1/documents",
                files={"file": ("note.txt", f"Note {count}.\n".encode(), "text/plain")},
                data={"confidentiality": "public"},
                headers=bearer(token),
            )
            assert response.status_code == 201, response.text
            count += 1
        return count

    uploading = asyncio.create_task(upload_until_done())
    counts = []
    try:
        while len(counts) < 6:
            await asyncio.sleep(0.05)
            summary = await asyncio.to_thread(back_up, elsewhere / f"backup-{len(counts)}")
            counts.append(summary.documents)
    finally:
        done.set()
    uploaded = await uploading
    assert counts == sorted(counts) and counts[-1] > counts[0], "uploads went on meanwhile"
    assert uploaded > counts[-1]

    wipe(var, elsewhere / "keys")
    last = restore(elsewhere / "backup-5")
    assert last.documents == counts[-1]
    assert await every_document_reads_back(var) == counts[-1]


@pytest.fixture
def with_s3(var: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("S3_BUCKET", "archive-backup-refused")
    reset_settings()
    yield


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_on_postgresql_backup_and_restore_point_to_the_operations_procedure(
    var: Path, elsewhere: Path
) -> None:
    for arguments in (["backup", str(elsewhere / "backup")], ["restore", str(elsewhere)]):
        refused = await command(*arguments)
        assert refused.exit_code == 1
        assert "PostgreSQL" in refused.output and "docs/operations.md" in refused.output
        assert "pg_dump" in refused.output
    assert names_in(elsewhere) == [], "nothing written"


@on_sqlite
async def test_with_an_s3_archive_backup_and_restore_point_to_the_operations_procedure(
    with_s3: None, elsewhere: Path
) -> None:
    with pytest.raises(BackupRefused, match="S3_BUCKET names an S3 archive"):
        back_up(elsewhere / "backup")
    with pytest.raises(BackupRefused, match=re.escape("docs/operations.md")):
        restore(elsewhere)
    assert names_in(elsewhere) == []


def test_backup_and_restore_run_as_commands(tmp_path: Path, elsewhere: Path) -> None:
    assert run_marketplace(tmp_path, "migrate").returncode == 0
    created = run_marketplace(
        tmp_path, "admin", "create", "--email", "a@example.org", "--password", PASSWORD
    )
    assert created.returncode == 0, created.stderr
    assert run_marketplace(tmp_path, "audit", "seal").returncode == 0
    made = run_marketplace(tmp_path, "backup", str(elsewhere / "backup"))
    assert made.returncode == 0, made.stderr
    assert "Keys are never in a backup" in made.stdout
    wipe(tmp_path, elsewhere / "keys")

    restored = run_marketplace(tmp_path, "restore", str(elsewhere / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup made at" in restored.stdout
    verified = run_marketplace(tmp_path, "audit", "verify")
    assert (verified.returncode, verified.stdout.strip()) == (
        0,
        "ok: 1 events in 1 seals, as anchored in the archive",
    )
    again = run_marketplace(tmp_path, "restore", str(elsewhere / "backup"))
    assert again.returncode == 1 and "holds data already" in again.stderr
