"""The provider quality ranking pages: the ranked providers with each factor's breakdown, the
weights in force and their history (and a form to change them), and the panel's reviews with
when the next is due (and a form to record one, which freezes the ranking)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.awards import quality_ranking, quality_weights, ranking_reviews
from marketplace.awards import ranking_schemas as shapes
from marketplace.awards.engine.quality import QUALITY_FACTORS
from marketplace.awards.engine.quality_factors import NEUTRAL
from marketplace.awards.words import FACTOR_WORDS
from marketplace.errors import DomainError, FieldError
from marketplace.principal import Principal
from marketplace.web.banners import done
from marketplace.web.forms import (
    FormBody,
    FormReader,
    Labels,
    converted,
    error_summary,
)
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

WORDS = {"factor_words": FACTOR_WORDS, "neutral": NEUTRAL, **PAGE_WORDS}
LABELS = Labels(
    {
        "weights": "The weights",
        "reviewed_on": "The review's date",
        "members": "The members",
        "note": "The note",
    }
)


def _field(name: str) -> str:
    """The form's input an error of the API's body is about (`weights.cqc_rating` ->
    `cqc_rating`, `members[2]` -> `members`)."""
    return name.removeprefix("weights.").split("[")[0]


def _converted(body: dict[str, Any], shape: type[Any], otherwise: str) -> Any:
    return converted(body, shape, strict=False, otherwise=otherwise)


def weights_body(form: dict[str, Any]) -> shapes.QualityWeightsPut:
    """The weights form: a whole number from 0 to 100 for each factor, and a note."""
    read = FormReader(form)
    weights = {
        name: read.whole_number(name, most=100, words="Enter a whole number from 0 to 100")
        for name in QUALITY_FACTORS
    }
    read.check("The weights are not valid")
    body = {"weights": weights, "note": read.text("note")[:2000] or None}
    converted: shapes.QualityWeightsPut = _converted(body, shapes.QualityWeightsPut, "weights")
    return converted


def review_body(form: dict[str, Any]) -> shapes.ReviewCreate:
    """The review form: its date, the members one a line, a note."""
    read = FormReader(form)
    reviewed_on = read.iso_date("reviewed_on")
    members = [line.strip()[:200] for line in read.text("members").splitlines() if line.strip()]
    if not members:
        read.refuse("members", "Name the panel's members, one a line")
    read.check("The review is not complete")
    body = {"reviewed_on": reviewed_on, "members": members, "note": read.text("note")[:5000]}
    converted: shapes.ReviewCreate = _converted(body, shapes.ReviewCreate, "reviewed_on")
    return converted


async def _ranking_page(
    principal: Principal,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    field_errors, error_list = error_summary(errors or [], field_id=_field, label=LABELS)
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


async def _weights_page(
    principal: Principal,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    view = await quality_weights.quality_weights(principal)
    field_errors, error_list = error_summary(errors or [], field_id=_field, label=LABELS)
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


class RankingPages(Controller):
    path = "/providers/ranking"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def ranking(self, principal: SignedIn) -> Template:
        return await _ranking_page(principal)

    @post("/reviews")
    async def record_review(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        try:
            review = await ranking_reviews.record_review(principal, review_body(data))
        except DomainError as exc:
            read = FormReader(data)
            form = {name: read.text(name) for name in ("reviewed_on", "members", "note")}
            errors = exc.errors or [FieldError("reviewed_on", exc.detail)]
            return await _ranking_page(principal, errors, exc.status_code, form)
        return Redirect(
            path=done(f"/providers/ranking/reviews/{review.id}", "review-recorded"), status_code=303
        )

    @get("/reviews/{review_id:uuid}")
    async def review(self, principal: SignedIn, review_id: FromPath[UUID]) -> Template:
        return Template(
            "commissioner/ranking_review.html",
            context={"review": await ranking_reviews.get_review(principal, review_id), **WORDS},
        )

    @get("/weights")
    async def weights(self, principal: SignedIn) -> Template:
        return await _weights_page(principal)

    @post("/weights")
    async def put_weights(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        try:
            await quality_weights.put_weights(principal, weights_body(data))
        except DomainError as exc:
            read = FormReader(data)
            form = {name: read.text(name) for name in (*QUALITY_FACTORS, "note")}
            errors = exc.errors or [FieldError("weights", exc.detail)]
            return await _weights_page(principal, errors, exc.status_code, form)
        return Redirect(path=done("/providers/ranking/weights", "weights-changed"), status_code=303)
