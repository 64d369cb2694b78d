"""Downloads as CSV and XLSX, one writer for every export (docs/design.md, "Reporting").

An export is its columns (a heading and how to read the cell from a row) and an async iterator of
rows. `export_response` streams it: CSV a row at a time as the rows arrive; XLSX written by
xlsxwriter in constant-memory mode (a row at a time to a temporary file), then the file streamed
and removed. Either way the memory used does not grow with the number of rows.

Cells: None is empty, a bool is yes/no, a date or time is ISO 8601, a number stays a number
(in XLSX too); text that a spreadsheet would read as a formula (= + - @, tab, carriage return)
is prefixed with an apostrophe in the CSV and always written as text in the XLSX.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import xlsxwriter
from litestar.background_tasks import BackgroundTask
from litestar.response import File, Response, Stream

from marketplace.errors import NotFound

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, the heading row included


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Any], Any]


def download_of(filename: str, names: Container[str]) -> tuple[str, Format]:
    """`name.csv` or `name.xlsx` (a download's last path segment) -> (name, format); not found for
    a name not among `names` or another format."""
    name, _, fmt = filename.rpartition(".")
    if name not in names or fmt not in FORMATS:
        raise NotFound(f"There is no download called {filename}: try name.csv or name.xlsx")
    return name, "csv" if fmt == "csv" else "xlsx"


async def rows_of(items: Iterable[Any]) -> AsyncIterator[Any]:
    """Rows already in memory (a small table) as the writers take them."""
    for item in items:
        yield item


def cell(value: Any) -> str | int | Decimal | float:
    """The value of one cell, as both writers share it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return str(value)


def _csv_cell(value: Any) -> str:
    shown = cell(value)
    if isinstance(shown, str):
        return "'" + shown if shown.startswith(FORMULA_STARTS) else shown
    return str(shown)


def csv_line(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_csv_cell(v) for v in values])
    return out.getvalue()


def csv_text(columns: Sequence[Column], rows: Iterable[Any]) -> str:
    """A whole (small) CSV: the heading row and the rows given."""
    return csv_line(c.heading for c in columns) + "".join(
        csv_line(c.value(row) for c in columns) for row in rows
    )


async def csv_lines(columns: Sequence[Column], rows: AsyncIterable[Any]) -> AsyncIterator[str]:
    yield csv_line(c.heading for c in columns)
    async for row in rows:
        yield csv_line(c.value(row) for c in columns)


async def write_xlsx(
    columns: Sequence[Column], rows: AsyncIterable[Any], path: str, sheet: str = "Export"
) -> int:
    """Write the rows to an XLSX file at `path` a row at a time; the number of rows written."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    try:
        bold = workbook.add_format({"bold": True})
        worksheet = workbook.add_worksheet(sheet[:31])
        for x, column in enumerate(columns):
            worksheet.write_string(0, x, column.heading, bold)
        count = 0
        async for row in rows:
            count += 1
            if count >= XLSX_MAX_ROWS:
                break
            for x, column in enumerate(columns):
                value = cell(column.value(row))
                if value == "":
                    continue  # an empty cell
                if isinstance(value, str):
                    worksheet.write_string(count, x, value)
                else:
                    worksheet.write_number(count, x, float(value))
        return count
    finally:
        workbook.close()


async def _started(rows: AsyncIterable[Any]) -> AsyncIterator[Any]:
    """The rows with the first already read, so that a refusal (not found, bad input) is answered
    as such before the response starts, not raised in the middle of the stream."""
    iterator = aiter(rows)
    try:
        first = await anext(iterator)
    except StopAsyncIteration:
        return _nothing()

    async def chained() -> AsyncIterator[Any]:
        yield first
        async for row in iterator:
            yield row

    return chained()


async def _nothing() -> AsyncIterator[Any]:
    return
    yield


async def export_response(
    stem: str, fmt: Format, columns: Sequence[Column], rows: AsyncIterable[Any]
) -> Response[Any]:
    """A download of the rows as `stem.csv` or `stem.xlsx`."""
    if fmt == "csv":
        return Stream(
            csv_lines(columns, await _started(rows)),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    handle, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
    os.close(handle)
    try:
        await write_xlsx(columns, rows, path, stem)
    except BaseException:
        os.unlink(path)
        raise
    return File(
        path,
        filename=f"{stem}.xlsx",
        media_type=XLSX_TYPE,
        background=BackgroundTask(os.unlink, path),
    )


def csv_page_response(
    columns: Sequence[Column], rows: Iterable[Any], next_url: str | None
) -> Response[str]:
    """One page of an export for the API: `text/csv`, with a `Link: <…>; rel="next"` header to
    the next page when there is one."""
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return Response(csv_text(columns, rows), media_type=CSV_TYPE, headers=headers)
