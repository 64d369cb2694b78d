"""Documents are accepted by what their bytes are, never by what they are called."""

from __future__ import annotations

import pytest

from marketplace.archive import content_types
from marketplace.archive.content_types import sniff
from marketplace.errors import UnsupportedType
from tests.sample_documents import (
    MINIMAL_JPEG,
    MINIMAL_PDF,
    minimal_docx,
    minimal_odt,
    minimal_png,
    minimal_xlsx,
    zip_of,
)


@pytest.mark.parametrize(
    ("content", "filename", "media_type"),
    [
        (MINIMAL_PDF, "tender.pdf", content_types.PDF),
        (minimal_png(), "map.png", content_types.PNG),
        (MINIMAL_JPEG, "photo.jpg", content_types.JPEG),
        (minimal_docx(), "method statement.docx", content_types.DOCX),
        (minimal_xlsx(), "prices.xlsx", content_types.XLSX),
        (minimal_odt(), "policy.odt", content_types.ODT),
        (b"postcode,hours\nTN23 1AA,12.5\n", "packages.csv", content_types.CSV),
        ("\ufeffpostcode,hours\n".encode(), "PACKAGES.CSV", content_types.CSV),
        ("Notes on the bundle — café rota\n".encode(), "notes.txt", content_types.TEXT),
        (b"plain words", "no extension", content_types.TEXT),
    ],
)
def test_every_allowed_type_is_recognised_by_its_content(
    content: bytes, filename: str, media_type: str
) -> None:
    assert sniff(content, filename) == media_type


def test_a_pdf_renamed_png_is_still_a_pdf() -> None:
    assert sniff(MINIMAL_PDF, "picture.png") == content_types.PDF


def test_a_name_ending_csv_does_not_make_a_docx_text() -> None:
    assert sniff(minimal_docx(), "sheet.csv") == content_types.DOCX


@pytest.mark.parametrize(
    ("content", "filename", "named"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "invoice.pdf", "Windows executable"),
        (b"\x7fELF\x02\x01\x01", "run.txt", "executable"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "page.txt", "HTML"),
        (b"  <html><script>alert(1)</script></html>", "notes.csv", "HTML"),
        (b'<?xml version="1.0"?><svg/>', "logo.png", "SVG"),
        (zip_of({"readme.txt": b"hello"}), "archive.docx", "ZIP archive"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "damaged ZIP"),
        (minimal_odt(b"application/vnd.oasis.opendocument.spreadsheet"), "s.ods", "OpenDocument"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.doc", "old-format Office"),
        (b"GIF89a\x01\x00", "anim.gif", "GIF"),
        (b"name,value\n\x00\x01\x02\x03", "data.csv", "binary"),
        (b"\x93\x8f\xff\xfe\x00binary", "data.csv", "binary"),
        (bytes(range(128, 256)), "data.csv", "binary"),
    ],
)
def test_disallowed_content_is_refused_saying_what_it_looks_like(
    content: bytes, filename: str, named: str
) -> None:
    with pytest.raises(UnsupportedType) as refused:
        sniff(content, filename)
    assert named in refused.value.detail
    assert refused.value.detail.endswith(content_types.ALLOWED_DESCRIPTION)
    assert refused.value.status_code == 415
    assert refused.value.errors[0].field == "file"


def test_a_word_file_with_macros_is_refused() -> None:
    with_macros = zip_of({"word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\x00"})
    with pytest.raises(UnsupportedType, match="macros"):
        sniff(with_macros, "letter.docx")
