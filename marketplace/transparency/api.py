"""The public OCDS API: a call-off's record package and the feed of every release."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from marketplace.config import get_settings
from marketplace.errors import BadInput, FieldError, RuleBroken
from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.transparency import service

Since = Annotated[
    datetime | None,
    QueryParameter(description="only releases dated at or after this moment (ISO 8601)"),
]


def check_since(since: datetime | None) -> datetime | None:
    """`since` is an instant: with its UTC offset, and one UTC can hold."""
    if since is None:
        return None
    if since.tzinfo is None:
        raise BadInput(
            "since needs a UTC offset",
            [FieldError("since", "Enter the moment with its UTC offset, like +00:00", "no_offset")],
        )
    try:
        return since.astimezone(UTC)
    except OverflowError as exc:
        raise RuleBroken(
            "since is out of range",
            [FieldError("since", "Enter a moment between the years 1 and 9999", "out_of_range")],
        ) from exc


class OcdsApi(Controller):
    path = "/api/v1"
    tags = ["transparency"]
    opt = {"public": True}

    @get(
        "/call-offs/{call_off_id:uuid}/ocds",
        summary="OCDS 1.1 record package of a published call-off (public)",
    )
    async def record(self, call_off_id: FromPath[UUID]) -> dict[str, Any]:
        return await service.record_package(call_off_id)

    @get(
        "/ocds/releases",
        summary="OCDS 1.1 release package of every published call-off's releases, oldest first "
        "(public, paginated: links.next and a Link header)",
    )
    async def releases(
        self, since: Since = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[dict[str, Any]]:
        since = check_since(since)
        package, next_cursor = await service.release_package(since, limit, cursor)
        headers = {}
        if next_cursor:
            query = {"limit": str(limit), "cursor": next_cursor}
            if since is not None:
                query["since"] = since.isoformat()
            link = f"{get_settings().base_url}/api/v1/ocds/releases?{urlencode(query)}"
            package["links"] = {"next": link}
            headers["link"] = f'<{link}>; rel="next"'
        return Response(package, headers=headers)
