"""Import a CSV in the ONS Postcode Directory (ONSPD) layout into the postcode directory.

The file is streamed, never held in memory (the full directory has about 2.7 million rows of some
50 columns), and written BATCH_SIZE rows at a time, each batch committed on its own as an upsert:
importing the same file again changes nothing, and re-running an interrupted import finishes it.
Only four columns are read: pcds, lat, long and ru11ind.

Whatever makes the whole file unreadable (missing, empty, zipped, binary, not UTF-8, no usable
header) is found before anything is written and raised as DirectoryFileError. A row that cannot be
used is skipped and counted under its reason: "bad postcode", "unknown code" and "no coordinates"
(see read_directory_row), or "wrong number of columns" when its field count differs from the
header's (a truncated line, say: its values cannot be trusted to sit under the right names). A
postcode repeated in the file keeps its last row.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from marketplace.audit.service import record
from marketplace.reference.postcodes.directory import save_postcodes
from marketplace.reference.postcodes.rules import PostcodeEntry, SkippedRow, read_directory_row

REQUIRED_COLUMNS = ("pcds", "lat", "long", "ru11ind")
BATCH_SIZE = 1_000
WRONG_COLUMN_COUNT = "wrong number of columns"
SKIP_REASONS = ("bad postcode", "unknown code", "no coordinates", WRONG_COLUMN_COUNT)
LINES_SHOWN_PER_REASON = 5
_SAMPLE_BYTES = 64 * 1024
_LAYOUT = (
    "expected a CSV in the ONS Postcode Directory layout, with columns pcds, lat, long, ru11ind"
)


class DirectoryFileError(Exception):
    """The file as a whole cannot be read as an ONS Postcode Directory CSV."""


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@dataclass
class ImportSummary:
    """What an import wrote, and the rows it skipped: how many, why, and the first few lines."""

    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_lines: dict[str, list[int]] = field(default_factory=dict)
    repeated: int = 0

    def skip(self, reason: str, line: int) -> None:
        self.skipped[reason] += 1
        lines = self.skipped_lines.setdefault(reason, [])
        if len(lines) < LINES_SHOWN_PER_REASON:
            lines.append(line)

    def describe(self) -> str:
        """E.g. 'Imported 1,234 postcodes. Skipped 3 rows: 2 bad postcode (lines 4, 9), ...'."""
        text = f"Imported {_count(self.imported, 'postcode')}."
        if self.repeated:
            text += (
                f" {_count(self.repeated, 'row')} repeated an earlier postcode (the last one kept)."
            )
        if total := sum(self.skipped.values()):
            reasons = [
                f"{self.skipped[reason]:,} {reason} ({self._lines(reason)})"
                for reason in SKIP_REASONS
                if self.skipped[reason]
            ]
            text += f" Skipped {_count(total, 'row')}: {', '.join(reasons)}."
        return text

    def _lines(self, reason: str) -> str:
        lines = self.skipped_lines[reason]
        more = ", …" if self.skipped[reason] > len(lines) else ""
        return f"line{'s' if self.skipped[reason] > 1 else ''} {', '.join(map(str, lines))}{more}"


def _check_beginning(sample: bytes, name: str) -> None:
    """Refuse files that are not UTF-8 CSV text, judged by their first bytes."""
    if not sample.replace(codecs.BOM_UTF8, b"").strip():
        raise DirectoryFileError(f"{name} is empty: {_LAYOUT}")
    if sample.startswith(b"PK\x03\x04"):
        raise DirectoryFileError(
            f"{name} is a ZIP archive, not a CSV file (the ONSPD download is zipped): "
            "unzip it and import the CSV in its Data folder"
        )
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DirectoryFileError(f"{name} is UTF-16 text: save it as CSV UTF-8 and import it again")
    if b"\x00" in sample:
        raise DirectoryFileError(f"{name} is a binary file, not CSV text: {_LAYOUT}")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < _SAMPLE_BYTES)
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(
            f"{name} is not UTF-8 text (byte 0x{sample[exc.start]:02x} at offset {exc.start:,}): "
            "save it as CSV UTF-8 and import it again"
        ) from exc


def _column_positions(header: list[str], name: str) -> dict[str, int]:
    names = [column.strip().lower() for column in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        hint = ""
        if len(header) == 1 and ("\t" in header[0] or ";" in header[0]):
            hint = " (its header has no commas: is it tab- or semicolon-separated?)"
        raise DirectoryFileError(
            f"{name} has no column {', '.join(missing)}{hint}: {_LAYOUT} named in its first row"
        )
    return {column: names.index(column) for column in REQUIRED_COLUMNS}


class DirectoryFile:
    """An open directory file, its beginning and header checked, read a batch at a time."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        try:
            # Closed by __exit__, or below when the beginning of the file is refused.
            self._binary = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise DirectoryFileError(f"cannot open {path}: {exc.strerror}") from exc
        try:
            self.size = os.fstat(self._binary.fileno()).st_size
            _check_beginning(self._binary.read(_SAMPLE_BYTES), self.name)
            self._binary.seek(0)
            text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
            self._rows: Any = csv.reader(text)
            header = self._next_row()
            if header is None:
                raise DirectoryFileError(f"{self.name} is empty: {_LAYOUT}")
            self._width = len(header)
            self._columns = _column_positions(header, self.name)
        except BaseException:
            self._binary.close()
            raise

    def __enter__(self) -> DirectoryFile:
        return self

    def __exit__(self, *_: object) -> None:
        self._binary.close()

    def bytes_read(self) -> int:
        return self._binary.tell()

    def _next_row(self) -> list[str] | None:
        try:
            return next(self._rows, None)
        except UnicodeDecodeError as exc:
            raise DirectoryFileError(
                f"{self.name} is not UTF-8 text after line {self._rows.line_num:,}: save it as CSV "
                "UTF-8 and import it again (rows before it may already be imported; that is safe)"
            ) from exc
        except csv.Error as exc:
            raise DirectoryFileError(
                f"{self.name} is not valid CSV at line {self._rows.line_num:,}: {exc}"
            ) from exc

    def read_batch(self, summary: ImportSummary) -> dict[str, PostcodeEntry] | None:
        """The next BATCH_SIZE rows' entries by postcode (a repeated postcode keeps its last row),
        counting skipped rows into the summary; None when the file is finished."""
        entries: dict[str, PostcodeEntry] = {}
        rows_read = 0
        while rows_read < BATCH_SIZE and (row := self._next_row()) is not None:
            if not row:
                continue  # a blank line, e.g. at the end of the file
            rows_read += 1
            if len(row) != self._width:
                summary.skip(WRONG_COLUMN_COUNT, self._rows.line_num)
                continue
            result = read_directory_row(*(row[self._columns[name]] for name in REQUIRED_COLUMNS))
            if isinstance(result, SkippedRow):
                summary.skip(result.reason, self._rows.line_num)
                continue
            if result.postcode in entries:
                summary.repeated += 1
            entries[result.postcode] = result
        return entries if rows_read else None


async def import_directory(path: Path | str, progress: bool = False) -> ImportSummary:
    """Upsert every usable row of an ONS Postcode Directory CSV into the postcode directory (source
    "ons"), a batch at a time; returns what was imported and what was skipped, and why."""
    summary = ImportSummary()
    # File reads run in a worker thread, so the event loop only waits on the database.
    directory = await asyncio.to_thread(DirectoryFile, Path(path))
    bar = click.progressbar(
        length=directory.size, label="Importing postcodes", file=sys.stderr, hidden=not progress
    )
    with directory, bar:
        shown = 0
        while (batch := await asyncio.to_thread(directory.read_batch, summary)) is not None:
            written = await save_postcodes(batch.values(), source="ons")
            # A postcode repeated across batches was written (and counted) once per batch.
            summary.imported += written
            bar.update(directory.bytes_read() - shown)
            shown = directory.bytes_read()
    # One event for the whole import, after its last batch (each batch commits on its own).
    await record(
        None,
        "import_postcodes",
        "postcode_directory",
        details={
            "file": directory.name,
            "imported": summary.imported,
            "repeated": summary.repeated,
            "skipped": dict(summary.skipped),
        },
    )
    return summary
