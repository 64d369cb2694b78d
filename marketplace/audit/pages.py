"""The audit log's pages: the events an admin (all) or a commissioner's staff (those filed under
their organisation) may read, newest first, a page at a time, filtered by action and entity, in
words, each with whether it is sealed and unchanged; and the whole chain's verification."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.response import Template

from marketplace.audit import integrity, service, words
from marketplace.audit.sealing import verify_audit_log
from marketplace.web.security import SignedIn, role_in

PAGE_SIZE = 50
NameOf = Callable[[Iterable[UUID]], Awaitable[dict[UUID, str]]]
_names: list[NameOf] = []
STATE_WORDS = {
    integrity.INTACT: ("Sealed, unchanged", "govuk-tag--green"),
    integrity.UNSEALED: ("Not sealed yet", "govuk-tag--grey"),
    integrity.CHANGED: ("Changed after sealing", "govuk-tag--red"),
}


def name_organisations_with(name_of: NameOf) -> None:
    """How the pages learn organisations' names (accounts is above audit: handed down)."""
    _names[:] = [name_of]


async def _names_in(details: list[dict[str, Any]]) -> dict[str, str]:
    ids: set[UUID] = set()
    for one in details:
        ids |= words.ids_in(one)
    if not ids or not _names:
        return {}
    return {str(key): name for key, name in (await _names[0](ids)).items()}


class AuditPages(Controller):
    path = "/audit"
    guards = [role_in("admin", "commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        principal: SignedIn,
        action: FromQuery[str | None] = None,
        entity: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        actions, entities = await service.event_kinds(principal)
        chosen_action = action if action in actions else None
        chosen_entity = entity if entity in entities else None
        page = await service.list_events(
            principal, chosen_entity, None, PAGE_SIZE, cursor or None, chosen_action
        )
        states = await integrity.events_integrity(event.id for event in page.items)
        names = await _names_in([event.details for event in page.items])
        events = [
            {
                "event": event,
                "action": words.action_words(event.action),
                "entity": words.entity_words(event.entity),
                "details": words.detail_lines(event.details, names),
                "state": STATE_WORDS[states[event.id]],
            }
            for event in page.items
        ]
        return Template(
            "audit/log.html",
            context={
                "events": events,
                "next_cursor": page.next_cursor,
                "actions": [(a, words.action_words(a)) for a in actions],
                "entities": [(e, words.entity_words(e)) for e in entities],
                "chosen_action": chosen_action or "",
                "chosen_entity": chosen_entity or "",
                "is_admin": principal.is_admin,
            },
        )

    @get("/verification")
    async def verification(self, principal: SignedIn) -> Template:
        result = await verify_audit_log()
        return Template(
            "audit/verification.html",
            # The broken link's words name events of every organisation: admins only.
            context={"result": result, "is_admin": principal.is_admin},
        )
