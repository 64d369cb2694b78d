"""The name a user gave a document: kept for display and downloads only, never in a storage key."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_FILENAME_LENGTH = 200
FALLBACK_FILENAME = "document"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"*:<>?|;]')
_NOT_PLAIN_ASCII = re.compile(r"[^A-Za-z0-9._ ()+-]")


def sanitise_filename(given: str | None) -> str:
    """The last path segment, without control or shell-special characters, at most 200 long."""
    name = unicodedata.normalize("NFC", given or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name or FALLBACK_FILENAME


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987 form."""
    name = sanitise_filename(filename)
    fallback = _NOT_PLAIN_ASCII.sub("_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
