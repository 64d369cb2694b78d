"""Placing a package off framework in the browser: a GOV.UK form reached from the package's row
in the contingency queue; the placement then shows under the queue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.errors import DomainError, FieldError
from marketplace.tenders.waiting_list import placement_schemas as schemas
from marketplace.tenders.waiting_list.packages import get_package
from marketplace.tenders.waiting_list.placements import MAX_RATE_PENCE, place_off_framework
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, FormReader, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

FIELDS = ("lot_code", "supplier_name", "hourly_rate", "weekly_hours", "start_date", "reason")


def _body(reader: FormReader) -> schemas.PlacementCreate:
    for name in ("lot_code", "supplier_name", "reason"):
        if not reader.text(name):
            reader.refuse(name, "is required")
    rate = reader.pence("hourly_rate", most=MAX_RATE_PENCE)
    hours = Decimal(0)
    try:
        hours = Decimal(reader.text("weekly_hours"))
    except InvalidOperation:
        reader.refuse("weekly_hours", "Enter the hours a week, like 10.5")
    start = reader.iso_date("start_date")
    reader.check()
    assert rate is not None and start is not None
    return schemas.PlacementCreate(
        lot_code=reader.text("lot_code").upper(),
        supplier_name=reader.text("supplier_name"),
        hourly_rate_pence=rate,
        weekly_hours=str(hours),
        start_date=start,
        reason=reader.text("reason"),
        override_reason=reader.text("override_reason") or None,
    )


class PlacementPages(Controller):
    path = "/contingency/packages/{package_id:uuid}/place"
    guards = [role_in("commissioner")]
    include_in_schema = False

    @get("/")
    async def form(self, principal: SignedIn, package_id: FromPath[UUID]) -> Template:
        return await self._form(principal, package_id, {"lot_code": "CSH"}, [])

    @post("/")
    async def place(
        self, principal: SignedIn, package_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        reader = FormReader(data)
        try:
            placed = await place_off_framework(principal, package_id, _body(reader))
        except DomainError as exc:
            errors = form_errors(exc, otherwise="reason")
            return await self._form(principal, package_id, reader.texts(), errors, exc.status_code)
        return Redirect(
            path=done(f"/contingency#placement-{placed.reference}", "placed"), status_code=303
        )

    async def _form(
        self,
        principal: Any,
        package_id: UUID,
        form: dict[str, str],
        errors: list[FieldError],
        status: int = 200,
    ) -> Template:
        field_errors, error_list = error_summary(
            errors, field_id=lambda f: "hourly_rate" if f == "hourly_rate_pence" else f
        )
        return Template(
            "commissioner/placement_form.html",
            context={
                "package": await get_package(principal, package_id),
                "form": form,
                "field_errors": field_errors,
                "errors": error_list,
                **PAGE_WORDS,
            },
            status_code=status,
        )
