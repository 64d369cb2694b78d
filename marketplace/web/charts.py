"""The figures a page's Chart.js chart draws (docs/design.md 10.2): one shape for every chart
drawn by `static/charts.js`, embedded by `templates/partials/chart.html` as a JSON block (no
inline script: the Content-Security-Policy allows our own script files only). The chart is never
the only way to read the figures: the page's table beside it says the same (its text
alternative), and without JavaScript the table alone shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ChartKind = Literal["bar", "line"]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per label; None is a gap


@dataclass(frozen=True)
class ChartData:
    kind: ChartKind
    labels: Sequence[str]
    series: Sequence[Series]
    y_title: str
    y_max: float | None = None  # 100 for percentages; otherwise Chart.js chooses
    whole_numbers: bool = False  # counts: no ticks between whole numbers
    options: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
