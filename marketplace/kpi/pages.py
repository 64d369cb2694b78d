"""The KPI return pages: a provider completes, corrects and submits the returns it owes (a
GOV.UK form that works without JavaScript); commissioner staff see the returns received and
overdue per quarter, each return, and each KPI across providers and quarters as a table."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.errors import DomainError, FieldError, NotFound
from marketplace.kpi import forms, service
from marketplace.principal import Principal
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

EVERYONE = role_in("commissioner", "opener", "provider")
COMMISSIONER_STAFF = role_in("commissioner", "opener")
PROVIDER = role_in("provider")


async def _return_page(
    principal: Principal,
    return_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    field_errors, error_list = error_summary(
        errors or [], field_id=forms.field_id, label=forms.LABELS
    )
    kpi_return = await service.get_return(principal, return_id)
    return Template(
        "kpi/return.html",
        context={
            "r": kpi_return,
            "editable": principal.role == "provider" and kpi_return.status == "open",
            "is_commissioner": principal.is_commissioner,
            "form": form,
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
        },
        status_code=status,
    )


class KpiReturnPages(Controller):
    path = "/kpi-returns"
    include_in_schema = False

    @get("/", guards=[EVERYONE])
    async def index(self, principal: SignedIn) -> Template:
        returns = await service.list_returns(principal)
        return Template(
            "kpi/returns.html",
            context={
                "returns": returns,
                "quarters": service.returns_by_quarter(returns),
                "is_commissioner": principal.is_commissioner,
                **PAGE_WORDS,
            },
        )

    @get("/measures", guards=[COMMISSIONER_STAFF])
    async def measures(self, principal: SignedIn) -> Template:
        return Template(
            "kpi/measures.html",
            context={"tables": await service.measure_tables(principal), **PAGE_WORDS},
        )

    @get("/{return_id:uuid}", guards=[EVERYONE])
    async def show(self, principal: SignedIn, return_id: FromPath[UUID]) -> Template:
        return await _return_page(principal, return_id)

    @post("/{return_id:uuid}", guards=[PROVIDER])
    async def answer(
        self, principal: SignedIn, return_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        kpi_return = await service.get_return(principal, return_id)
        references = [a.reference for a in kpi_return.answers]
        submitting = forms.form_of(data).get("action") == "submit"
        try:
            body = forms.answers(data, references)
            if body.answers:
                await service.answer_return(principal, return_id, body)
            if submitting:
                await service.submit_return(principal, return_id)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="answers")
            return await _return_page(
                principal, return_id, errors, exc.status_code, forms.form_of(data)
            )
        banner = "kpi-return-submitted" if submitting else "kpi-return-saved"
        return Redirect(path=done(f"/kpi-returns/{return_id}", banner), status_code=303)
