"""Reading the regulator's "Care directory with ratings" export (CSV), pure.

The Care Quality Commission publishes every registered location with its latest overall rating.
Only three columns are read, found by their header names whatever their order, case or spacing
(a UTF-8 byte order mark and extra columns are ignored): the location id, the latest overall
rating and the publication date. A row that cannot be used is kept aside with its line number and
why ("odd rows"), never fatal; a file without those columns is refused as a whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

LOCATION_ID = "location id"
RATING = "location latest overall rating"
PUBLISHED = "publication date"
# Other spellings seen in the regulator's exports over the years, by the column they mean.
_ALIASES = {
    LOCATION_ID: (LOCATION_ID, "locationid", "cqc location id"),
    RATING: (RATING, "latest overall rating", "overall rating", "location overall rating"),
    PUBLISHED: (PUBLISHED, "latest rating publication date", "rating publication date"),
}
_AS_CQC_SPELLS_IT = {
    LOCATION_ID: "Location ID",
    RATING: "Location Latest Overall Rating",
    PUBLISHED: "Publication Date",
}
RATINGS = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement": "requires_improvement",
    "inadequate": "inadequate",
    "not rated": "not_yet_rated",
    "not yet rated": "not_yet_rated",
    "": "not_yet_rated",
}
_LOCATION = re.compile(r"^1-\d{6,12}$")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


class CqcFileError(Exception):
    """The file as a whole is not the regulator's export (no usable header)."""


@dataclass(frozen=True)
class RegulatorRating:
    """One location's latest overall rating as the regulator published it."""

    location_id: str
    rating: str  # outstanding | good | requires_improvement | inadequate | not_yet_rated
    published_on: date | None
    line: int


@dataclass(frozen=True)
class OddRow:
    line: int
    why: str


@dataclass
class CqcFile:
    ratings: list[RegulatorRating] = field(default_factory=list)
    odd_rows: list[OddRow] = field(default_factory=list)


def _name(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").replace("_", " ").split()).lower()


def column_positions(header: list[str]) -> dict[str, int]:
    """Where each wanted column is, matched by name; CqcFileError names the ones missing."""
    names = [_name(column) for column in header]
    positions = {}
    for wanted, spellings in _ALIASES.items():
        found = next((names.index(s) for s in spellings if s in names), None)
        if found is not None:
            positions[wanted] = found
    missing = [wanted for wanted in _ALIASES if wanted not in positions]
    if missing:
        raise CqcFileError(
            "not the CQC care directory with ratings: no column "
            + ", ".join(f'"{_AS_CQC_SPELLS_IT[name]}"' for name in missing)
        )
    return positions


def read_rating(value: str) -> str | None:
    """The regulator's words for a rating as ours ("Requires improvement" ->
    requires_improvement; blank or "Not rated" -> not_yet_rated), or None when unknown."""
    return RATINGS.get(" ".join(value.split()).lower())


def read_date(value: str) -> date | None:
    text = value.strip()
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


def read_row(row: list[str], positions: dict[str, int], line: int) -> RegulatorRating | OddRow:
    """One row as a rating, or why it is odd."""
    if len(row) <= max(positions.values()):
        return OddRow(line, "too few columns")
    location_id = row[positions[LOCATION_ID]].strip()
    if not _LOCATION.match(location_id):
        return OddRow(line, f"location id {location_id[:40]!r} is not 1- and 6 to 12 digits")
    rating = read_rating(row[positions[RATING]])
    if rating is None:
        return OddRow(line, f"rating {row[positions[RATING]].strip()[:40]!r} is not one of CQC's")
    published = row[positions[PUBLISHED]].strip()
    published_on = read_date(published) if published else None
    if published and published_on is None:
        return OddRow(line, f"publication date {published[:40]!r} is not a date")
    if published_on is None and rating != "not_yet_rated":
        return OddRow(line, "a rating without its publication date")
    return RegulatorRating(location_id, rating, published_on, line)


def read_cqc_file(lines: Iterable[str]) -> CqcFile:
    """Every usable rating of the file (a location given twice keeps its last row, the earlier
    one reported as odd) and every odd row. Raises CqcFileError without a usable header."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header or not any(column.strip() for column in header):
        raise CqcFileError("the file is empty: expected the CQC care directory with ratings")
    positions = column_positions(header)
    result = CqcFile()
    by_location: dict[str, RegulatorRating] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        read = read_row(row, positions, line)
        if isinstance(read, OddRow):
            result.odd_rows.append(read)
            continue
        if (earlier := by_location.get(read.location_id)) is not None:
            result.odd_rows.append(
                OddRow(earlier.line, f"{read.location_id} repeated on line {line} (that one kept)")
            )
        by_location[read.location_id] = read
    result.ratings = list(by_location.values())
    result.odd_rows.sort(key=lambda odd: odd.line)
    return result
