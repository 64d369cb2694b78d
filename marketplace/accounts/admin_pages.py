"""The platform admin's pages for organisations and users: every organisation with its users
counted, creating one, an organisation's users with a form to add one (with a first password;
they are emailed that the account exists, never the password), deactivating or reactivating
a user, and resetting a user's lost second factor (a check page asking the reason). Every change
is audited by the use cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts import administration, schemas, service, two_factor
from marketplace.errors import BadInput, DomainError, FieldError
from marketplace.principal import ROLES_BY_ORGANISATION_KIND, Principal
from marketplace.web.forms import (
    FormBody,
    FormReader,
    Labels,
    error_summary,
    form_errors,
    refused_field,
)
from marketplace.web.security import SignedIn, role_in

KIND_WORDS = {"commissioner": "Commissioner", "provider": "Care provider"}
ROLE_WORDS = {
    "commissioner": "Commissioner",
    "opener": "Commissioner who may also open bids",
    "provider": "Care provider's staff",
    "admin": "Platform admin",
}
CQC_WORDS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "not_yet_rated": "Not yet rated",
}
LABELS = Labels(
    {
        "kind": "The kind",
        "name": "The name",
        "cqc_location_id": "The CQC location ID",
        "cqc_rating": "The CQC rating",
        "email": "The email address",
        "password": "The first password",
        "role": "The role",
    }
)
WORDS = {"kind_words": KIND_WORDS, "role_words": ROLE_WORDS, "cqc_words": CQC_WORDS}
_FIELD_WORDS = {
    "name": "Enter the organisation's name (up to 200 characters)",
    "cqc_location_id": "Enter the CQC location ID like 1-123456789",
    "email": "Enter an email address like name@example.org",
    "password": "Enter a first password of 12 to 200 characters",
}


def _converted(body: dict[str, Any], shape: type[Any]) -> Any:
    """The body as the API takes it; a refusal names the field in the form's words."""
    try:
        return msgspec.convert(body, shape)
    except msgspec.ValidationError as exc:
        refused = refused_field(exc, "name")
        message = _FIELD_WORDS.get(refused.field, refused.message)
        raise BadInput(str(exc), [FieldError(refused.field, message)]) from None


def organisation_body(read: FormReader) -> schemas.OrganisationCreate:
    """The new organisation form (every missing answer named at once)."""
    kind = read.text("kind")
    name = read.text("name")
    if kind not in KIND_WORDS:
        read.refuse("kind", "Choose whether it is a commissioner or a care provider")
    if not name:
        read.refuse("name", "Enter the organisation's name")
    body: dict[str, Any] = {"kind": kind, "name": name}
    if kind == "provider":
        if cqc_id := read.text("cqc_location_id"):
            body["cqc_location_id"] = cqc_id
        rating = read.text("cqc_rating")
        if rating and rating not in CQC_WORDS:
            read.refuse("cqc_rating", "Choose a CQC rating from the list")
        body["cqc_rating"] = rating or None
        body["enforcement_pending"] = read.ticked("enforcement_pending")
    read.check("The organisation is not complete")
    converted: schemas.OrganisationCreate = _converted(body, schemas.OrganisationCreate)
    return converted


def user_body(read: FormReader, kind: str) -> schemas.UserCreate:
    """The new user form: email, role (of those the organisation's kind allows), first
    password."""
    email = read.text("email")
    role = read.text("role")
    password = read.text("password", strip=False)
    if not email:
        read.refuse("email", "Enter the user's email address")
    if role not in ROLES_BY_ORGANISATION_KIND[kind]:
        read.refuse("role", "Choose the user's role")
    if not password:
        read.refuse("password", "Enter a first password of 12 to 200 characters")
    read.check("The user is not complete")
    converted: schemas.UserCreate = _converted(
        {"email": email, "role": role, "password": password}, schemas.UserCreate
    )
    return converted


async def _organisation_page(
    principal: Principal,
    organisation_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
    done: str | None = None,
) -> Template:
    organisation = await service.get_organisation(principal, organisation_id)
    users = await administration.organisation_users(principal, organisation_id)
    field_errors, error_list = error_summary(errors or [], label=LABELS)
    return Template(
        "admin/organisation.html",
        context={
            "o": organisation,
            "users": users,
            "enrolled": await two_factor.enrolled_among([user.id for user in users]),
            "roles": sorted(ROLES_BY_ORGANISATION_KIND[organisation.kind]),
            "form": form or {},
            "done": done,
            "field_errors": field_errors,
            "errors": error_list,
            **WORDS,
        },
        status_code=status,
    )


def _new_page(
    form: dict[str, Any], errors: list[FieldError] | None = None, status: int = 200
) -> Template:
    field_errors, error_list = error_summary(errors or [], label=LABELS)
    return Template(
        "admin/organisation_form.html",
        context={"form": form, "field_errors": field_errors, "errors": error_list, **WORDS},
        status_code=status,
    )


class OrganisationPages(Controller):
    path = "/admin/organisations"
    guards = [role_in("admin")]
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn) -> Template:
        return Template(
            "admin/organisations.html",
            context={"organisations": await administration.list_organisations(principal), **WORDS},
        )

    @get("/new")
    async def new(self) -> Template:
        return _new_page({})

    @post("/new")
    async def create(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        read = FormReader(data)
        form = read.texts()
        try:
            created = await service.create_organisation(principal, organisation_body(read))
        except DomainError as exc:
            return _new_page(form, form_errors(exc, otherwise="name"), exc.status_code)
        return Redirect(path=f"/admin/organisations/{created.id}?done=created", status_code=303)

    @get("/{organisation_id:uuid}")
    async def show(
        self,
        principal: SignedIn,
        organisation_id: FromPath[UUID],
        done: FromQuery[str | None] = None,
    ) -> Template:
        return await _organisation_page(principal, organisation_id, done=done)

    @post("/{organisation_id:uuid}/users")
    async def add_user(
        self, principal: SignedIn, organisation_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        organisation = await service.get_organisation(principal, organisation_id)
        read = FormReader(data)
        form = {"email": read.text("email"), "role": read.text("role")}
        try:
            await service.create_user(
                principal, organisation_id, user_body(read, organisation.kind)
            )
        except DomainError as exc:
            errors = form_errors(exc, otherwise="email")
            return await _organisation_page(
                principal, organisation_id, errors, exc.status_code, form
            )
        return Redirect(path=f"/admin/organisations/{organisation_id}?done=user", status_code=303)


async def _set_active(principal: Principal, user_id: UUID, active: bool) -> Redirect:
    """Deactivate or reactivate; a refusal (yourself, already so) is the error page."""
    user = await administration.set_user_active(principal, user_id, active)
    done = "reactivated" if active else "deactivated"
    where = f"/admin/organisations/{user.organisation_id}?done={done}"
    return Redirect(path=where if user.organisation_id else "/admin/organisations", status_code=303)


class UserPages(Controller):
    path = "/admin/users"
    guards = [role_in("admin")]
    include_in_schema = False

    @post("/{user_id:uuid}/deactivate")
    async def deactivate(self, principal: SignedIn, user_id: FromPath[UUID]) -> Redirect:
        return await _set_active(principal, user_id, False)

    @post("/{user_id:uuid}/reactivate")
    async def reactivate(self, principal: SignedIn, user_id: FromPath[UUID]) -> Redirect:
        return await _set_active(principal, user_id, True)

    @get("/{user_id:uuid}/reset-two-factor")
    async def reset_two_factor_check(
        self, principal: SignedIn, user_id: FromPath[UUID]
    ) -> Template:
        return await _reset_check_page(principal, user_id)

    @post("/{user_id:uuid}/reset-two-factor")
    async def reset_two_factor(
        self, principal: SignedIn, user_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        read = FormReader(data)
        reason = read.text("reason")
        if not reason:
            errors = [FieldError("reason", "Enter the reason for the reset")]
            return await _reset_check_page(principal, user_id, reason, errors)
        try:
            body = msgspec.convert({"reason": reason}, schemas.TwoFactorResetRequest)
        except msgspec.ValidationError:
            errors = [
                FieldError("reason", "Enter the reason for the reset, up to 1,000 characters")
            ]
            return await _reset_check_page(principal, user_id, reason, errors)
        await administration.reset_two_factor(principal, user_id, body)
        user = await administration.user_to_view(principal, user_id)
        where = (
            f"/admin/organisations/{user.organisation_id}?done=two_factor_reset"
            if user.organisation_id
            else "/admin/organisations"
        )
        return Redirect(path=where, status_code=303)


async def _reset_check_page(
    principal: Principal,
    user_id: UUID,
    reason: str = "",
    errors: list[FieldError] | None = None,
) -> Template:
    """What resetting a user's second factor does, with the reason asked for (writes nothing)."""
    user = await administration.user_to_reset(principal, user_id)
    organisation = (
        await service.get_organisation(principal, user.organisation_id)
        if user.organisation_id
        else None
    )
    field_errors, error_list = error_summary(errors or [])
    return Template(
        "admin/reset_two_factor.html",
        context={
            "u": user,
            "organisation": organisation,
            "reason": reason,
            "field_errors": field_errors,
            "errors": error_list,
            **WORDS,
        },
        status_code=400 if errors else 200,
    )
