"""The KPI return pages: a provider completes, corrects and submits the returns it owes (a
GOV.UK form that works without JavaScript); commissioner staff see the returns received and
overdue per quarter, each return, and each KPI across providers and quarters as a table."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.errors import DomainError, FieldError, NotFound
from marketplace.kpi import forms, rules, service
from marketplace.principal import Principal
from marketplace.web.banners import done
from marketplace.web.charts import ChartData, Series, Unit
from marketplace.web.forms import FormBody, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

# How each kind of KPI is charted: its axis's title (the unit, ChartData's, says how its ticks and
# tooltip read: a percentage's axis up to 100, whole numbers for the others). Text KPIs have none.
AXES: dict[str, tuple[str, Unit]] = {
    "count": ("Number", "count"),
    "percentage": ("Percentage", "percentage"),
    "minutes": ("Minutes", "minutes"),
}

EVERYONE = role_in("commissioner", "opener", "provider")
COMMISSIONER_STAFF = role_in("commissioner", "opener")
PROVIDER = role_in("provider")


def _number(value: str | None) -> float | None:
    try:
        return float(Decimal(value)) if value is not None else None
    except InvalidOperation:
        return None


def chart_of(table: service.MeasureTable) -> ChartData | None:
    """A KPI's chart: a series per provider across the quarters (lines from three quarters on,
    bars before), a gap where a provider did not submit; none for a text KPI."""
    if table.kind not in AXES:
        return None
    y_title, unit = AXES[table.kind]
    return ChartData(
        kind="line" if len(table.quarters) >= 3 else "bar",
        labels=table.quarters,
        series=[Series(provider, [_number(v) for v in values]) for provider, values in table.rows],
        y_title=y_title,
        unit=unit,
    )


FILTERS = ("lot", "quarter", "provider_id", "status")
STATUS_WORDS = {"open": "To complete", "overdue": "Overdue", "submitted": "Submitted"}


def filter_options(returns: list[Any]) -> dict[str, list[tuple[str, str]]]:
    """Each filter's choices, (value, words), from the returns there are."""
    quarters = sorted({(r.year, r.quarter) for r in returns}, reverse=True)
    return {
        "lot": sorted({(r.lot_code, r.lot_name) for r in returns}, key=lambda o: o[1]),
        "quarter": [(rules.Quarter(y, q).key, f"Quarter {q} {y}") for y, q in quarters],
        "provider_id": sorted(
            {(str(r.provider_id), r.provider_name) for r in returns}, key=lambda o: o[1]
        ),
        "status": list(STATUS_WORDS.items()),
    }


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
    async def index(self, request: Request[Any, Any, Any], principal: SignedIn) -> Template:
        every = await service.list_returns(principal)
        query = {name: request.query_params.get(name) for name in FILTERS}
        filters = service.return_filters(query)
        returns = (
            await service.list_returns(principal, filters=filters)
            if principal.is_commissioner and filters != service.ReturnFilters()
            else every
        )
        return Template(
            "kpi/returns.html",
            context={
                "returns": returns,
                "quarters": service.returns_by_quarter(returns),
                "is_commissioner": principal.is_commissioner,
                "filter_options": filter_options(every),
                "chosen": {k: v for k, v in query.items() if v},
                **PAGE_WORDS,
            },
        )

    @get("/measures", guards=[COMMISSIONER_STAFF])
    async def measures(self, principal: SignedIn) -> Template:
        return Template(
            "kpi/measures.html",
            context={
                "tables": [(t, chart_of(t)) for t in await service.measure_tables(principal)],
                **PAGE_WORDS,
            },
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
