"""The one export writer: CSV and XLSX hold the same cells; formulas never run."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from marketplace.web.exports import Column, csv_lines, csv_text, write_xlsx

COLUMNS = [
    Column("Reference", lambda r: r[0]),
    Column("Weekly hours", lambda r: r[1]),
    Column("Start by", lambda r: r[2]),
    Column("Urgent", lambda r: r[3]),
    Column("Reason", lambda r: r[4]),
]
ROWS = [
    ("PKG-1", Decimal("10.50"), date(2026, 1, 5), True, None),
    ("PKG-2", Decimal("7.25"), date(2026, 2, 1), False, "=HYPERLINK(1)"),
]


async def _rows():
    for row in ROWS:
        yield row


async def test_the_csv_streams_a_heading_and_a_line_per_row_with_formulas_made_text():
    lines = [line async for line in csv_lines(COLUMNS, _rows())]
    parsed = list(csv.reader(io.StringIO("".join(lines))))
    assert parsed == [
        ["Reference", "Weekly hours", "Start by", "Urgent", "Reason"],
        ["PKG-1", "10.50", "2026-01-05", "yes", ""],
        ["PKG-2", "7.25", "2026-02-01", "no", "'=HYPERLINK(1)"],
    ]
    assert "".join(lines) == csv_text(COLUMNS, ROWS)


async def test_an_xlsx_opens_with_openpyxl_and_holds_the_csv_rows():
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "x.xlsx")
        assert await write_xlsx(COLUMNS, _rows(), path) == 2
        sheet = openpyxl.load_workbook(path, read_only=True).active
        cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == ["Reference", "Weekly hours", "Start by", "Urgent", "Reason"]
    assert cells[1] == ["PKG-1", 10.5, "2026-01-05", "yes", None]
    # Written as text, never as a formula.
    assert cells[2] == ["PKG-2", 7.25, "2026-02-01", "no", "=HYPERLINK(1)"]
