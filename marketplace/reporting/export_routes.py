"""The export downloads: `/exports/{name}.csv|.xlsx?<the page's filters>` for the pages' download
links, and `GET /api/v1/exports/{name}?limit=&cursor=` a page at a time as `text/csv` with a
`Link: <…>; rel="next"` header."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from marketplace.errors import NotFound
from marketplace.pagination import DEFAULT_LIMIT, check_limit
from marketplace.principal import COMMISSIONER_ROLES
from marketplace.reporting.exports import EXPORTS, Export, all_rows, filters_of
from marketplace.web.exports import csv_page_response, download_of, export_response
from marketplace.web.security import SignedIn, role_in


def _export(name: str) -> Export:
    export = EXPORTS.get(name)
    if export is None:
        raise NotFound(f"There is no export called {name}")
    return export


class ExportDownloads(Controller):
    path = "/exports"
    guards = [role_in(*COMMISSIONER_ROLES)]
    include_in_schema = False

    @get("/{filename:str}")
    async def download(
        self, request: Request[Any, Any, Any], principal: SignedIn, filename: FromPath[str]
    ) -> Response[Any]:
        name, fmt = download_of(filename, EXPORTS)
        export = EXPORTS[name]
        rows = all_rows(export, principal, filters_of(export, request.query_params))
        return await export_response(name, fmt, export.columns, rows)


class ExportApi(Controller):
    path = "/api/v1/exports"
    tags = ["reporting"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @get(
        "/{name:str}",
        summary=(
            "A list as CSV (waiting-list, call-offs, care, placements, kpi-returns, evaluation, "
            "award), a page at a time"
        ),
        description=(
            "The rows the page of the same name lists, filtered by the same query parameters "
            "(waiting-list: area_code, urgency, service_level; call-offs: status; care: status, "
            "area_code, provider_id, late=yes|no; kpi-returns: lot, quarter as 2026-Q3, provider_id, "
            "status=open|overdue|submitted, a row per return and KPI; evaluation and award: "
            "call_off_id, required). The next page is in the Link header "
            '(rel="next"); none on the last page.'
        ),
        media_type="text/csv",
    )
    async def page(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        name: FromPath[str],
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> Response[str]:
        export = _export(name)
        check_limit(limit)
        filters = filters_of(export, request.query_params)
        items, next_cursor = await export.lister(principal, filters, limit, cursor or None)
        next_url = None
        if next_cursor:
            query = {k: v for k, v in filters.items() if v}
            next_url = (
                f"{request.url.path}?{urlencode({**query, 'limit': limit, 'cursor': next_cursor})}"
            )
        return csv_page_response(export.columns, items, next_url)
