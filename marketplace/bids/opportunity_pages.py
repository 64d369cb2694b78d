"""The provider's opportunity feed in the browser: the call-offs it is invited to, and one of them
with whether the provider has a live bid on it (the feed is tendering's, the bid is ours).
Only what publication's feed gives an invitee: never another provider's data or personal data."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from marketplace.bids import service as bid_service
from marketplace.tenders.call_offs.forms import KINDS
from marketplace.tenders.call_offs.status import STATUS_CONTEXT
from marketplace.tenders.opportunities import feed
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

PAGE_SIZE = 50


class OpportunityPages(Controller):
    path = "/opportunities"
    guards = [role_in("provider")]
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn, cursor: FromQuery[str | None] = None) -> Template:
        page = await feed.opportunity_feed(principal, None, PAGE_SIZE, cursor)
        return Template(
            "provider/opportunities.html",
            context={"page": page, "kinds": KINDS, **PAGE_WORDS},
        )

    @get("/{call_off_id:uuid}")
    async def show(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        opportunity = await feed.opportunity(principal, call_off_id)
        bids = await bid_service.my_bids(principal)
        has_bid = any(b.call_off_id == call_off_id and b.status == "submitted" for b in bids)
        return Template(
            "provider/opportunity.html",
            context={
                "o": opportunity,
                "kinds": KINDS,
                "has_bid": has_bid,
                **PAGE_WORDS,
                **STATUS_CONTEXT,
            },
        )
