"""The provider's opportunity feed in the browser: the call-offs it is invited to, and one of them
with whether the provider has a live bid on it or declined it (the feed is tendering's, the bid
and the decline are ours), and the form to decline it.
Only what publication's feed gives an invitee: never another provider's data or personal data."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.bids import declines, forms
from marketplace.bids import service as bid_service
from marketplace.bids.rules import DECLINE_REASONS
from marketplace.errors import DomainError, FieldError, NotFound
from marketplace.principal import Principal
from marketplace.tenders.call_offs.forms import KINDS
from marketplace.tenders.call_offs.status import STATUS_CONTEXT
from marketplace.tenders.opportunities import feed
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, FormReader, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.names import OWN_NAMES, Names, use_names
from marketplace.web.security import SignedIn, role_in

PAGE_SIZE = 50


async def _opportunity_page(
    principal: Principal,
    call_off_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    opportunity = await feed.opportunity(principal, call_off_id)
    bids = await bid_service.my_bids(principal)
    has_bid = any(b.call_off_id == call_off_id and b.status == "submitted" for b in bids)
    field_errors, error_list = error_summary(errors or [], label=forms.LABELS)
    return Template(
        "provider/opportunity.html",
        context={
            "o": opportunity,
            "kinds": KINDS,
            "has_bid": has_bid,
            "declined": await declines.own_decline(principal, call_off_id),
            "decline_reasons": DECLINE_REASONS,
            "form": form or {},
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
            **STATUS_CONTEXT,
        },
        status_code=status,
    )


class OpportunityPages(Controller):
    path = "/opportunities"
    guards = [role_in("provider")]
    include_in_schema = False

    # The page reads the names of the areas and lots it shows with the feed's own statement.
    @get("/", opt={OWN_NAMES: True})
    async def index(self, principal: SignedIn, cursor: FromQuery[str | None] = None) -> Template:
        found = await feed.opportunity_feed_with_names(principal, None, PAGE_SIZE, cursor)
        use_names(Names(areas=found.area_names, lots=found.lot_names))
        return Template(
            "provider/opportunities.html",
            context={"page": found.page, "kinds": KINDS, **PAGE_WORDS},
        )

    @get("/{call_off_id:uuid}")
    async def show(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        return await _opportunity_page(principal, call_off_id)

    @post("/{call_off_id:uuid}/decline")
    async def decline(
        self, principal: SignedIn, call_off_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        try:
            await declines.decline_call_off(principal, call_off_id, forms.decline_body(data))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            read = FormReader(data)
            form = {"reason": read.text("reason"), "text": read.text("text")}
            errors = form_errors(exc, otherwise="reason")
            return await _opportunity_page(principal, call_off_id, errors, exc.status_code, form)
        return Redirect(path=done(f"/opportunities/{call_off_id}", "declined"), status_code=303)
