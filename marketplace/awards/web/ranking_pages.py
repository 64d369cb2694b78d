"""The provider quality ranking pages: the ranked providers with each factor's breakdown, the
weights in force and their history (and a form to change them), and the panel's reviews with
when the next is due (and a form to record one, which freezes the ranking)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.accounts.pages import FormBody
from marketplace.awards import quality_ranking, quality_weights, ranking_reviews
from marketplace.awards import ranking_schemas as shapes
from marketplace.awards.engine.quality import QUALITY_FACTORS
from marketplace.awards.engine.quality_factors import NEUTRAL
from marketplace.awards.web import forms
from marketplace.awards.words import FACTOR_WORDS
from marketplace.errors import BadInput, DomainError, FieldError
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import actor, role_in

WORDS = {"factor_words": FACTOR_WORDS, "neutral": NEUTRAL, **PAGE_WORDS}


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "").strip()


def _converted(body: dict[str, Any], shape: type[Any], default: str) -> Any:
    try:
        return msgspec.convert(body, shape, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        path = message.partition("`$.")[2].partition("`")[0]
        missing = message.partition("required field `")[2].partition("`")[0]
        field = (missing or path.split(".")[-1] or default).split("[")[0]
        words = "is required" if missing else "is not valid: " + message.split(" - at ")[0]
        raise BadInput(message, [FieldError(field, words)]) from None


def weights_body(form: dict[str, Any]) -> shapes.QualityWeightsPut:
    """The weights form: a whole number from 0 to 100 for each factor, and a note."""
    errors = [
        FieldError(name, "Enter a whole number from 0 to 100")
        for name in QUALITY_FACTORS
        if not _text(form, name).isdigit() or int(_text(form, name)) > 100
    ]
    if errors:
        raise BadInput("The weights are not valid", errors)
    weights = {name: int(_text(form, name)) for name in QUALITY_FACTORS}
    body = {"weights": weights, "note": _text(form, "note")[:2000] or None}
    converted: shapes.QualityWeightsPut = _converted(body, shapes.QualityWeightsPut, "weights")
    return converted


def review_body(form: dict[str, Any]) -> shapes.ReviewCreate:
    """The review form: its date, the members one a line, a note."""
    members = [line.strip()[:200] for line in _text(form, "members").splitlines() if line.strip()]
    body = {
        "reviewed_on": _text(form, "reviewed_on") or None,
        "members": members,
        "note": _text(form, "note")[:5000],
    }
    if body["reviewed_on"] is None:
        raise BadInput("Enter the date", [FieldError("reviewed_on", "Enter the review's date")])
    if not members:
        raise BadInput("Name the members", [FieldError("members", "Name the panel's members")])
    converted: shapes.ReviewCreate = _converted(body, shapes.ReviewCreate, "reviewed_on")
    return converted


class RankingPages(Controller):
    path = "/providers/ranking"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def ranking(self, request: Request[Any, Any, Any]) -> Template:
        return await self._ranking(request)

    async def _ranking(
        self,
        request: Request[Any, Any, Any],
        errors: list[FieldError] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        principal = actor(request)
        field_errors, error_list = forms.summary(errors or [])
        return Template(
            "commissioner/ranking.html",
            context={
                "providers": await quality_ranking.provider_ranking(principal),
                "weights": (await quality_weights.quality_weights(principal)).in_force,
                "reviews": await ranking_reviews.reviews(principal),
                "today": ranking_reviews.local_today(),
                "form": form or {},
                "field_errors": field_errors,
                "errors": error_list,
                **WORDS,
            },
            status_code=status,
        )

    @post("/reviews")
    async def record_review(
        self, request: Request[Any, Any, Any], data: FormBody
    ) -> Template | Redirect:
        try:
            review = await ranking_reviews.record_review(actor(request), review_body(data))
        except DomainError as exc:
            errors = [FieldError(e.field.split("[")[0], e.message) for e in exc.errors]
            form = {name: _text(data, name) for name in ("reviewed_on", "members", "note")}
            return await self._ranking(
                request, errors or [FieldError("reviewed_on", exc.detail)], exc.status_code, form
            )
        return Redirect(path=f"/providers/ranking/reviews/{review.id}", status_code=303)

    @get("/reviews/{review_id:uuid}")
    async def review(self, request: Request[Any, Any, Any], review_id: FromPath[UUID]) -> Template:
        return Template(
            "commissioner/ranking_review.html",
            context={
                "review": await ranking_reviews.get_review(actor(request), review_id),
                **WORDS,
            },
        )

    @get("/weights")
    async def weights(self, request: Request[Any, Any, Any]) -> Template:
        return await self._weights(request)

    async def _weights(
        self,
        request: Request[Any, Any, Any],
        errors: list[FieldError] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        view = await quality_weights.quality_weights(actor(request))
        field_errors, error_list = forms.summary(errors or [])
        return Template(
            "commissioner/quality_weights.html",
            context={
                "view": view,
                "factors": QUALITY_FACTORS,
                "form": form or {k: str(v) for k, v in view.in_force.weights.items()},
                "field_errors": field_errors,
                "errors": error_list,
                **WORDS,
            },
            status_code=status,
        )

    @post("/weights")
    async def put_weights(
        self, request: Request[Any, Any, Any], data: FormBody
    ) -> Template | Redirect:
        try:
            await quality_weights.put_weights(actor(request), weights_body(data))
        except DomainError as exc:
            form = {name: _text(data, name) for name in (*QUALITY_FACTORS, "note")}
            errors = exc.errors or [FieldError("weights", exc.detail)]
            return await self._weights(request, errors, exc.status_code, form)
        return Redirect(path="/providers/ranking/weights?changed=1", status_code=303)
