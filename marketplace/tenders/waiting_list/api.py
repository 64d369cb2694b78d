"""JSON API of the waiting list: packages and bundle suggestions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.principal import COMMISSIONER_ROLES
from marketplace.tenders.waiting_list import packages, schemas
from marketplace.web.security import actor, role_in


class PackageApi(Controller):
    path = "/api/v1/packages"
    tags = ["waiting list"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @post("/", status_code=201, summary="Put a package on your waiting list")
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[schemas.PackageCreate]
    ) -> schemas.Package:
        return await packages.add_package(actor(request), data)

    @get("/", summary="Your waiting list")
    async def index(
        self,
        request: Request[Any, Any, Any],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: FromQuery[str | None] = None,
        area_code: FromQuery[str | None] = None,
        urgency: FromQuery[schemas.Urgency | None] = None,
        service_level: FromQuery[schemas.ServiceLevel | None] = None,
    ) -> schemas.PackagePage:
        return await packages.list_packages(
            actor(request),
            limit,
            cursor,
            status=status,
            area_code=area_code,
            urgency=urgency,
            service_level=service_level,
        )

    @get("/{package_id:uuid}", summary="One package of your waiting list")
    async def show(
        self, request: Request[Any, Any, Any], package_id: FromPath[UUID]
    ) -> schemas.Package:
        return await packages.get_package(actor(request), package_id)

    @post(
        "/bundle-suggestions",
        status_code=200,
        summary="Suggested cluster bundles of your waiting packages",
    )
    async def bundle_suggestions(
        self, request: Request[Any, Any, Any], data: JSONBody[schemas.BundleRequest]
    ) -> schemas.BundleSuggestions:
        return await packages.suggest_bundles(actor(request), data)
