"""Peak memory of a 100,000-row export (docs/design.md, "Reporting"), under tracemalloc: the
waiting list's columns over 100,000 packages arriving a page of 200 at a time (as the keyset pages
of `marketplace.reporting.exports.all_rows` arrive), written by the one export writer as CSV (a
line at a time, drained as a response would) and as XLSX (xlsxwriter in constant-memory mode, to
a temporary file). The baselines, measured in the same run, hold every row first: the whole CSV
built in memory, and an XLSX written by xlsxwriter in its default (in-memory) mode. The target is
under 100 MB for each export; the bench fails loudly above it."""

from __future__ import annotations

import asyncio
import os
import tempfile
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import xlsxwriter

from marketplace.reporting.exports import EXPORTS
from marketplace.tenders.waiting_list.schemas import Package
from marketplace.web.exports import cell, csv_lines, csv_text, write_xlsx

ROWS = 100_000
PAGE = 200
LIMIT_MB = 100.0
COLUMNS = EXPORTS["waiting-list"].columns


@dataclass(frozen=True)
class MemoryFigure:
    name: str
    peak_mb: float
    baseline: str
    baseline_peak_mb: float

    def line(self) -> str:
        return (
            f"{self.name}: peak {self.peak_mb:.1f} MB for {ROWS:,} rows; baseline {self.baseline}: "
            f"peak {self.baseline_peak_mb:.1f} MB ({self.baseline_peak_mb / self.peak_mb:.1f}x)"
        )


def _package(n: int) -> Package:
    made = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    return Package(
        id=uuid.uuid4(),
        reference=f"PKG-{n:06d}",
        postcode="CT1 1AA",
        rurality="urban_city_and_town",
        area_code="CANTERBURY",
        weekly_hours=Decimal(n % 40 + 1).quantize(Decimal("0.01")),
        service_level="standard",
        urgency="urgent" if n % 7 == 0 else "standard",
        urgency_reason="hospital_discharge" if n % 7 == 0 else None,
        start_by=date(2026, 12, 1),
        status="waiting",
        created_at=made,
    )


async def _paged() -> AsyncIterator[Package]:
    for start in range(0, ROWS, PAGE):
        page = [_package(n) for n in range(start, min(start + PAGE, ROWS))]
        for package in page:
            yield package
        await asyncio.sleep(0)


async def _streamed_csv() -> int:
    size = 0
    async for line in csv_lines(COLUMNS, _paged()):
        size += len(line)  # sent and forgotten, as the response does
    return size


async def _whole_csv() -> int:
    rows = [row async for row in _paged()]
    return len(csv_text(COLUMNS, rows))


async def _streamed_xlsx() -> int:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        return await write_xlsx(COLUMNS, _paged(), path)
    finally:
        os.unlink(path)


async def _in_memory_xlsx() -> int:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path)
        sheet = workbook.add_worksheet()
        y = 0
        async for row in _paged():
            y += 1
            for x, column in enumerate(COLUMNS):
                sheet.write(y, x, str(cell(column.value(row))))
        workbook.close()
        return y
    finally:
        os.unlink(path)


def _peak_mb(work: Callable[[], Coroutine[Any, Any, int]]) -> float:
    tracemalloc.start()
    try:
        produced = asyncio.run(work())
        assert produced > 0
        return tracemalloc.get_traced_memory()[1] / 1_000_000
    finally:
        tracemalloc.stop()


def run() -> list[MemoryFigure]:
    figures = [
        MemoryFigure(
            "CSV streamed", _peak_mb(_streamed_csv), "whole CSV in memory", _peak_mb(_whole_csv)
        ),
        MemoryFigure(
            "XLSX constant memory",
            _peak_mb(_streamed_xlsx),
            "xlsxwriter in memory",
            _peak_mb(_in_memory_xlsx),
        ),
    ]
    for figure in figures:
        if figure.peak_mb >= LIMIT_MB:
            raise SystemExit(f"{figure.name} peaked at {figure.peak_mb:.1f} MB (limit {LIMIT_MB})")
    return figures
