"""One care record's page, the same for both parties but for its template and address: the record
with its timeline and forms, and a form's submission (back to the page with its errors, or on to
the page with what was done)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.response import Redirect, Template

from marketplace.care import forms, service
from marketplace.care.words import CARE_WORDS
from marketplace.errors import DomainError, FieldError, NotFound
from marketplace.principal import Principal
from marketplace.web.labels import PAGE_WORDS


@dataclass(frozen=True)
class CarePage:
    template: str  # "provider/care.html" or "commissioner/care.html"
    path: str  # "/my-care" or "/care"

    async def show(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        care_id: UUID,
        form_name: str = "",
        errors: list[FieldError] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        care = await service.get_care(principal, care_id)
        field_errors, error_list = forms.summary(form_name, errors or [])
        return Template(
            self.template,
            context={
                "care": care,
                "form_name": form_name,
                "form": {k: forms.text(form or {}, k) for k in (form or {})},
                "done": request.query_params.get("done"),
                "field_errors": field_errors,
                "errors": error_list,
                **CARE_WORDS,
                **PAGE_WORDS,
            },
            status_code=status,
        )

    async def submit(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        care_id: UUID,
        form_name: str,
        data: dict[str, Any],
        act: Callable[[], Awaitable[Any]],
    ) -> Template | Redirect:
        try:
            await act()
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = forms.errors_of(form_name, exc)
            return await self.show(
                request, principal, care_id, form_name, errors, exc.status_code, data
            )
        return Redirect(path=f"{self.path}/{care_id}?done={form_name}", status_code=303)
