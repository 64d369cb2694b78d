"""The provider's bid pages: the form for each kind of call-off (submit or replace), withdrawal,
the htmx check of a field as it is typed, and "my bids" with each receipt."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.bids import attachments, forms, service
from marketplace.bids.api import attachment_response
from marketplace.bids.schemas import OwnBid
from marketplace.config import get_settings
from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.principal import Principal
from marketplace.tenders.call_offs import schemas as call_off_schemas
from marketplace.tenders.call_offs.forms import KINDS
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS, STATUS_CONTEXT
from marketplace.tenders.opportunities import feed
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS, STATUS_FOR_BIDDERS
from marketplace.web.security import SignedIn, role_in

VARY = {"Vary": "HX-Request"}
# The fields of the bid form checked as they are typed (docs/design.md 4.5).
CHECKED_FIELD = re.compile(r"hourly_rate|area_rate_[0-9]{1,3}|mobilisation_date")


def local_today() -> date:
    """Today by the marketplace's clock and time zone (the submission's `today`)."""
    return datetime.now(UTC).astimezone(ZoneInfo(get_settings().timezone)).date()


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _question_ids(o: call_off_schemas.Opportunity) -> list[str]:
    return [q.id for q in o.pilot.questions] if o.pilot else []


async def _own(principal: Principal, call_off_id: UUID) -> OwnBid | None:
    try:
        return await service.own_bid(principal, call_off_id)
    except NotFound:
        return None


async def form_page(
    principal: Principal,
    o: call_off_schemas.Opportunity,
    form: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    rows: list[int] | None = None,
    status: int = 200,
    checks: dict[str, tuple[bool, str]] | None = None,
    template: str = "provider/bid_form.html",
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Template:
    own = await _own(principal, o.id)
    if form is None:
        content = own.content if own is not None else None
        form = forms.form_of(o.kind, content, o.your_area_codes) if content else {}
    field_errors, error_list = error_summary(
        errors or [], field_id=partial(forms.form_field, rows=rows or []), label=forms.LABELS
    )
    return Template(
        template,
        context={
            **(extra or {}),
            "o": o,
            "kinds": KINDS,
            "own": own,
            "form": form,
            "chosen_areas": form.get("areas") or [],
            "field_errors": field_errors,
            "errors": error_list,
            "checks": checks or {},
            **STATUS_CONTEXT,
            **PAGE_WORDS,
        },
        status_code=status,
        headers={**VARY, **(headers or {})},
    )


async def check_answer(
    request: Request[Any, Any, Any],
    o: call_off_schemas.Opportunity,
    field: str,
    data: dict[str, Any],
    whole_page: Callable[..., Awaitable[Template]],
    headers: dict[str, str] | None = None,
) -> Template:
    """The live check of one field of the bid form (`forms.field_check`): for htmx just the
    check's fragment, for anyone else `whole_page` with the check under its field."""
    if not CHECKED_FIELD.fullmatch(field):
        refusal = "Only a rate or the mobilisation date can be checked"
        raise BadInput(refusal, [FieldError("field", refusal)])
    result = forms.field_check(o, field, data, local_today())
    checks = {field: result} if result is not None else {}
    if not _is_htmx(request):
        return await whole_page(checks=checks)
    return Template(
        "provider/_rate_check.html",
        context={"checks": checks, "check_field": field},
        headers={**VARY, **(headers or {})},
    )


async def withdraw_check_page(
    principal: Principal,
    o: call_off_schemas.Opportunity,
    *,
    bid_path: str,
    back_path: str,
    headers: dict[str, str] | None = None,
) -> Template | None:
    """The check before a provider's or a guest's withdrawal (docs/design.md 9.2), posting to
    `bid_path`/withdraw; None without a live bid on an open call-off to withdraw."""
    own = await _own(principal, o.id)
    if own is None or own.status != "submitted" or o.status not in OPEN_FOR_BIDS:
        return None
    return Template(
        "provider/withdraw_check.html",
        context={
            "o": o,
            "own": own,
            "kinds": KINDS,
            "bid_path": bid_path,
            "back_path": back_path,
            **PAGE_WORDS,
        },
        headers=headers,
    )


class BidPages(Controller):
    path = "/opportunities/{call_off_id:uuid}/bid"
    guards = [role_in("provider")]
    include_in_schema = False

    @get("/")
    async def form(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        return await form_page(principal, await feed.opportunity(principal, call_off_id))

    @post("/")
    async def submit(
        self, principal: SignedIn, call_off_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        o = await feed.opportunity(principal, call_off_id)
        bid, rows, errors = forms.bid_submission(o.kind, data, o.your_area_codes, _question_ids(o))
        errors = forms.all_errors(o, bid, errors, local_today())
        try:
            if errors:
                raise BadInput("The bid is not valid", errors)
            await service.submit_bid(principal, call_off_id, bid)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            field_errors = form_errors(exc, otherwise="bid")
            return await form_page(principal, o, data, field_errors, rows, exc.status_code)
        return Redirect(path=f"/my-bids?submitted={call_off_id}", status_code=303)

    @post("/check")
    async def check(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: FormBody,
        field: FromQuery[str] = "hourly_rate",
    ) -> Template:
        """The live check of one field for htmx, writing nothing (`check_answer`)."""
        o = await feed.opportunity(principal, call_off_id)
        return await check_answer(request, o, field, data, partial(form_page, principal, o, data))

    @post("/attachments")
    async def attach(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise BadInput("Choose a file to attach", [FieldError("file", "Choose a file")])
            content = await upload.read()
            await upload.close()
            await attachments.attach_to_bid(principal, call_off_id, upload.filename, content)
        except DomainError as exc:
            if isinstance(exc, NotFound) and await _own(principal, call_off_id) is None:
                raise
            o = await feed.opportunity(principal, call_off_id)
            message = exc.errors[0].message if exc.errors else exc.detail
            return await form_page(
                principal, o, errors=[FieldError("file", message)], status=exc.status_code
            )
        return Redirect(
            path=done(f"/opportunities/{call_off_id}/bid#attachments", "attachment-added"),
            status_code=303,
        )

    @get("/attachments/{attachment_id:uuid}")
    async def attachment(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        attachment_id: FromPath[UUID],
    ) -> Response[bytes]:
        found = await attachments.own_attachment_content(principal, call_off_id, attachment_id)
        return attachment_response(found)

    @post("/attachments/{attachment_id:uuid}/remove")
    async def detach(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        attachment_id: FromPath[UUID],
    ) -> Template | Redirect:
        try:
            await attachments.remove_attachment(principal, call_off_id, attachment_id)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            o = await feed.opportunity(principal, call_off_id)
            return await form_page(
                principal, o, errors=[FieldError("file", exc.detail)], status=exc.status_code
            )
        return Redirect(
            path=done(f"/opportunities/{call_off_id}/bid#attachments", "attachment-removed"),
            status_code=303,
        )

    @get("/withdraw")
    async def check_withdraw(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Check before withdrawing: the bid that would be withdrawn and what that does. Without a
        live bid on an open call-off there is nothing to withdraw: back to the bid page."""
        o = await feed.opportunity(principal, call_off_id)
        bid_path = f"/opportunities/{call_off_id}/bid"
        page = await withdraw_check_page(principal, o, bid_path=bid_path, back_path=bid_path)
        return page or Redirect(path=bid_path, status_code=303)

    @post("/withdraw")
    async def withdraw(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template | Redirect:
        try:
            await service.withdraw_bid(principal, call_off_id)
        except DomainError as exc:
            if isinstance(exc, NotFound) and await _own(principal, call_off_id) is None:
                raise
            o = await feed.opportunity(principal, call_off_id)
            return await form_page(
                principal, o, errors=[FieldError("bid", exc.detail)], status=exc.status_code
            )
        return Redirect(path=f"/my-bids?withdrawn={call_off_id}", status_code=303)


class MyBidsPages(Controller):
    path = "/my-bids"
    guards = [role_in("provider")]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        principal: SignedIn,
        submitted: FromQuery[UUID | None] = None,
        withdrawn: FromQuery[UUID | None] = None,
    ) -> Template:
        bids = await service.my_bids(principal)
        by_call_off = {bid.call_off_id: bid for bid in bids}
        return Template(
            "provider/my_bids.html",
            context={
                "bids": bids,
                "kinds": KINDS,
                "outcomes": STATUS_FOR_BIDDERS,
                **STATUS_CONTEXT,
                "submitted": by_call_off.get(submitted) if submitted else None,
                "withdrawn": by_call_off.get(withdrawn) if withdrawn else None,
            },
        )
