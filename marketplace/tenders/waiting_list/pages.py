"""The commissioner's waiting list in the browser: the packages with filters, a form to add one,
and bundle suggestions drawn as small maps."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.pagination import MAX_LIMIT
from marketplace.principal import Principal
from marketplace.reference import service
from marketplace.reference.postcodes import directory
from marketplace.tenders.waiting_list import contingency, packages, schemas
from marketplace.tenders.waiting_list.contingency_pages import REASONS
from marketplace.web.forms import FormBody, FormReader, error_summary, form_errors, refused_field
from marketplace.web.labels import PAGE_WORDS, URGENCY_REASONS
from marketplace.web.security import SignedIn, role_in

PAGE_SIZE = 50
SVG_SIZE, SVG_RADIUS = 160, 70  # the radius circle leaves a margin inside the square
KM_PER_DEGREE = 111.195


def _filters(request: Request[Any, Any, Any]) -> dict[str, str | None]:
    return {
        name: request.query_params.get(name) or None
        for name in ("area_code", "urgency", "service_level")
    }


async def _own_areas(principal: Principal) -> list[Any]:
    return (await service.list_areas(MAX_LIMIT, None, principal.organisation_id)).items


def _form_field(api_field: str) -> str:
    """The input an error of the package's body is about: its top-level field."""
    return api_field.split(".")[0].split("[")[0] or "reference"


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _summary(errors: list[FieldError]) -> tuple[dict[str, str], list[dict[str, str]]]:
    return error_summary(errors, field_id=_form_field, label=_label)


def _plainly(error: FieldError) -> FieldError:
    """A field msgspec refused, in the form's words."""
    if error.message == "is required":
        return error
    return FieldError(error.field, "is not valid: " + error.message.lower())


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
    async def index(self, request: Request[Any, Any, Any], principal: SignedIn) -> Template:
        filters = _filters(request)
        page = await packages.list_packages(
            principal,
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
                "areas": await _own_areas(principal),
                "query": {k: v for k, v in filters.items() if v},
                **PAGE_WORDS,
            },
        )

    @get("/packages/{package_id:uuid}")
    async def package(self, principal: SignedIn, package_id: FromPath[UUID]) -> Template:
        """One package: its needs, area, hours, urgency, service level, rurality, the call-offs
        it was in and its contingency clock if one runs."""
        found = await packages.get_package(principal, package_id)
        history, clock = await contingency.package_story(principal, package_id)
        return Template(
            "commissioner/package.html",
            context={
                "package": found,
                "history": history,
                "clock": clock,
                "urgency_reasons": URGENCY_REASONS,
                "contingency_reasons": REASONS,
                **PAGE_WORDS,
            },
        )

    @get("/new")
    async def new(self, principal: SignedIn) -> Template:
        return await self._form(principal, {}, [])

    @post("/new")
    async def add(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        form = FormReader(data).texts()
        body = {k: v for k, v in form.items() if v}
        try:
            if body.get("urgency") != "urgent":
                body.pop("urgency_reason", None)
            try:
                package = msgspec.convert(body, schemas.PackageCreate)
            except msgspec.ValidationError as exc:
                raise BadInput(str(exc), [_plainly(refused_field(exc, "reference"))]) from None
            await packages.add_package(principal, package)
        except DomainError as exc:
            errors = form_errors(exc, otherwise="reference")
            return await self._form(principal, form, errors, exc.status_code)
        return Redirect(path="/waiting-list?added=" + quote(package.reference), status_code=303)

    async def _form(
        self,
        principal: Principal,
        form: dict[str, str],
        errors: list[FieldError],
        status: int = 200,
    ) -> Template:
        field_errors, error_list = _summary(errors)
        return Template(
            "commissioner/package_form.html",
            context={
                "form": form,
                "areas": await _own_areas(principal),
                "urgency_reasons": URGENCY_REASONS,
                "field_errors": field_errors,
                "errors": error_list,
                **PAGE_WORDS,
            },
            status_code=status,
        )

    @get("/bundles")
    async def bundles(self, request: Request[Any, Any, Any], principal: SignedIn) -> Template:
        query = request.query_params
        form = {k: query.get(k, "") for k in ("area_code", "max_radius_km", "max_weekly_hours")}
        suggestions, errors = None, []
        if form["max_radius_km"] or form["max_weekly_hours"]:
            try:
                body = msgspec.convert(
                    {k: v for k, v in form.items() if v}, schemas.BundleRequest, strict=False
                )
                suggestions = await packages.suggest_bundles(principal, body)
            except msgspec.ValidationError as exc:
                refused = _plainly(refused_field(exc, "max_radius_km"))
                if refused.message == "is required":  # whichever limit is missing
                    refused = FieldError("max_radius_km", refused.message)
                errors = [refused]
            except DomainError as exc:
                errors = form_errors(exc, otherwise="max_radius_km")
        field_errors, error_list = _summary(errors)
        return Template(
            "commissioner/bundles.html",
            context={
                "form": form,
                "areas": await _own_areas(principal),
                "suggestions": suggestions,
                "maps": await _maps(principal, suggestions) if suggestions else [],
                "svg_size": SVG_SIZE,
                "svg_radius": SVG_RADIUS,
                "field_errors": field_errors,
                "errors": error_list,
                **PAGE_WORDS,
            },
            status_code=400 if errors else 200,
        )


async def _maps(
    principal: Principal, suggestions: schemas.BundleSuggestions
) -> list[list[tuple[float, float]]]:
    """The SVG position of each package of each suggestion."""
    maps = []
    for suggestion in suggestions.items:
        places = []
        for package_id in suggestion.package_ids:
            package = await packages.get_package(principal, package_id)
            try:
                place = await directory.get_postcode(package.postcode)
            except NotFound:
                continue
            places.append((place.latitude, place.longitude))
        maps.append(scatter(suggestion.centre, suggestion.radius_km, places))
    return maps
