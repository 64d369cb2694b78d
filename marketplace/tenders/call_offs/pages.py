"""The commissioner's call-off pages: the list, a form for each kind, the call-off itself with
its actions, and the status panel htmx refreshes."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts.guest_suppliers import guest_suppliers
from marketplace.accounts.queries import organisation_names
from marketplace.admissions.queries import lots_admitted_to
from marketplace.archive.content_types import ALLOWED_DESCRIPTION
from marketplace.config import get_settings
from marketplace.errors import (
    BadInput,
    DomainError,
    FieldError,
    NotFound,
    UnsupportedType,
    WrongState,
)
from marketplace.pagination import MAX_LIMIT
from marketplace.principal import Principal
from marketplace.reference import service
from marketplace.tenders.call_offs import drafting as call_offs
from marketplace.tenders.call_offs import forms, invitees, picker, publication, schemas
from marketplace.tenders.call_offs import queries as call_off_views
from marketplace.tenders.call_offs.status import (
    BEFORE_CLOSE,
    STATUS_CONTEXT,
    CallOffStatus,
    end_of_today,
)
from marketplace.tenders.waiting_list import packages
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, FormReader, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

COMMISSIONERS = role_in("commissioner", "opener")
VARY = {"Vary": "HX-Request"}


def _zone() -> str:
    return get_settings().timezone


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


async def _waiting_packages(principal: Principal) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = await packages.list_packages(principal, MAX_LIMIT, cursor, status="waiting")
        items += page.items
        if (cursor := page.next_cursor) is None:
            return items


async def _invitee_choices(principal: Principal) -> list[dict[str, str]]:
    """What a wider call-off may invite by choice: the providers admitted to a lot (any area),
    then the commissioner's guest suppliers (docs/design.md 3.5)."""
    lots = await lots_admitted_to()
    names = await organisation_names(lots)
    providers = sorted(
        (
            {"value": str(p), "text": names[p], "hint": "Admitted to " + ", ".join(codes)}
            for p, codes in lots.items()
            if p in names
        ),
        key=lambda item: item["text"].lower(),
    )
    guests = [
        {"value": str(g.id), "text": g.name, "hint": f"Guest supplier, {g.contact_email}"}
        for g in await guest_suppliers(principal)
    ]
    return providers + guests


async def _form_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    kind: str,
    form: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
    editing: schemas.CallOff | None = None,
) -> Template:
    field_errors, error_list = error_summary(
        errors or [], field_id=partial(forms.form_field, kind=kind), label=forms.LABELS
    )
    areas = await service.list_areas(MAX_LIMIT, None, principal.organisation_id)
    form = form or {}
    chosen = FormReader(form).choices("package_ids") or list(
        request.query_params.getall("package_id", [])
    )
    waiting = await _waiting_packages(principal) if kind != "pilot" else []
    read = FormReader(form)
    return Template(
        "commissioner/call_off_form.html",
        context={
            "editing": editing,
            "action": f"/call-offs/{editing.id}/edit" if editing else "/call-offs/new",
            "picker": picker.pick(
                waiting,
                {name: read.text(name) for name in form if name.startswith("picker_")},
                chosen,
            ),
            "kind": kind,
            "kind_name": forms.KINDS[kind],
            "form": form,
            "chosen": chosen,
            "sourcing": form.get("sourcing") or request.query_params.get("sourcing", "framework"),
            "invitee_choices": await _invitee_choices(principal),
            "chosen_invitees": FormReader(form).choices("invitee_ids"),
            "deadline": form.get("deadline") or forms.default_deadline(_zone()),
            "lots": [p.lot_code for p in await service.list_pricing(principal)],
            "packages": waiting,
            "areas": areas.items,
            "pilot_rows": range(forms.PILOT_ROWS),
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
        },
        status_code=status,
    )


async def call_off_page(
    principal: Principal,
    call_off_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    call_off = await call_off_views.get_call_off(principal, call_off_id)
    field_errors, error_list = error_summary(
        errors or [], field_id=partial(forms.form_field, kind=""), label=forms.LABELS
    )
    return Template(
        "commissioner/call_off.html",
        context={
            "call_off": call_off,
            "invitees": await invitees.invitees(principal, call_off_id),
            "new_deadline": (form or {}).get("deadline")
            or forms.local_input(call_off.deadline, _zone()),
            "reason": (form or {}).get("reason", ""),
            "can_open": principal.role == "opener" and call_off.status == CallOffStatus.CLOSED,
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
            **STATUS_CONTEXT,
        },
        status_code=status,
        headers=VARY,
    )


class CallOffPages(Controller):
    path = "/call-offs"
    guards = [COMMISSIONERS]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        principal: SignedIn,
        status: FromQuery[str | None] = None,
        queue: FromQuery[str | None] = None,
    ) -> Template:
        """All the commissioner's call-offs, or those in one status, or those closing today (the
        home page's counters link here)."""
        closing_today = queue == "closing-today"
        shown = CallOffStatus.PUBLISHED if closing_today else status
        if shown is not None and shown not in CallOffStatus.__members__.values():
            shown = None
        page = await call_off_views.list_call_offs(principal, shown, MAX_LIMIT, None)
        items = page.items
        if closing_today:
            by = end_of_today(datetime.now(UTC), _zone())
            items = [c for c in items if c.deadline <= by]
        return Template(
            "commissioner/call_offs.html",
            context={
                "call_offs": items,
                "kinds": forms.KINDS,
                "filter": "closing-today" if closing_today else shown,
                **PAGE_WORDS,
            },
        )

    @get("/new")
    async def new(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        kind: FromQuery[str | None] = None,
    ) -> Template:
        if kind not in forms.KINDS:
            return Template("commissioner/call_off_kinds.html", context={"kinds": forms.KINDS})
        return await _form_page(request, principal, kind)

    @post("/new")
    async def create(
        self, request: Request[Any, Any, Any], principal: SignedIn, data: FormBody
    ) -> Template | Redirect:
        kind = FormReader(data).text("kind", strip=False)
        if kind not in forms.KINDS:
            raise NotFound("No such kind of call-off")
        if _moves_the_picker(data):
            return await _form_page(request, principal, kind, data)
        try:
            body = forms.call_off_create(kind, data, _zone())
            created = await call_offs.create_call_off(principal, body)
        except DomainError as exc:
            errors = form_errors(exc, otherwise="title")
            return await _form_page(request, principal, kind, data, errors, exc.status_code)
        return Redirect(path=done(f"/call-offs/{created.id}", "draft-saved"), status_code=303)

    @get("/{call_off_id:uuid}/edit")
    async def edit(
        self, request: Request[Any, Any, Any], principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template:
        """The draft in the creation form; once published, the call-off page saying why not."""
        call_off = await call_off_views.get_call_off(principal, call_off_id)
        if call_off.status != CallOffStatus.DRAFT:
            return await call_off_page(principal, call_off_id, [_not_a_draft(call_off)], 409)
        form = forms.draft_form(call_off, _zone())
        return await _form_page(request, principal, call_off.kind, form, editing=call_off)

    @post("/{call_off_id:uuid}/edit")
    async def save_edit(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        call_off = await call_off_views.get_call_off(principal, call_off_id)
        if _moves_the_picker(data):
            return await _form_page(request, principal, call_off.kind, data, editing=call_off)
        try:
            body = forms.call_off_create(call_off.kind, data, _zone())
            await call_offs.edit_draft(principal, call_off_id, body)
        except WrongState as exc:
            return await call_off_page(principal, call_off_id, _general(exc), exc.status_code)
        except DomainError as exc:
            errors = form_errors(exc, otherwise="title")
            return await _form_page(
                request, principal, call_off.kind, data, errors, exc.status_code, call_off
            )
        return Redirect(path=done(f"/call-offs/{call_off_id}", "draft-edited"), status_code=303)

    @post("/{call_off_id:uuid}/documents")
    async def attach(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        """A document for the invitees of a draft or published call-off, archived public."""
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise BadInput("Choose a file", [FieldError("file", "Select a file to upload")])
            content = await upload.read()
            await upload.close()
            await publication.attach_document(principal, call_off_id, upload.filename, content)
        except DomainError as exc:
            errors = [FieldError("file", _upload_words(exc))]
            return await call_off_page(principal, call_off_id, errors, exc.status_code)
        return Redirect(
            path=done(f"/call-offs/{call_off_id}#documents", "document-uploaded"), status_code=303
        )

    @get("/{call_off_id:uuid}")
    async def show(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        return await call_off_page(principal, call_off_id)

    @get("/{call_off_id:uuid}/status")
    async def status(
        self, request: Request[Any, Any, Any], principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template:
        """Just the status panel for htmx's polling; the whole page for anyone else."""
        if not _is_htmx(request):
            return await call_off_page(principal, call_off_id)
        call_off = await call_off_views.get_call_off(principal, call_off_id)
        return Template(
            "commissioner/_call_off_status.html",
            context={"call_off": call_off, **PAGE_WORDS, **STATUS_CONTEXT},
            headers=VARY,
        )

    @get("/{call_off_id:uuid}/publish")
    async def check_publish(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Check before publishing: what the call-off asks for, who would be invited, and what
        publishing does. Anything but a draft goes back to its page."""
        call_off = await call_off_views.get_call_off(principal, call_off_id)
        if call_off.status != CallOffStatus.DRAFT:
            return Redirect(path=f"/call-offs/{call_off_id}", status_code=303)
        return Template(
            "commissioner/publish_check.html",
            context={
                "call_off": call_off,
                "eligible": await invitees.eligible_count(principal, call_off_id),
                **PAGE_WORDS,
            },
        )

    @get("/{call_off_id:uuid}/cancel")
    async def check_cancel(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Check before cancelling, with the reason to give: what cancelling does to the
        invitees, the bids and the packages. Only a draft or a published call-off has it."""
        call_off = await call_off_views.get_call_off(principal, call_off_id)
        if call_off.status not in BEFORE_CLOSE:
            return Redirect(path=f"/call-offs/{call_off_id}", status_code=303)
        return await _cancel_page(call_off)

    @post("/{call_off_id:uuid}/publish")
    async def publish(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template | Redirect:
        try:
            await publication.publish_call_off(principal, call_off_id)
        except DomainError as exc:
            return await call_off_page(principal, call_off_id, _general(exc), exc.status_code)
        return Redirect(path=done(f"/call-offs/{call_off_id}", "published"), status_code=303)

    @post("/{call_off_id:uuid}/cancel")
    async def cancel(
        self, principal: SignedIn, call_off_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        reason = FormReader(data).text("reason")
        try:
            if not reason:
                raise BadInput("A reason is needed", [FieldError("reason", "Enter a reason")])
            body = schemas.Cancellation(reason=reason[:2000])
            await publication.cancel_call_off(principal, call_off_id, body)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            if exc.errors:
                call_off = await call_off_views.get_call_off(principal, call_off_id)
                errors = [FieldError("reason", e.message) for e in exc.errors]
                return await _cancel_page(call_off, errors, exc.status_code, reason)
            return await call_off_page(principal, call_off_id, _general(exc), exc.status_code)
        return Redirect(path=done(f"/call-offs/{call_off_id}", "cancelled"), status_code=303)

    @post("/{call_off_id:uuid}/deadline")
    async def deadline(
        self, principal: SignedIn, call_off_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        try:
            new = forms.london_deadline(FormReader(data).text("deadline"), _zone())
            body = schemas.DeadlineChange(deadline=new)
            await publication.change_deadline(principal, call_off_id, body)
        except DomainError as exc:
            errors = exc.errors or _general(exc)
            return await call_off_page(principal, call_off_id, errors, exc.status_code, data)
        return Redirect(path=done(f"/call-offs/{call_off_id}", "deadline-changed"), status_code=303)


async def _cancel_page(
    call_off: schemas.CallOff,
    errors: list[FieldError] | None = None,
    status: int = 200,
    reason: str = "",
) -> Template:
    field_errors, error_list = error_summary(errors or [], label=forms.LABELS)
    return Template(
        "commissioner/cancel_check.html",
        context={
            "call_off": call_off,
            "reason": reason,
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
            **STATUS_CONTEXT,
        },
        status_code=status,
    )


def _moves_the_picker(data: dict[str, Any]) -> bool:
    """The package picker's filter or page buttons: show the form again, create nothing."""
    read = FormReader(data)
    return bool(read.text("picker_move") or read.text("picker_page"))


def _not_a_draft(call_off: schemas.CallOff) -> FieldError:
    return FieldError(
        "actions",
        f"This call-off is {call_off.status}: only a draft can be edited, because invited "
        "providers bid on what was published. Change its deadline or cancel it instead.",
    )


def _upload_words(exc: DomainError) -> str:
    """Why an upload was refused, as a sentence about the selected file."""
    if isinstance(exc, NotFound):
        raise exc
    message = exc.errors[0].message if exc.errors else exc.detail
    if isinstance(exc, UnsupportedType):
        return f"The selected file must be one of {ALLOWED_DESCRIPTION}. {message.split(';')[0]}"
    if message[:1].islower():  # "is empty", "must be at most 10 MB"
        return f"The selected file {message}"
    return message


def _general(exc: DomainError) -> list[FieldError]:
    """An error of the whole call-off: its sentence, linked to the actions."""
    return [FieldError("actions", exc.detail)]
