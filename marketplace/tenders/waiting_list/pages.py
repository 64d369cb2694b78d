"""The commissioner's waiting list in the browser: the packages with filters, a form to add one,
and bundle suggestions drawn as small maps."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.pages import FormBody
from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.pagination import MAX_LIMIT
from marketplace.reference import service
from marketplace.reference.postcodes import directory
from marketplace.tenders.waiting_list import packages, schemas
from marketplace.web.labels import PAGE_WORDS, URGENCY_REASONS
from marketplace.web.security import actor, role_in

PAGE_SIZE = 50
SVG_SIZE, SVG_RADIUS = 160, 70  # the radius circle leaves a margin inside the square
KM_PER_DEGREE = 111.195


def _filters(request: Request[Any, Any, Any]) -> dict[str, str | None]:
    return {
        name: request.query_params.get(name) or None
        for name in ("area_code", "urgency", "service_level")
    }


async def _own_areas(request: Request[Any, Any, Any]) -> list[Any]:
    return (await service.list_areas(MAX_LIMIT, None, actor(request).organisation_id)).items


def _errors(exc: DomainError) -> list[FieldError]:
    return exc.errors or [FieldError("reference", exc.detail)]


def _summary(errors: list[FieldError]) -> tuple[dict[str, str], list[dict[str, str]]]:
    by_field: dict[str, str] = {}
    for error in errors:
        field = error.field.split(".")[0].split("[")[0] or "reference"
        label = field.replace("_", " ").capitalize()
        text = error.message if error.message[:1].isupper() else f"{label} {error.message}"
        by_field.setdefault(field, text)
    return by_field, [{"text": text, "href": f"#{field}"} for field, text in by_field.items()]


def scatter(
    centre: tuple[float, float], radius_km: float, points: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Where each (latitude, longitude) sits in the SVG square: the bundle's centre in the middle
    and its radius as SVG_RADIUS (an equirectangular view, fine at a few kilometres)."""
    scale = SVG_RADIUS / max(radius_km, 0.001)
    middle = SVG_SIZE / 2
    squash = math.cos(math.radians(centre[0]))
    return [
        (
            round(middle + (longitude - centre[1]) * squash * KM_PER_DEGREE * scale, 1),
            round(middle - (latitude - centre[0]) * KM_PER_DEGREE * scale, 1),
        )
        for latitude, longitude in points
    ]


class WaitingListPages(Controller):
    path = "/waiting-list"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        filters = _filters(request)
        page = await packages.list_packages(
            actor(request),
            PAGE_SIZE,
            request.query_params.get("cursor") or None,
            status="waiting",
            **filters,
        )
        return Template(
            "commissioner/waiting_list.html",
            context={
                "page": page,
                "filters": filters,
                "areas": await _own_areas(request),
                "query": {k: v for k, v in filters.items() if v},
                **PAGE_WORDS,
            },
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return await self._form(request, {}, [])

    @post("/new")
    async def add(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        form = {k: str(v).strip() for k, v in data.items() if k != "csrf_token"}
        body = {k: v for k, v in form.items() if v}
        try:
            if body.get("urgency") != "urgent":
                body.pop("urgency_reason", None)
            try:
                package = msgspec.convert(body, schemas.PackageCreate)
            except msgspec.ValidationError as exc:
                field = str(exc).partition("`$.")[2].partition("`")[0]
                missing = str(exc).partition("required field `")[2].partition("`")[0]
                raise BadInput(
                    str(exc),
                    [FieldError(missing or field or "reference", _plain(str(exc), bool(missing)))],
                ) from None
            await packages.add_package(actor(request), package)
        except DomainError as exc:
            return await self._form(request, form, _errors(exc), exc.status_code)
        return Redirect(path="/waiting-list?added=" + quote(package.reference), status_code=303)

    async def _form(
        self,
        request: Request[Any, Any, Any],
        form: dict[str, str],
        errors: list[FieldError],
        status: int = 200,
    ) -> Template:
        field_errors, error_list = _summary(errors)
        return Template(
            "commissioner/package_form.html",
            context={
                "form": form,
                "areas": await _own_areas(request),
                "urgency_reasons": URGENCY_REASONS,
                "field_errors": field_errors,
                "errors": error_list,
                **PAGE_WORDS,
            },
            status_code=status,
        )

    @get("/bundles")
    async def bundles(self, request: Request[Any, Any, Any]) -> Template:
        query = request.query_params
        form = {k: query.get(k, "") for k in ("area_code", "max_radius_km", "max_weekly_hours")}
        suggestions, errors = None, []
        if form["max_radius_km"] or form["max_weekly_hours"]:
            try:
                body = msgspec.convert(
                    {k: v for k, v in form.items() if v}, schemas.BundleRequest, strict=False
                )
                suggestions = await packages.suggest_bundles(actor(request), body)
            except msgspec.ValidationError as exc:
                field = str(exc).partition("`$.")[2].partition("`")[0] or "max_radius_km"
                errors = [FieldError(field, _plain(str(exc), "required" in str(exc)))]
            except DomainError as exc:
                errors = exc.errors or [FieldError("max_radius_km", exc.detail)]
        field_errors, error_list = _summary(errors)
        return Template(
            "commissioner/bundles.html",
            context={
                "form": form,
                "areas": await _own_areas(request),
                "suggestions": suggestions,
                "maps": await _maps(request, suggestions) if suggestions else [],
                "svg_size": SVG_SIZE,
                "svg_radius": SVG_RADIUS,
                "field_errors": field_errors,
                "errors": error_list,
                **PAGE_WORDS,
            },
            status_code=400 if errors else 200,
        )


def _plain(message: str, missing: bool) -> str:
    if missing:
        return "is required"
    return "is not valid: " + message.split(" - at ")[0].lower()


async def _maps(
    request: Request[Any, Any, Any], suggestions: schemas.BundleSuggestions
) -> list[list[tuple[float, float]]]:
    """The SVG position of each package of each suggestion."""
    maps = []
    for suggestion in suggestions.items:
        places = []
        for package_id in suggestion.package_ids:
            package = await packages.get_package(actor(request), package_id)
            try:
                place = await directory.get_postcode(package.postcode)
            except NotFound:
                continue
            places.append((place.latitude, place.longitude))
        maps.append(scatter(suggestion.centre, suggestion.radius_km, places))
    return maps
