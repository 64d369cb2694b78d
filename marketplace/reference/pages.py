"""Reference data in the browser: lots, areas and (for commissioners) their pricing."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.response import Template

from marketplace.pagination import MAX_LIMIT
from marketplace.reference import service
from marketplace.web.security import SignedIn


async def _all_pages(fetch: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = await fetch(MAX_LIMIT, cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items


@get("/reference-data", summary="Lots, areas and pricing", include_in_schema=False)
async def reference_data(principal: SignedIn) -> Template:
    own_areas = principal.organisation_id if principal.is_commissioner else None
    lots = await _all_pages(service.list_lots)
    areas = await _all_pages(lambda limit, cursor: service.list_areas(limit, cursor, own_areas))
    pricing = await service.list_pricing(principal) if principal.is_commissioner else []
    return Template(
        "reference_data.html",
        context={
            "lots": lots,
            "areas": areas,
            "pricing": pricing,
            "own_areas": own_areas is not None,
        },
    )
