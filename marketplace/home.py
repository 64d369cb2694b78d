"""The home page each kind of user lands on after signing in: counts composed from several
domains (accounts, reference data, the waiting list, the framework share), so it sits above them
all."""

from __future__ import annotations

from uuid import UUID

from litestar import get
from litestar.response import Template

from marketplace.accounts.service import count_organisations, get_organisation
from marketplace.care.framework_share import share_of
from marketplace.reference.service import reference_counts
from marketplace.tenders.waiting_list.packages import count_waiting
from marketplace.web.security import SignedIn


async def _counts(commissioner_id: UUID | None) -> dict[str, int]:
    return {
        **await reference_counts(commissioner_id),
        "waiting_packages": await count_waiting(commissioner_id),
    }


@get("/", summary="Home", include_in_schema=False)
async def home(principal: SignedIn) -> Template:
    if principal.is_admin:
        context = {
            "counts": await _counts(None),
            "commissioners": await count_organisations("commissioner"),
            "providers": await count_organisations("provider"),
        }
        return Template("admin/home.html", context=context)
    assert principal.organisation_id is not None
    if principal.is_commissioner:
        context = {
            "counts": await _counts(principal.organisation_id),
            "providers": await count_organisations("provider"),
            "share": await share_of(principal.organisation_id),
        }
        return Template("commissioner/home.html", context=context)
    organisation = await get_organisation(principal, principal.organisation_id)
    return Template(
        "provider/home.html",
        context={"organisation": organisation, "counts": await _counts(None)},
    )
