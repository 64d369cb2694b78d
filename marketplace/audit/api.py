"""JSON API of the audit log: who did what, for admins and for commissioners (their own)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from marketplace.audit import schemas, service
from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.web.security import SignedIn, role_in

Entity = Annotated[str | None, QueryParameter(description="e.g. organisation, user, pricing")]
Action = Annotated[str | None, QueryParameter(description="e.g. decide_admission, sign_in")]
EntityId = Annotated[str | None, QueryParameter(description="the entity's id")]


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [role_in("admin", "commissioner", "opener")]

    @get("/", summary="Audit events, newest first (commissioners: their organisation's)")
    async def index(
        self,
        principal: SignedIn,
        entity: Entity = None,
        entity_id: EntityId = None,
        action: Action = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.AuditEventPage:
        return await service.list_events(principal, entity, entity_id, limit, cursor, action)
