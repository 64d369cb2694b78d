"""A guest supplier's pages (docs/design.md 3.5): the link in its invitation email is exchanged for
a cookie sent only to /guest, and these pages show the one call-off its pass is for, with the
same bid form, submission, replacement, withdrawal and receipt as a provider's. No other route
accepts a guest pass (it is not a session), and no page here takes a call-off from the URL."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.bids import forms, service
from marketplace.bids.pages import check_answer, form_page, local_today, withdraw_check_page
from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.tenders.call_offs.guest_passes import GuestHolder, guest_holder
from marketplace.tenders.opportunities import feed
from marketplace.web.forms import FormBody, form_errors
from marketplace.web.security import GUEST_COOKIE, guest_cookie_header

# The pass must not leak through the Referer header, nor be kept by a cache.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
PAGE = "/guest/call-off"
TEMPLATE = "guest/call_off.html"


async def _holder(request: Request[Any, Any, Any]) -> GuestHolder | None:
    return await guest_holder(request.cookies.get(GUEST_COOKIE, ""), datetime.now(UTC))


def _expired() -> Template:
    return Template("guest/expired.html", status_code=403, headers=PRIVATE)


async def _page(holder: GuestHolder, **kwargs: Any) -> Template:
    o = await feed.opportunity(holder.principal, holder.call_off_id)
    extra = {
        "guest": True,
        "bid_path": f"{PAGE}/bid",
        "supplier": holder.principal.organisation_name,
        **kwargs.pop("extra", {}),
    }
    return await form_page(
        holder.principal, o, template=TEMPLATE, extra=extra, headers=PRIVATE, **kwargs
    )


class GuestPages(Controller):
    path = "/guest"
    include_in_schema = False
    # Not signed in: the guest pass (checked in every handler) is the credential.
    opt = {"public": True}

    @get("/call-off")
    async def call_off(
        self,
        request: Request[Any, Any, Any],
        submitted: FromQuery[bool] = False,
        withdrawn: FromQuery[bool] = False,
    ) -> Template:
        holder = await _holder(request)
        if holder is None:
            return _expired()
        return await _page(holder, extra={"submitted": submitted, "withdrawn": withdrawn})

    @get("/{token:str}")
    async def exchange(self, token: FromPath[str]) -> Template | Redirect:
        """The invitation's link: its token becomes a cookie for /guest only, and the browser is
        sent on, so that the token is not left in the address bar, the history or a Referer."""
        now = datetime.now(UTC)
        holder = await guest_holder(token, now)
        if holder is None:
            return _expired()
        max_age = int((holder.deadline - now).total_seconds())
        return Redirect(
            path=PAGE,
            status_code=303,
            headers={**PRIVATE, "Set-Cookie": guest_cookie_header(token, max_age)},
        )

    @post("/call-off/bid")
    async def submit(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        holder = await _holder(request)
        if holder is None:
            return _expired()
        o = await feed.opportunity(holder.principal, holder.call_off_id)
        question_ids = [q.id for q in o.pilot.questions] if o.pilot else []
        bid, rows, errors = forms.bid_submission(o.kind, data, o.your_area_codes, question_ids)
        errors = forms.all_errors(o, bid, errors, local_today())
        try:
            if errors:
                raise BadInput("The bid is not valid", errors)
            await service.submit_bid(holder.principal, holder.call_off_id, bid)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            field_errors = form_errors(exc, otherwise="bid")
            return await _page(
                holder, form=data, errors=field_errors, rows=rows, status=exc.status_code
            )
        return Redirect(path=f"{PAGE}?submitted=true", status_code=303, headers=PRIVATE)

    @post("/call-off/bid/check")
    async def check(
        self,
        request: Request[Any, Any, Any],
        data: FormBody,
        field: FromQuery[str] = "hourly_rate",
    ) -> Template:
        """The live check of one field of the bid form (htmx, or the whole form without it)."""
        holder = await _holder(request)
        if holder is None:
            return _expired()
        o = await feed.opportunity(holder.principal, holder.call_off_id)
        return await check_answer(
            request, o, field, data, partial(_page, holder, form=data), headers=PRIVATE
        )

    @get("/call-off/bid/withdraw")
    async def check_withdraw(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Check before withdrawing, as a provider does (docs/design.md 9.2): the bid that would
        be withdrawn and what that does; without a live bid on the open call-off, back to the
        call-off's page."""
        holder = await _holder(request)
        if holder is None:
            return _expired()
        o = await feed.opportunity(holder.principal, holder.call_off_id)
        page = await withdraw_check_page(
            holder.principal, o, bid_path=f"{PAGE}/bid", back_path=PAGE, headers=PRIVATE
        )
        return page or Redirect(path=PAGE, status_code=303, headers=PRIVATE)

    @post("/call-off/bid/withdraw")
    async def withdraw(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        holder = await _holder(request)
        if holder is None:
            return _expired()
        try:
            await service.withdraw_bid(holder.principal, holder.call_off_id)
        except DomainError as exc:
            return await _page(
                holder, errors=[FieldError("bid", exc.detail)], status=exc.status_code
            )
        return Redirect(path=f"{PAGE}?withdrawn=true", status_code=303, headers=PRIVATE)
