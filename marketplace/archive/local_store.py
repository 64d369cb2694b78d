"""The embedded backend: one read-only file per document under var/archive, written once."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from datetime import datetime
from pathlib import Path

from marketplace.archive.storage import StoredObject, damaged

_KEY = re.compile(r"^[a-z]+(/[0-9A-Za-z-]+)+$")


def write_file_once(path: Path, content: bytes) -> None:
    """Create the file exclusively (FileExistsError if it exists), write it through to the disk
    and make it read-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    path.chmod(0o444)


class LocalDocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        # Keys are made by the archive, never from a user's input; refuse anything else anyway.
        if not _KEY.match(key):
            raise ValueError(f"not an archive key: {key!r}")
        return self.root / key

    async def put(
        self, key: str, content: bytes, sha256_hex: str, media_type: str, retain_until: datetime
    ) -> str | None:
        await asyncio.to_thread(write_file_once, self.path_of(key), content)
        return None

    async def keep_until(self, stored: StoredObject, retain_until: datetime) -> None:
        # The folder's files are read-only for ever; the lock's end is kept in the database only.
        return None

    async def read(self, stored: StoredObject) -> bytes:
        # Read once into memory and check what was read: checking the file and then streaming
        # it would leave a moment in which it could be swapped.
        try:
            content = await asyncio.to_thread(self.path_of(stored.key).read_bytes)
        except FileNotFoundError:
            raise damaged("the stored file is missing") from None
        if hashlib.sha256(content).hexdigest() != stored.sha256_hex:
            raise damaged("its SHA-256 differs from the one recorded at upload")
        return content

    async def download_url(
        self, stored: StoredObject, filename: str, media_type: str
    ) -> str | None:
        return None
