"""JSON API of accounts: tokens, organisations and their users."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from marketplace.accounts import (
    administration,
    authentication,
    guest_suppliers,
    schemas,
    service,
    two_factor,
)
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

    @post(
        "/sign-out-everywhere",
        status_code=200,
        summary="End every browser session and revoke every API token of the signed-in user",
    )
    async def sign_out_everywhere(self, principal: SignedIn) -> schemas.SignedOutEverywhere:
        return schemas.SignedOutEverywhere(ended=await authentication.end_every_session(principal))

    @post(
        "/recovery-codes",
        status_code=201,
        summary="Replace your recovery codes with ten new ones, shown once (needs the second factor)",
    )
    async def regenerate_recovery_codes(self, principal: SignedIn) -> schemas.RecoveryCodes:
        return schemas.RecoveryCodes(codes=await two_factor.regenerate_recovery_codes(principal))


class OrganisationApi(Controller):
    path = "/api/v1/organisations"
    tags = ["accounts"]

    @post("/", guards=[role_in("admin")], status_code=201, summary="Create an organisation")
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.OrganisationCreate]
    ) -> schemas.Organisation:
        return await service.create_organisation(principal, data)

    @get("/", guards=[role_in("admin")], summary="Every organisation, with its users counted")
    async def index(self, principal: SignedIn) -> list[administration.OrganisationSummary]:
        return await administration.list_organisations(principal)

    @get("/{organisation_id:uuid}/users", summary="An organisation's users (admins; its own users)")
    async def users(
        self, principal: SignedIn, organisation_id: FromPath[UUID]
    ) -> list[schemas.User]:
        return await administration.organisation_users(principal, organisation_id)

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


class UserApi(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]
    guards = [role_in("admin")]

    @post(
        "/{user_id:uuid}/deactivate",
        status_code=200,
        summary="Deactivate a user: no more sign-in; sessions ended, API tokens revoked",
    )
    async def deactivate(self, principal: SignedIn, user_id: FromPath[UUID]) -> schemas.User:
        return await administration.set_user_active(principal, user_id, False)

    @post("/{user_id:uuid}/reactivate", status_code=200, summary="Let a deactivated user sign in")
    async def reactivate(self, principal: SignedIn, user_id: FromPath[UUID]) -> schemas.User:
        return await administration.set_user_active(principal, user_id, True)

    @post(
        "/{user_id:uuid}/reset-two-factor",
        status_code=200,
        summary="Reset a user's lost authenticator, with a reason: sessions ended, tokens revoked",
    )
    async def reset_two_factor(
        self,
        principal: SignedIn,
        user_id: FromPath[UUID],
        data: JSONBody[schemas.TwoFactorResetRequest],
    ) -> schemas.TwoFactorReset:
        return await administration.reset_two_factor(principal, user_id, data)


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
