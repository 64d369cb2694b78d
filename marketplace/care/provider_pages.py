"""The provider's care in the browser ("My care"): its care records, and a care page to record the
actual start, vary the weekly hours and hand the care back, with the care's timeline."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.care import forms, hand_backs, schemas, service, variations
from marketplace.care.care_page import CarePage
from marketplace.care.words import CARE_WORDS
from marketplace.web.forms import FormBody
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

PAGE = CarePage("provider/care.html", "/my-care")

PAGE_SIZE = 50


class MyCarePages(Controller):
    path = "/my-care"
    guards = [role_in("provider")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], principal: SignedIn) -> Template:
        status = request.query_params.get("status") or None
        page = await service.list_care(
            principal,
            PAGE_SIZE,
            request.query_params.get("cursor") or None,
            status=status if status in CARE_WORDS["care_statuses"] else None,
        )
        return Template(
            "provider/my_care.html",
            context={"page": page, "status": status, **CARE_WORDS, **PAGE_WORDS},
        )

    @get("/{care_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], principal: SignedIn, care_id: FromPath[UUID]
    ) -> Template:
        return await PAGE.show(request, principal, care_id)

    @post("/{care_id:uuid}/start")
    async def start(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            body = forms.read(data, schemas.StartRecord, ("actual_start",))
            return await service.record_start(principal, care_id, body)

        return await PAGE.submit(request, principal, care_id, "start", data, act)

    @post("/{care_id:uuid}/variations")
    async def vary(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            fields = ("weekly_hours", "effective_from", "reason")
            body = forms.read(data, schemas.VariationCreate, fields)
            return await variations.record_variation(principal, care_id, body)

        return await PAGE.submit(request, principal, care_id, "vary", data, act)

    @post("/{care_id:uuid}/hand-back")
    async def hand_back(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            body = forms.read(data, schemas.HandBack, ("reason", "last_care_date"))
            return await hand_backs.hand_back(principal, care_id, body)

        return await PAGE.submit(request, principal, care_id, "hand-back", data, act)
