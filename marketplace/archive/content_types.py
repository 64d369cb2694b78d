"""Which kinds of document the archive accepts, decided by their content, never by their name.

Pure: bytes in, a media type out, or UnsupportedType naming what the file looks like.
"""

from __future__ import annotations

import io
import zipfile

from marketplace.errors import FieldError, UnsupportedType

ALLOWED_DESCRIPTION = (
    "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), CSV, plain text, PNG, JPEG"
)
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
CSV = "text/csv"
TEXT = "text/plain"
ALLOWED_MEDIA_TYPES = frozenset({PDF, PNG, JPEG, DOCX, XLSX, ODT, CSV, TEXT})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
# Recognised only to say clearly why they are refused.
_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xcf\xfa\xed\xfe", "an executable (Mach-O)"),
    (b"\xd0\xcf\x11\xe0", "an old-format Office file (.doc/.xls): save it as DOCX or XLSX"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"%!PS", "a PostScript file"),
    (b"{\\rtf", "a Rich Text (RTF) file"),
)
_MARKUP_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")
_XML_STARTS = (b"<?xml", b"<svg")


def refuse(what: str) -> UnsupportedType:
    message = f"This looks like {what}; allowed: {ALLOWED_DESCRIPTION}"
    return UnsupportedType(message, [FieldError("file", message)])


def sniff(content: bytes, filename: str) -> str:
    """The media type of an allowed document, judged by its bytes; the name only chooses
    between CSV and plain text once the content is known to be text."""
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return media_type
    for signature, what in _REFUSED_SIGNATURES:
        if content.startswith(signature):
            raise refuse(what)
    if content.startswith(b"PK\x03\x04"):
        return _office_document(content)
    return _text(content, filename)


def _office_document(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if any(name.endswith("vbaProject.bin") for name in names):
                raise refuse("an Office file with macros")
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                declared = archive.read("mimetype").strip().decode("ascii", "replace")
                if declared == ODT:
                    return ODT
                raise refuse(f"an OpenDocument file of another kind ({declared})")
    except zipfile.BadZipFile:
        raise refuse("a damaged ZIP archive") from None
    raise refuse("a ZIP archive")


def _text(content: bytes, filename: str) -> str:
    if b"\x00" in content:
        raise refuse("a binary file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("a binary file, or text not encoded as UTF-8") from None
    start = text[:1024].lstrip().lower().encode()
    if start.startswith(_MARKUP_STARTS):
        raise refuse("an HTML file")
    if start.startswith(_XML_STARTS):
        raise refuse("an XML or SVG file")
    return CSV if filename.lower().endswith(".csv") else TEXT
