"""The platform admin's CQC rating pages: every provider's rating, and one provider's history
with the form that sets its rating, with a reason."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.accounts import cqc_ratings, schemas
from marketplace.errors import BadInput, FieldError, RuleBroken
from marketplace.web.forms import FormBody, FormReader, error_summary, refused_field
from marketplace.web.security import SignedIn, role_in

RATING_WORDS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "not_yet_rated": "Not yet rated",
}


class CqcRatingPages(Controller):
    path = "/admin/cqc-ratings"
    guards = [role_in("admin")]

    @get("/", include_in_schema=False)
    async def index(self) -> Template:
        return Template(
            "admin/cqc_ratings.html",
            context={
                "providers": await cqc_ratings.providers_with_ratings(),
                "words": RATING_WORDS,
            },
        )

    @get("/{provider_id:uuid}", include_in_schema=False)
    async def show(self, principal: SignedIn, provider_id: FromPath[UUID]) -> Template:
        return await _page(principal, provider_id)

    @post("/{provider_id:uuid}", include_in_schema=False)
    async def set_rating(
        self, principal: SignedIn, provider_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        read = FormReader(data)
        values = {"rating": read.text("rating"), "reason": read.text("reason")}
        typed_date = read.text("rated_on")
        if not values["rating"]:
            read.refuse("rating", "Choose the rating")
        if not values["reason"]:
            read.refuse("reason", "Enter the reason for the rating")
        rated_on = read.iso_date("rated_on") if typed_date else None
        if read.errors:
            return await _page(
                principal, provider_id, {**values, "rated_on": typed_date}, read.errors
            )
        try:
            body = msgspec.convert(
                {**values, "rated_on": rated_on}, schemas.CqcRatingSet, strict=False
            )
            await cqc_ratings.set_rating(principal, provider_id, body)
        except msgspec.ValidationError as exc:
            return await _page(principal, provider_id, values, [refused_field(exc, "rating")])
        except (BadInput, RuleBroken) as exc:
            return await _page(principal, provider_id, values, exc.errors)
        return Redirect(path=f"/admin/cqc-ratings/{provider_id}", status_code=303)


async def _page(
    principal: SignedIn,
    provider_id: UUID,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Template:
    history = await cqc_ratings.rating_history(principal, provider_id)
    provider = await cqc_ratings.provider_rating(provider_id)
    field_errors, error_list = error_summary(errors or [])
    return Template(
        "admin/cqc_rating.html",
        context={
            "provider": provider,
            "history": history,
            "words": RATING_WORDS,
            "values": values or {},
            "field_errors": field_errors,
            "errors": error_list,
        },
        status_code=400 if errors else 200,
    )
