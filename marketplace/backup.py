"""`marketplace backup DIR` and `marketplace restore DIR`: a consistent copy of the embedded default
(the SQLite database and the local archive folder), with a manifest of digests; never the keys.

The database is copied with SQLite's online backup API in one step, so the copy is the database as
it stood at one moment, however busy the web process is (WAL lets it go on writing meanwhile). The
archive is write-once and a document's file is stored before its row, so every document the copy
refers to is already in the folder: each is copied with its SHA-256 checked against the copy's
`archived_document` row. PostgreSQL and S3 are backed up with their own tools (docs/operations.md,
section 5): the commands refuse them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from marketplace.config import Settings, get_settings

FORMAT = "marketplace-backup/1"
MANIFEST = "manifest.json"
DATABASE_FILE = "marketplace.sqlite"
ARCHIVE_FOLDER = "archive"
_CHUNK = 1024 * 1024
_BUSY_TIMEOUT_SECONDS = 30
# Piccolo's own record of the migrations run: present in an empty, migrated marketplace.
_SCHEMA_TABLES = ("migration",)
KEYS_NOTE = (
    "Keys are never in a backup. Keep the key-encryption key (MARKETPLACE_KEK, or var/keys/kek in "
    "the embedded default) and the secret key (MARKETPLACE_SECRET_KEY, or var/keys/secret_key) "
    "separately: without the key-encryption key the sealed bids in this backup cannot be opened."
)
ELSEWHERE = (
    "`marketplace {command}` copies only the embedded default (SQLite and the local archive "
    "folder). {what}: back it up with {how}, as docs/operations.md section 5 describes."
)


class BackupRefused(Exception):
    """The backup or restore cannot go ahead as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Embedded:
    """Where the embedded default keeps its database and its archive."""

    database: Path
    archive: Path


def embedded_default(command: str, settings: Settings | None = None) -> Embedded:
    """The database file and archive folder, or a refusal naming the procedure for PostgreSQL
    or S3."""
    settings = settings or get_settings()
    if not settings.database_url.startswith("sqlite:///"):
        raise BackupRefused(
            ELSEWHERE.format(
                command=command,
                what="DATABASE_URL names PostgreSQL",
                how="continuous archiving (point-in-time recovery) or pg_dump, and the S3 "
                "archive with its versioning and replication",
            )
        )
    if settings.s3_configured:
        raise BackupRefused(
            ELSEWHERE.format(
                command=command,
                what="S3_BUCKET names an S3 archive",
                how="the bucket's versioning and Object Lock plus replication",
            )
        )
    database = Path(unquote(settings.database_url[len("sqlite:///") :]))
    return Embedded(database=database, archive=settings.var_dir / "archive")


def key_check(kek: bytes) -> str:
    """A check value of the key-encryption key: tells whether two keys are the same, and
    nothing about either (an HMAC of a fixed text under the key)."""
    return hmac.new(kek, b"marketplace backup: key-encryption key check", "sha256").hexdigest()


@dataclass(frozen=True)
class FileDigest:
    sha256: str
    size: int

    def as_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size}


def copy_with_digest(source: Path, target: Path) -> FileDigest:
    """Copy one file (new, mode 0600) and return the digest of the bytes copied."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as reading, os.fdopen(fd, "wb") as writing:
        while chunk := reading.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writing.write(chunk)
        writing.flush()
        os.fsync(writing.fileno())
    return FileDigest(digest.hexdigest(), size)


def digest_of(path: Path) -> FileDigest:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as reading:
        while chunk := reading.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileDigest(digest.hexdigest(), size)


@contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=_BUSY_TIMEOUT_SECONDS)) as connection:
        yield connection


def _copy_database(source: Path, target: Path, journal_mode: str) -> None:
    """SQLite's online backup API, in one step: the target becomes the source as it stood at one
    moment, while other connections go on reading and writing the source."""
    with _connection(source) as reading, _connection(target) as writing:
        reading.backup(writing)
        writing.execute(f"PRAGMA journal_mode={journal_mode}")


def _row_counts(database: Path) -> dict[str, int]:
    with _connection(database) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        # The names are the database's own tables, read from sqlite_master just above.
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }


def _documents(database: Path) -> list[tuple[str, str, str]]:
    """Every archived document of the database: (id, key, SHA-256)."""
    with _connection(database) as connection:
        return [
            (str(row[0]), str(row[1]), str(row[2]))
            for row in connection.execute(
                "SELECT id, key, sha256 FROM archived_document ORDER BY key"
            )
        ]


def _check_integrity(database: Path, what: str) -> None:
    with _connection(database) as connection:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupRefused(f"{what} fails SQLite's integrity check: {problems[0]}")


def _check_documents(
    documents: list[tuple[str, str, str]], files: dict[str, FileDigest], where: str
) -> None:
    """Every document row has its file, and the file has the row's digest."""
    for document_id, key, sha256 in documents:
        found = files.get(key)
        if found is None:
            raise BackupRefused(f"document {document_id} ({key}) is missing from {where}")
        if found.sha256 != sha256:
            raise BackupRefused(
                f"document {document_id} ({key}) in {where} differs from the SHA-256 recorded "
                "at upload"
            )


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    tables: int
    rows: int
    documents: int
    archive_files: int

    def describe(self) -> str:
        return (
            f"Backed up the database ({self.rows} rows in {self.tables} tables) and "
            f"{self.archive_files} archive files ({self.documents} documents, each matching its "
            f"SHA-256) into {self.folder}, with their digests in {MANIFEST}.\n{KEYS_NOTE}"
        )


def back_up(folder: Path, settings: Settings | None = None) -> BackupSummary:
    """Copy the embedded default into `folder` (new or empty): the database, the archive and a
    manifest of digests, written last. Never the keys."""
    settings = settings or get_settings()
    where = embedded_default("backup", settings)
    if not where.database.is_file():
        raise BackupRefused(f"there is no database at {where.database}: nothing to back up")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupRefused(f"{folder} is not an empty folder: back up into a new one")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return _back_up_into(folder, where, settings)
    except BaseException as exc:
        for entry in folder.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        if isinstance(exc, sqlite3.Error | OSError):
            raise BackupRefused(f"the backup failed, and {folder} was emptied: {exc}") from exc
        raise


def _back_up_into(folder: Path, where: Embedded, settings: Settings) -> BackupSummary:
    database = folder / DATABASE_FILE
    fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    # The copy is one self-contained file: no write-ahead log beside it.
    _copy_database(where.database, database, "DELETE")
    _check_integrity(database, "the copy of the database")
    documents = _documents(database)
    referenced = {key for _, key, _ in documents}
    files: dict[str, FileDigest] = {}
    if where.archive.is_dir():
        for path in sorted(where.archive.rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(where.archive).as_posix()
            # The archive makes each file read-only once written: one still writable is an
            # upload under way, which the database's copy cannot refer to yet.
            if name not in referenced and path.stat().st_mode & 0o222:
                continue
            files[name] = copy_with_digest(path, folder / ARCHIVE_FOLDER / name)
    _check_documents(documents, files, "the archive folder")
    counts = _row_counts(database)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {"file": DATABASE_FILE, **digest_of(database).as_json(), "rows": counts},
        "documents": len(documents),
        "archive": {
            "folder": ARCHIVE_FOLDER,
            "files": {name: found.as_json() for name, found in files.items()},
        },
        "keys": {
            "included": False,
            "key_encryption_key_check": key_check(settings.key_encryption_key),
            "note": KEYS_NOTE,
        },
    }
    partial = folder / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    partial.chmod(0o600)
    partial.rename(folder / MANIFEST)
    return BackupSummary(
        folder=folder,
        tables=len(counts),
        rows=sum(counts.values()),
        documents=len(documents),
        archive_files=len(files),
    )


@dataclass(frozen=True)
class RestoreSummary:
    created_at: str
    database: Path
    archive: Path
    tables: int
    rows: int
    documents: int
    archive_files: int

    def describe(self) -> str:
        return (
            f"Restored the backup made at {self.created_at}: the database ({self.rows} rows in "
            f"{self.tables} tables, {self.documents} documents) into {self.database}, and "
            f"{self.archive_files} archive files into {self.archive}, every digest checked. "
            "Keys were not in the backup; the key-encryption key configured now is the one it "
            "was made with.\nNext: `marketplace audit verify`, then start the marketplace."
        )


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupRefused(
            f"{folder} has no {MANIFEST}: it is not a backup, or one that did not finish"
        )
    try:
        manifest = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupRefused(f"{path} is not readable JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{path} is not a manifest this version reads (format {FORMAT})")
    return manifest


def _listed_files(manifest: dict[str, Any]) -> dict[str, FileDigest]:
    """The archive files the manifest lists, each a plain relative path inside the folder."""
    try:
        listed = {
            str(name): FileDigest(str(entry["sha256"]), int(entry["size"]))
            for name, entry in manifest["archive"]["files"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BackupRefused(f"{MANIFEST} does not list the archive's files properly") from None
    for name in listed:
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or "\\" in name or ".." in parts:
            raise BackupRefused(f"{MANIFEST} lists {name!r}, which is not a path in the archive")
    return listed


def _check_copy(
    found: FileDigest, wanted: FileDigest, name: str, outcome: str = "nothing was restored"
) -> None:
    if found != wanted:
        raise BackupRefused(
            f"{name} in the backup differs from the SHA-256 its manifest records: the backup "
            f"was changed or damaged, and {outcome}"
        )


def _is_empty(where: Embedded) -> bool:
    if where.archive.is_dir() and any(path.is_file() for path in where.archive.rglob("*")):
        return False
    if not where.database.is_file():
        return True
    counts = _row_counts(where.database)
    return not any(rows for name, rows in counts.items() if name not in _SCHEMA_TABLES)


def restore(
    folder: Path, settings: Settings | None = None, *, overwrite: bool = False
) -> RestoreSummary:
    """Put a backup made by `back_up` back: every digest is checked first, then the archive's
    files are copied in, then the database. Refuses a marketplace that holds data unless
    `overwrite`, and a key-encryption key other than the one the backup was made with."""
    settings = settings or get_settings()
    where = embedded_default("restore", settings)
    try:
        return _restore_from(folder, where, settings, overwrite)
    except (sqlite3.Error, OSError) as exc:
        raise BackupRefused(f"the restore failed: {exc}") from exc


def _restore_from(
    folder: Path, where: Embedded, settings: Settings, overwrite: bool
) -> RestoreSummary:
    manifest = _read_manifest(folder)
    listed = _listed_files(manifest)
    keys = manifest.get("keys")
    if not isinstance(keys, dict) or keys.get("key_encryption_key_check") != key_check(
        settings.key_encryption_key
    ):
        raise BackupRefused(
            "the key-encryption key configured now is not the one this backup was made with, "
            "so its sealed bids could not be opened: put the kept key back (MARKETPLACE_KEK, or "
            "var/keys/kek in the embedded default, replacing any generated since) and run the "
            "restore again"
        )
    with tempfile.TemporaryDirectory(prefix="marketplace-restore-") as staging:
        # The database is checked as a private copy, and that copy is what is restored.
        database = Path(staging) / DATABASE_FILE
        try:
            wanted = FileDigest(
                str(manifest["database"]["sha256"]), int(manifest["database"]["size"])
            )
        except (KeyError, TypeError, ValueError):
            raise BackupRefused(f"{MANIFEST} does not describe the database properly") from None
        if not (folder / DATABASE_FILE).is_file():
            raise BackupRefused(f"{DATABASE_FILE} is missing from the backup")
        _check_copy(copy_with_digest(folder / DATABASE_FILE, database), wanted, DATABASE_FILE)
        _check_integrity(database, f"{DATABASE_FILE} in the backup")
        for name, digest in listed.items():
            path = folder / ARCHIVE_FOLDER / name
            if not path.is_file():
                raise BackupRefused(f"{ARCHIVE_FOLDER}/{name} is missing from the backup")
            _check_copy(digest_of(path), digest, f"{ARCHIVE_FOLDER}/{name}")
        documents = _documents(database)
        _check_documents(documents, listed, "the backup")
        if not overwrite and not _is_empty(where):
            raise BackupRefused(
                "this marketplace holds data already: restore into an empty one (no database "
                "rows, no archive files), or pass --overwrite to replace it"
            )
        for name, digest in listed.items():
            _put_archive_file(folder / ARCHIVE_FOLDER / name, where.archive / name, digest, name)
        where.database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _copy_database(database, where.database, "WAL")
    counts = _row_counts(where.database)
    return RestoreSummary(
        created_at=str(manifest.get("created_at")),
        database=where.database,
        archive=where.archive,
        tables=len(counts),
        rows=sum(counts.values()),
        documents=len(documents),
        archive_files=len(listed),
    )


def _put_archive_file(source: Path, target: Path, wanted: FileDigest, name: str) -> None:
    """Copy one file into the archive as the archive keeps it (read-only); a file already there
    with the same digest is kept, another is replaced once the copy is checked."""
    if target.is_file() and digest_of(target) == wanted:
        return
    partial = target.with_name(f".{target.name}.restoring")
    partial.unlink(missing_ok=True)
    try:
        _check_copy(
            copy_with_digest(source, partial),
            wanted,
            f"{ARCHIVE_FOLDER}/{name}",
            "it changed during the restore: the archive files copied so far are harmless, and "
            "the database was not touched",
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.chmod(0o444)
    partial.replace(target)
