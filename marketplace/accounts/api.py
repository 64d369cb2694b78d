"""JSON API of accounts: tokens, organisations and their users."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from marketplace.accounts import authentication, guest_suppliers, schemas, service
from marketplace.web.security import SignedIn, role_in


class TokenApi(Controller):
    path = "/api/v1/auth"
    tags = ["accounts"]

    @post(
        "/tokens",
        opt={"public": True},
        status_code=201,
        summary="Exchange email and password for a bearer token",
    )
    async def create_token(self, data: JSONBody[schemas.TokenCreate]) -> schemas.TokenCreated:
        return await authentication.issue_api_token(data)


class OrganisationApi(Controller):
    path = "/api/v1/organisations"
    tags = ["accounts"]

    @post("/", guards=[role_in("admin")], status_code=201, summary="Create an organisation")
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.OrganisationCreate]
    ) -> schemas.Organisation:
        return await service.create_organisation(principal, data)

    @get("/{organisation_id:uuid}", summary="An organisation")
    async def show(
        self, principal: SignedIn, organisation_id: FromPath[UUID]
    ) -> schemas.Organisation:
        return await service.get_organisation(principal, organisation_id)

    @patch(
        "/{organisation_id:uuid}",
        guards=[role_in("admin", "commissioner", "opener")],
        summary="Update an organisation (commissioners: a provider's CQC rating and enforcement flag)",
    )
    async def update(
        self,
        principal: SignedIn,
        organisation_id: FromPath[UUID],
        data: JSONBody[schemas.OrganisationUpdate],
    ) -> schemas.Organisation:
        return await service.update_organisation(principal, organisation_id, data)

    @post("/{organisation_id:uuid}/users", status_code=201, summary="Add a user to an organisation")
    async def add_user(
        self,
        principal: SignedIn,
        organisation_id: FromPath[UUID],
        data: JSONBody[schemas.UserCreate],
    ) -> schemas.User:
        return await service.create_user(principal, organisation_id, data)


class GuestSupplierApi(Controller):
    path = "/api/v1/guest-suppliers"
    tags = ["accounts"]

    @post(
        "/",
        guards=[role_in("commissioner")],
        status_code=201,
        summary="Register a guest (non-framework) supplier to invite to wider call-offs",
    )
    async def register(
        self, principal: SignedIn, data: JSONBody[schemas.GuestSupplierCreate]
    ) -> schemas.GuestSupplier:
        return await guest_suppliers.register_guest_supplier(principal, data)

    @get(
        "/",
        guards=[role_in("commissioner", "opener")],
        summary="The guest suppliers your organisation registered",
    )
    async def index(self, principal: SignedIn) -> list[schemas.GuestSupplier]:
        return await guest_suppliers.guest_suppliers(principal)
