"""The quality record pages: a commissioner's staff list, record and withdraw their records and
archive a visit's report; a provider reads the records about itself."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from marketplace.accounts.pages import FormBody
from marketplace.accounts.queries import organisation_names
from marketplace.admissions.queries import admitted_providers
from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.pagination import MAX_LIMIT
from marketplace.quality import forms, queries, records
from marketplace.quality.rules import RECORD_KINDS
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import actor, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")
MultipartBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def _upload(form: dict[str, Any]) -> tuple[str, bytes] | None:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read()
    await upload.close()
    return upload.filename, content


async def _providers(request: Request[Any, Any, Any]) -> list[tuple[UUID, str]]:
    admitted = await admitted_providers(actor(request).organisation_id or UUID(int=0))
    names = await organisation_names(list(admitted))
    return sorted(((p, names.get(p, "")) for p in admitted), key=lambda pair: pair[1])


def _errors(exc: DomainError, default: str) -> list[FieldError]:
    return exc.errors or [FieldError(default, exc.detail)]


class QualityRecordPages(Controller):
    path = "/quality-records"
    include_in_schema = False

    @get("/", guards=[role_in("commissioner", "opener", "provider")])
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        principal = actor(request)
        chosen = request.query_params.get("provider_id") or ""
        try:
            provider_id = UUID(chosen) if chosen else None
        except ValueError:
            provider_id = None
        page = await queries.list_records(principal, MAX_LIMIT, None, provider_id)
        return Template(
            "quality/records.html",
            context={
                "records": page.items,
                "providers": await _providers(request) if principal.is_commissioner else [],
                "chosen": chosen,
                "is_commissioner": principal.is_commissioner,
                **PAGE_WORDS,
            },
        )

    @get("/new", guards=[COMMISSIONER_STAFF])
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        form = {"provider_id": request.query_params.get("provider_id", "")}
        return await self._form(request, form, [])

    @post("/new", guards=[COMMISSIONER_STAFF])
    async def create(
        self, request: Request[Any, Any, Any], data: MultipartBody
    ) -> Template | Redirect:
        form = {k: forms.text(data, k) for k in data if k not in ("file", "csrf_token")}
        try:
            body = forms.record_create(data)
            found = await records.record_quality(actor(request), body, await _upload(data))
        except DomainError as exc:
            return await self._form(request, form, _errors(exc, "summary"), exc.status_code)
        return Redirect(path=f"/quality-records/{found.id}", status_code=303)

    async def _form(
        self,
        request: Request[Any, Any, Any],
        form: dict[str, str],
        errors: list[FieldError],
        status: int = 200,
    ) -> Template:
        field_errors, error_list = forms.summary(errors)
        return Template(
            "quality/record_form.html",
            context={
                "form": form,
                "providers": await _providers(request),
                "kinds": RECORD_KINDS,
                "field_errors": field_errors,
                "errors": error_list,
                **PAGE_WORDS,
            },
            status_code=status,
        )

    @get("/{record_id:uuid}", guards=[role_in("commissioner", "opener", "provider")])
    async def show(self, request: Request[Any, Any, Any], record_id: FromPath[UUID]) -> Template:
        return await self._record(request, record_id)

    async def _record(
        self,
        request: Request[Any, Any, Any],
        record_id: UUID,
        errors: list[FieldError] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        principal = actor(request)
        field_errors, error_list = forms.summary(errors or [])
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

    @post("/{record_id:uuid}/withdraw", guards=[COMMISSIONER_STAFF])
    async def withdraw(
        self, request: Request[Any, Any, Any], record_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        try:
            await records.withdraw_record(actor(request), record_id, forms.withdrawal(data))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            form = {"reason": forms.text(data, "reason")}
            return await self._record(
                request, record_id, _errors(exc, "reason"), exc.status_code, form
            )
        return Redirect(path=f"/quality-records/{record_id}", status_code=303)

    @post("/{record_id:uuid}/report", guards=[COMMISSIONER_STAFF])
    async def report(
        self, request: Request[Any, Any, Any], record_id: FromPath[UUID], data: MultipartBody
    ) -> Template | Redirect:
        try:
            upload = await _upload(data)
            if upload is None:
                raise BadInput("Choose a file", [FieldError("file", "Choose the report's file")])
            await records.attach_report(actor(request), record_id, *upload)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await self._record(request, record_id, _errors(exc, "file"), exc.status_code)
        return Redirect(path=f"/quality-records/{record_id}", status_code=303)
