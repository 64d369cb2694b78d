"""The audit log's anchors in the archive, on both engines and both archive backends: each seal is
anchored write-once, and history rewritten by someone with database rights (the triggers skipped
on PostgreSQL; SQLite has none) is found by `verify`, naming the anchor and the event."""

from __future__ import annotations

import base64
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from marketplace.archive.anchors import PREFIX, LocalAnchorStore
from marketplace.archive.anchors import anchor_store as anchor_store_of_the_archive
from marketplace.archive.bucket import init_archive
from marketplace.archive.s3_store import s3_client
from marketplace.audit.anchors import anchor_store, keep_anchors_in
from marketplace.audit.chain import chain_hash, event_digest
from marketplace.audit.sealing import seal_audit_log, verify_audit_log
from marketplace.audit.service import record
from marketplace.audit.tables import AuditAnchor, AuditEvent, AuditEventDigest, AuditSeal
from marketplace.config import get_settings, reset_settings
from marketplace.db import current_engine, is_postgres
from tests.factories import PASSWORD
from tests.integration.archive.test_archive import backend, use_s3  # noqa: F401 (the archive's fixture: local folder or S3)
from tests.support import run_marketplace


async def operator(*statements: tuple[str, tuple[Any, ...]]) -> None:
    """Write to the log as someone with database rights would: on PostgreSQL with the triggers
    skipped for this connection (`session_replication_role = replica`); SQLite has no trigger."""
    async with current_engine().transaction():
        if is_postgres():
            await AuditEvent.raw("SET LOCAL session_replication_role = replica")
        for sql, args in statements:
            await AuditEvent.raw(sql, *args)


async def three_seals() -> list[dict[str, Any]]:
    """A log of three seals of two events each, every one anchored."""
    for batch in range(3):
        for number in range(2):
            await record(None, "test_event", "test", f"{batch}-{number}", details={"n": number})
        assert await seal_audit_log() == 2
    return list(await AuditSeal.select().order_by(AuditSeal.id))


async def rechain_from(seal_id: int) -> None:
    """Recompute every digest and seal hash from `seal_id` on, as a careful forger would."""
    previous = (
        await AuditSeal.select()
        .where(AuditSeal.id < seal_id)
        .order_by(AuditSeal.id, ascending=False)
        .first()
    )
    previous_hash = previous["hash"]
    for seal in await AuditSeal.select().where(AuditSeal.id >= seal_id).order_by(AuditSeal.id):
        rows = await AuditEventDigest.select().where(AuditEventDigest.seal == seal["id"])
        digests = []
        for row in sorted(rows, key=lambda r: r["event_id"]):
            event = await AuditEvent.select().where(AuditEvent.id == row["event_id"]).first()
            digests.append(event_digest(event))
            await operator(
                (
                    "UPDATE audit_event_digest SET digest = {} WHERE event_id = {}",
                    (digests[-1], row["event_id"]),
                )
            )
        hash_ = chain_hash(previous_hash, digests)
        await operator(
            (
                "UPDATE audit_seal SET previous_hash = {}, hash = {} WHERE id = {}",
                (previous_hash, hash_, seal["id"]),
            )
        )
        previous_hash = hash_


@pytest.mark.usefixtures("backend")
async def test_every_seal_is_anchored_write_once_in_the_archive() -> None:
    seals = await three_seals()
    names = {anchor.name for anchor in await anchor_store().list()}
    for seal in seals:
        name = f"{seal['id']:012d}-{seal['previous_hash']}-{seal['hash']}"
        assert name in names
        if get_settings().s3_configured:
            head = s3_client(get_settings()).head_object(
                Bucket=get_settings().s3_bucket, Key=PREFIX + name
            )
            assert head["ObjectLockMode"] == "COMPLIANCE"
            days = get_settings().archive_retention_days
            assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=days - 1)
        else:
            path = get_settings().var_dir / "archive" / PREFIX / name
            assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    result = await verify_audit_log()
    assert result.ok, result.message
    assert result.message == "ok: 6 events in 3 seals, as anchored in the archive"


@pytest.mark.usefixtures("backend")
async def test_history_rewritten_and_rechained_in_the_database_is_found_by_its_anchor() -> None:
    await three_seals()
    forged = (await AuditEvent.select().order_by(AuditEvent.id))[2]  # sealed in seal 2
    await operator(
        ("UPDATE audit_event SET details = {} WHERE id = {}", ('{"n":1000}', forged["id"]))
    )
    await rechain_from(2)

    result = await verify_audit_log()
    assert not result.ok
    seal_2 = await AuditSeal.select().where(AuditSeal.id == 2).first()
    assert result.message.startswith("seal 2 (sealed at ")
    assert f"is not the one anchored in {anchor_store().where} as {PREFIX}000000000002-" in (
        result.message
    )
    assert seal_2["hash"] not in result.message  # the anchor named is the original seal's
    assert f"event {forged['id']} (test_event on test 1-0 at " in result.message
    assert "is not what was sealed (its digest is " in result.message
    assert result.seals == 3  # the chain itself holds: only the anchor tells


@pytest.mark.usefixtures("backend")
async def test_the_newest_seals_removed_from_the_database_are_reported() -> None:
    seals = await three_seals()
    await operator(
        ("DELETE FROM audit_event_digest WHERE seal = {}", (3,)),
        ("DELETE FROM audit_anchor WHERE seal = {}", (3,)),
        ("DELETE FROM audit_seal WHERE id = {}", (3,)),
        ("DELETE FROM audit_event WHERE id > {}", (4,)),
    )
    result = await verify_audit_log()
    assert not result.ok
    assert result.message == (
        f"seal 3 is anchored in {anchor_store().where} as {PREFIX}000000000003-"
        f"{seals[1]['hash']}-{seals[2]['hash']}, after seal 2, but the database has no such "
        "seal: the newest seals were removed"
    )


@pytest.mark.usefixtures("backend")
async def test_a_seal_whose_anchor_is_missing_is_reported(tmp_path: Path) -> None:
    await record(None, "test_event", "test", 1)
    await seal_audit_log()
    # Seal 2's anchor goes somewhere else, as if lost: the archive refuses to delete one (Object
    # Lock; the local folder's files are read-only), so it is never written to this archive.
    keep_anchors_in(lambda: LocalAnchorStore(tmp_path))
    try:
        await record(None, "test_event", "test", 2)
        await seal_audit_log()
    finally:
        keep_anchors_in(anchor_store_of_the_archive)
    await record(None, "test_event", "test", 3)
    await seal_audit_log()
    assert await AuditAnchor.count() == 3

    result = await verify_audit_log()
    assert not result.ok
    assert result.message.startswith("seal 2 (sealed at ")
    assert result.message.endswith(
        f"has no anchor in {anchor_store().where}: its anchor is missing"
    )


async def test_seals_made_while_the_archive_is_down_are_anchored_when_it_is_back(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_s3(monkeypatch)  # a bucket not created yet: every write to it fails
    await record(None, "test_event", "test", 1)
    assert await seal_audit_log() == 1  # the seal stands; its anchor waits

    unreadable = await verify_audit_log()
    assert not unreadable.ok
    assert unreadable.message.startswith(f"the anchors in {anchor_store().where} could not be read")

    await init_archive()
    waiting = await verify_audit_log()
    assert waiting.ok, waiting.message
    assert waiting.message == "ok: 1 events in 1 seals; 1 newest seals not anchored yet"

    await record(None, "test_event", "test", 2)
    assert await seal_audit_log() == 1
    result = await verify_audit_log()
    assert result.message == "ok: 2 events in 2 seals, as anchored in the archive"


def _rechain_sqlite_file(path: Path, event_id: int, details: str) -> None:
    """The forgery of the test above, done on the SQLite file with its own driver."""
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        connection.execute("UPDATE audit_event SET details = ? WHERE id = ?", (details, event_id))
        seals = connection.execute(
            "SELECT id, previous_hash FROM audit_seal ORDER BY id"
        ).fetchall()
        previous_hash = seals[0]["previous_hash"]
        for seal in seals:
            digests = []
            for row in connection.execute(
                "SELECT e.* FROM audit_event e JOIN audit_event_digest d ON d.event_id = e.id "
                "WHERE d.seal = ? ORDER BY e.id",
                (seal["id"],),
            ).fetchall():
                event = dict(row) | {"occurred_at": datetime.fromisoformat(row["occurred_at"])}
                digests.append(event_digest(event))
                connection.execute(
                    "UPDATE audit_event_digest SET digest = ? WHERE event_id = ?",
                    (digests[-1], row["id"]),
                )
            hash_ = chain_hash(previous_hash, digests)
            connection.execute(
                "UPDATE audit_seal SET previous_hash = ?, hash = ? WHERE id = ?",
                (previous_hash, hash_, seal["id"]),
            )
            previous_hash = hash_


def test_the_audit_verify_command_names_the_anchor_of_a_rewritten_history(tmp_path: Path) -> None:
    assert run_marketplace(tmp_path, "migrate").returncode == 0
    for email in ("a@example.org", "b@example.org"):
        created = run_marketplace(
            tmp_path, "admin", "create", "--email", email, "--password", PASSWORD
        )
        assert created.returncode == 0, created.stderr
        assert run_marketplace(tmp_path, "audit", "seal").stdout.strip() == "Sealed 1 events."
    assert run_marketplace(tmp_path, "audit", "verify").returncode == 0

    _rechain_sqlite_file(tmp_path / "marketplace.sqlite", 2, '{"forged":true}')
    broken = run_marketplace(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert "is not the one anchored in the local archive folder (audit/anchors) as " in (
        broken.stderr
    )
    assert f"{PREFIX}000000000002-" in broken.stderr
    assert "event 2 (create_admin on user " in broken.stderr


@pytest.mark.usefixtures("backend")
async def test_in_production_a_log_removed_or_started_again_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The archive is this log's alone (the tests' shared local folder holds every test's log).
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("MARKETPLACE_KEK", base64.b64encode(bytes(32)).decode())
    reset_settings()
    await three_seals()
    assert (await verify_audit_log()).ok
    await operator(
        ("DELETE FROM audit_event_digest", ()),
        ("DELETE FROM audit_anchor", ()),
        ("DELETE FROM audit_seal", ()),
    )
    removed = await verify_audit_log()
    assert removed.message == (
        f"the database has no seal, but {anchor_store().where} holds 3 anchors: the log was removed"
    )

    assert await seal_audit_log() == 6  # the same events, sealed again from the start
    again = await verify_audit_log()
    assert not again.ok
    assert again.message.startswith(f"{anchor_store().where} holds 2 different first seals (")
    assert again.message.endswith(
        "): the log was started again, its first seal rewritten or the whole log replaced"
    )
