"""The figures a page's Chart.js chart draws (docs/design.md 10.2): one shape for every chart
drawn by `static/charts.js`, embedded by `templates/partials/chart.html` as a JSON block (no
inline script: the Content-Security-Policy allows our own script files only). The chart is never
the only way to read the figures: the page's table beside it says the same (its text
alternative), and without JavaScript the table alone shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

ChartKind = Literal["bar", "line"]
# What the values are, which says how the axis and the tooltip read them: money in pounds (£ ticks
# in whole pounds, £1,234.56 in the tooltip), a percentage (the axis up to 100%), a count or
# minutes (whole-number ticks). An empty chart's axis reads 0 and 1 (£0 and £1), never 0, 0, 1.
Unit = Literal["money", "percentage", "count", "minutes"]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per label; None is a gap


@dataclass(frozen=True)
class ChartData:
    kind: ChartKind
    labels: Sequence[str]  # as the axis shows them: "Dec 2025", "Q3 2026"
    series: Sequence[Series]
    y_title: str
    unit: Unit
    # Each label in full for the tooltip ("December 2025") where the axis's are short.
    titles: Sequence[str] | None = None
    legend: bool = True  # a key of the series; none for a single series the heading names

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
