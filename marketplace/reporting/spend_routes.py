"""Spend and activity: the commissioner's dashboard page (headline figures, a Chart.js chart of
the last 12 months with the table as its text alternative, a table per grouping, each with CSV and
XLSX downloads) and `GET /api/v1/spend`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import Response, Template

from marketplace.principal import COMMISSIONER_ROLES
from marketplace.reporting.spend import TABLES, Spend, spend
from marketplace.web.charts import ChartData, Series
from marketplace.web.exports import download_of, export_response, rows_of
from marketplace.web.security import SignedIn, role_in
from marketplace.web.templating import month_name


def chart_data(figures: Spend) -> ChartData:
    """The months and each month's committed weekly spend in pounds, for the chart."""
    return ChartData(
        kind="bar",
        labels=[month_name(g.key) for g in figures.by_month],
        series=[
            Series(
                "Committed weekly spend (£)",
                [g.weekly_spend_pence / 100 for g in figures.by_month],
            )
        ],
        y_title="£ a week",
    )


class SpendPages(Controller):
    path = "/spend"
    guards = [role_in(*COMMISSIONER_ROLES)]
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn) -> Template:
        figures = await spend(principal)
        tables = [
            {"name": name, "title": title, "columns": columns, "rows": rows(figures)}
            for name, (title, columns, rows) in TABLES.items()
        ]
        return Template(
            "commissioner/spend.html",
            context={"spend": figures, "tables": tables, "chart_data": chart_data(figures)},
        )

    @get("/{filename:str}")
    async def download(self, principal: SignedIn, filename: FromPath[str]) -> Response[Any]:
        name, fmt = download_of(filename, TABLES)
        _, columns, rows = TABLES[name]
        return await export_response(
            f"spend-{name}", fmt, columns, rows_of(rows(await spend(principal)))
        )


class SpendApi(Controller):
    path = "/api/v1/spend"
    tags = ["reporting"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @get(
        "/",
        summary="Committed weekly spend now, by lot, area, provider, rurality, service level and month",
    )
    async def index(self, principal: SignedIn) -> Spend:
        return await spend(principal)
