"""JSON API of accounts: tokens, organisations and their users."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from marketplace.accounts import authentication, schemas, service
from marketplace.web.security import actor, role_in


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
        self, request: Request[Any, Any, Any], data: JSONBody[schemas.OrganisationCreate]
    ) -> schemas.Organisation:
        return await service.create_organisation(actor(request), data)

    @get("/{organisation_id:uuid}", summary="An organisation")
    async def show(
        self, request: Request[Any, Any, Any], organisation_id: FromPath[UUID]
    ) -> schemas.Organisation:
        return await service.get_organisation(actor(request), organisation_id)

    @patch(
        "/{organisation_id:uuid}",
        guards=[role_in("admin", "commissioner", "opener")],
        summary="Update an organisation (commissioners: a provider's CQC rating and enforcement flag)",
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        organisation_id: FromPath[UUID],
        data: JSONBody[schemas.OrganisationUpdate],
    ) -> schemas.Organisation:
        return await service.update_organisation(actor(request), organisation_id, data)

    @post("/{organisation_id:uuid}/users", status_code=201, summary="Add a user to an organisation")
    async def add_user(
        self,
        request: Request[Any, Any, Any],
        organisation_id: FromPath[UUID],
        data: JSONBody[schemas.UserCreate],
    ) -> schemas.User:
        return await service.create_user(actor(request), organisation_id, data)
