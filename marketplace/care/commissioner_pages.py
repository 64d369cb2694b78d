"""The commissioner's care in the browser: its care records with filters, a care page to correct the
start, decide changes of hours, record enablement outcomes and end the care, the use of the hours
tolerance, and the enablement bars with their lifting."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.accounts.queries import organisation_names
from marketplace.admissions import enablement_bars
from marketplace.admissions.queries import admitted_providers
from marketplace.care import enablement, forms, schemas, service, variations
from marketplace.care.care_page import CarePage
from marketplace.care.words import CARE_WORDS
from marketplace.errors import DomainError, FieldError, NotFound
from marketplace.pagination import MAX_LIMIT
from marketplace.principal import Principal
from marketplace.reference import service as reference
from marketplace.web.forms import FormBody
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

PAGE = CarePage("commissioner/care.html", "/care")

PAGE_SIZE = 50
FILTERS = ("area_code", "provider_id", "status", "late")


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


class CarePages(Controller):
    path = "/care"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], principal: SignedIn) -> Template:
        principal = principal
        filters = {name: request.query_params.get(name) or None for name in FILTERS}
        page = await service.list_care(
            principal,
            PAGE_SIZE,
            request.query_params.get("cursor") or None,
            status=filters["status"] if filters["status"] in CARE_WORDS["care_statuses"] else None,
            area_code=filters["area_code"],
            provider_id=_uuid(filters["provider_id"]),
            late={"yes": True, "no": False}.get(filters["late"] or ""),
        )
        assert principal.organisation_id is not None
        providers = await organisation_names(await admitted_providers(principal.organisation_id))
        return Template(
            "commissioner/care_list.html",
            context={
                "page": page,
                "filters": filters,
                "query": {k: v for k, v in filters.items() if v},
                "areas": (
                    await reference.list_areas(MAX_LIMIT, None, principal.organisation_id)
                ).items,
                "providers": sorted(providers.items(), key=lambda p: p[1]),
                **CARE_WORDS,
                **PAGE_WORDS,
            },
        )

    @get("/tolerance")
    async def tolerance(self, principal: SignedIn) -> Template:
        return Template(
            "commissioner/tolerance.html",
            context={"use": await variations.tolerance_use(principal), **CARE_WORDS},
        )

    @get("/{care_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], principal: SignedIn, care_id: FromPath[UUID]
    ) -> Template:
        return await PAGE.show(request, principal, care_id)

    @post("/{care_id:uuid}/start-correction")
    async def correct(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            body = forms.read(data, schemas.StartCorrection, ("actual_start", "reason"))
            return await service.correct_start(principal, care_id, body)

        return await PAGE.submit(request, principal, care_id, "correct", data, act)

    @post("/{care_id:uuid}/variations/{variation_id:uuid}/decision")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        variation_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            body = forms.read(data, schemas.VariationDecision, ("decision", "reason"))
            return await variations.decide_variation(principal, care_id, variation_id, body)

        return await PAGE.submit(request, principal, care_id, "decide", data, act)

    @post("/{care_id:uuid}/end")
    async def end(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            body = forms.read(data, schemas.CareEnd, ("reason", "last_care_date"))
            return await service.end_care(principal, care_id, body)

        return await PAGE.submit(request, principal, care_id, "end", data, act)

    @post("/{care_id:uuid}/enablement-outcomes")
    async def outcomes(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        async def act() -> Any:
            care = await service.get_care(principal, care_id)
            texts = [o.outcome for o in care.enablement.outcomes] if care.enablement else []
            await enablement.record_outcomes(principal, care_id, forms.outcomes_body(data, texts))

        return await PAGE.submit(request, principal, care_id, "outcomes", data, act)


class EnablementBarPages(Controller):
    path = "/enablement-bars"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], principal: SignedIn) -> Template:
        return await _bars_page(request, principal)

    @post("/{bar_id:uuid}/lift")
    async def lift(
        self,
        request: Request[Any, Any, Any],
        principal: SignedIn,
        bar_id: FromPath[UUID],
        data: FormBody,
    ) -> Template | Redirect:
        try:
            await enablement_bars.lift_bar(principal, bar_id, forms.text(data, "reason"))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = forms.errors_of("lift", exc)
            return await _bars_page(request, principal, bar_id, errors, exc.status_code)
        return Redirect(path="/enablement-bars?lifted=1", status_code=303)


async def _bars_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    failed_bar: UUID | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Template:
    field_errors, error_list = forms.summary(f"lift-{failed_bar}", errors or [])
    page = await enablement_bars.list_bars(principal, MAX_LIMIT, None)
    return Template(
        "commissioner/enablement_bars.html",
        context={
            "bars": page.items,
            "lifted": request.query_params.get("lifted"),
            "field_errors": field_errors,
            "errors": error_list,
        },
        status_code=status,
    )
