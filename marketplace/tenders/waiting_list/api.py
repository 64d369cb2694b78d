"""JSON API of the waiting list: packages and bundle suggestions."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.principal import COMMISSIONER_ROLES
from marketplace.tenders.waiting_list import packages, schemas
from marketplace.web.security import SignedIn, role_in


class PackageApi(Controller):
    path = "/api/v1/packages"
    tags = ["waiting list"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @post("/", status_code=201, summary="Put a package on your waiting list")
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.PackageCreate]
    ) -> schemas.Package:
        return await packages.add_package(principal, data)

    @get("/", summary="Your waiting list")
    async def index(
        self,
        principal: SignedIn,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: FromQuery[str | None] = None,
        area_code: FromQuery[str | None] = None,
        urgency: FromQuery[schemas.Urgency | None] = None,
        service_level: FromQuery[schemas.ServiceLevel | None] = None,
    ) -> schemas.PackagePage:
        return await packages.list_packages(
            principal,
            limit,
            cursor,
            status=status,
            area_code=area_code,
            urgency=urgency,
            service_level=service_level,
        )

    @get("/{package_id:uuid}", summary="One package of your waiting list")
    async def show(self, principal: SignedIn, package_id: FromPath[UUID]) -> schemas.Package:
        return await packages.get_package(principal, package_id)

    @post(
        "/bundle-suggestions",
        status_code=200,
        summary="Suggested cluster bundles of your waiting packages",
    )
    async def bundle_suggestions(
        self, principal: SignedIn, data: JSONBody[schemas.BundleRequest]
    ) -> schemas.BundleSuggestions:
        return await packages.suggest_bundles(principal, data)
