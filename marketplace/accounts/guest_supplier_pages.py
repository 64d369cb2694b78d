"""The commissioner's guest suppliers page: the ones it registered, and the form to register one
(docs/design.md 3.5)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts import guest_suppliers, schemas
from marketplace.errors import BadInput, DomainError, FieldError
from marketplace.principal import Principal
from marketplace.web.forms import FormBody, FormReader, Labels, error_summary
from marketplace.web.security import SignedIn, role_in

LABELS = Labels(
    {"name": "Name", "cqc_location_id": "CQC location ID", "contact_email": "Contact email"}
)
MESSAGES = {
    "name": "Enter the supplier's name",
    "cqc_location_id": "Enter a CQC location ID in the format 1-123456789",
    "contact_email": "Enter an email address in the format name@example.com",
}


def _registration(form: dict[str, Any]) -> schemas.GuestSupplierCreate:
    """The registration a form asks for, every field's problem named at once."""
    read = FormReader(form)
    body = {name: read.text(name) for name in MESSAGES}
    errors = []
    for name, value in body.items():
        try:
            msgspec.convert({**_VALID, name: value}, schemas.GuestSupplierCreate)
        except msgspec.ValidationError:
            errors.append(FieldError(name, MESSAGES[name]))
    if errors:
        raise BadInput("The guest supplier cannot be registered", errors)
    return msgspec.convert(body, schemas.GuestSupplierCreate)


# A valid registration, to check one field of a form at a time.
_VALID = {"name": "x", "cqc_location_id": "1-123456", "contact_email": "a@b.cd"}


async def _page(
    principal: Principal,
    form: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
    registered: str | None = None,
) -> Template:
    field_errors, error_list = error_summary(errors or [], label=LABELS)
    return Template(
        "commissioner/guest_suppliers.html",
        context={
            "guests": await guest_suppliers.guest_suppliers(principal),
            "form": form or {},
            "field_errors": field_errors,
            "errors": error_list,
            "registered": registered,
            "can_register": principal.role == "commissioner",
        },
        status_code=status,
    )


class GuestSupplierPages(Controller):
    path = "/guest-suppliers"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(
        self, principal: SignedIn, registered: FromQuery[str | None] = None
    ) -> Template:
        return await _page(principal, registered=registered)

    @post("/", guards=[role_in("commissioner")])
    async def register(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        try:
            guest = await guest_suppliers.register_guest_supplier(principal, _registration(data))
        except DomainError as exc:
            errors = exc.errors or [FieldError("name", exc.detail)]
            return await _page(principal, data, errors, exc.status_code)
        return Redirect(path=f"/guest-suppliers?registered={guest.id}", status_code=303)
