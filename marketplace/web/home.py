"""The home page each kind of user lands on after signing in."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from marketplace.accounts.service import count_organisations, get_organisation
from marketplace.tenders.service import reference_counts
from marketplace.web.security import actor


@get("/", summary="Home", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    principal = actor(request)
    if principal.is_admin:
        context = {
            "counts": await reference_counts(),
            "commissioners": await count_organisations("commissioner"),
            "providers": await count_organisations("provider"),
        }
        return Template("admin/home.html", context=context)
    assert principal.organisation_id is not None
    if principal.is_commissioner:
        context = {
            "counts": await reference_counts(principal.organisation_id),
            "providers": await count_organisations("provider"),
        }
        return Template("commissioner/home.html", context=context)
    organisation = await get_organisation(principal, principal.organisation_id)
    return Template(
        "provider/home.html",
        context={"organisation": organisation, "counts": await reference_counts()},
    )
