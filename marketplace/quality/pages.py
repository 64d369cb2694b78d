"""The quality record pages: a commissioner's staff list, record and withdraw their records and
archive a visit's report; a provider reads the records about itself."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts.queries import organisation_names
from marketplace.admissions.queries import admitted_providers
from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.pagination import MAX_LIMIT
from marketplace.principal import Principal
from marketplace.quality import forms, queries, records
from marketplace.quality.rules import RECORD_KINDS
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, FormReader, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")
EVERYONE = role_in("commissioner", "opener", "provider")
MultipartBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def _upload(form: dict[str, Any]) -> tuple[str, bytes] | None:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read()
    await upload.close()
    return upload.filename, content


async def _providers(principal: Principal) -> list[tuple[UUID, str]]:
    admitted = await admitted_providers(principal.organisation_id or UUID(int=0))
    names = await organisation_names(list(admitted))
    return sorted(((p, names.get(p, "")) for p in admitted), key=lambda pair: pair[1])


async def _form_page(
    principal: Principal, form: dict[str, str], errors: list[FieldError], status: int = 200
) -> Template:
    field_errors, error_list = error_summary(errors, label=forms.LABELS)
    return Template(
        "quality/record_form.html",
        context={
            "form": form,
            "providers": await _providers(principal),
            "kinds": RECORD_KINDS,
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
        },
        status_code=status,
    )


async def _record_page(
    principal: Principal,
    record_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    field_errors, error_list = error_summary(errors or [], label=forms.LABELS)
    return Template(
        "quality/record.html",
        context={
            "r": await queries.get_record(principal, record_id),
            "is_commissioner": principal.is_commissioner,
            "form": form or {},
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
        },
        status_code=status,
    )


class QualityRecordPages(Controller):
    path = "/quality-records"
    include_in_schema = False

    @get("/", guards=[EVERYONE])
    async def index(
        self, principal: SignedIn, provider_id: FromQuery[str | None] = None
    ) -> Template:
        chosen = provider_id or ""
        try:
            provider = UUID(chosen) if chosen else None
        except ValueError:
            provider = None
        page = await queries.list_records(principal, MAX_LIMIT, None, provider)
        return Template(
            "quality/records.html",
            context={
                "records": page.items,
                "providers": await _providers(principal) if principal.is_commissioner else [],
                "chosen": chosen,
                "is_commissioner": principal.is_commissioner,
                **PAGE_WORDS,
            },
        )

    @get("/new", guards=[COMMISSIONER_STAFF])
    async def new(self, principal: SignedIn, provider_id: FromQuery[str | None] = None) -> Template:
        return await _form_page(principal, {"provider_id": provider_id or ""}, [])

    @post("/new", guards=[COMMISSIONER_STAFF])
    async def create(self, principal: SignedIn, data: MultipartBody) -> Template | Redirect:
        try:
            body = forms.record_create(data)
            found = await records.record_quality(principal, body, await _upload(data))
        except DomainError as exc:
            errors = form_errors(exc, otherwise="summary")
            return await _form_page(principal, forms.form_of(data), errors, exc.status_code)
        return Redirect(path=done(f"/quality-records/{found.id}", "record-added"), status_code=303)

    @get("/{record_id:uuid}", guards=[EVERYONE])
    async def show(self, principal: SignedIn, record_id: FromPath[UUID]) -> Template:
        return await _record_page(principal, record_id)

    @post("/{record_id:uuid}/withdraw", guards=[COMMISSIONER_STAFF])
    async def withdraw(
        self, principal: SignedIn, record_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        try:
            await records.withdraw_record(principal, record_id, forms.withdrawal(data))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            form = {"reason": FormReader(data).text("reason")}
            errors = form_errors(exc, otherwise="reason")
            return await _record_page(principal, record_id, errors, exc.status_code, form)
        return Redirect(
            path=done(f"/quality-records/{record_id}", "record-withdrawn"), status_code=303
        )

    @post("/{record_id:uuid}/report", guards=[COMMISSIONER_STAFF])
    async def report(
        self, principal: SignedIn, record_id: FromPath[UUID], data: MultipartBody
    ) -> Template | Redirect:
        try:
            upload = await _upload(data)
            if upload is None:
                raise BadInput("Choose a file", [FieldError("file", "Choose the report's file")])
            await records.attach_report(principal, record_id, *upload)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="file")
            return await _record_page(principal, record_id, errors, exc.status_code)
        return Redirect(
            path=done(f"/quality-records/{record_id}", "report-attached"), status_code=303
        )
