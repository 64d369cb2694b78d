"""The notification centre ("Messages"): every email the marketplace sent the signed-in user,
newest first, each readable in the app. Another user's message is not found (404)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from marketplace.notifications import messages
from marketplace.web.security import SignedIn

PAGE_SIZE = 25


class MessagePages(Controller):
    path = "/messages"
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn, cursor: FromQuery[str | None] = None) -> Template:
        found, next_cursor = await messages.messages_to(principal.email, PAGE_SIZE, cursor or None)
        return Template(
            "messages/messages.html",
            context={"messages": found, "next_cursor": next_cursor, "first_page": not cursor},
        )

    @get("/{entry_id:uuid}")
    async def show(self, principal: SignedIn, entry_id: FromPath[UUID]) -> Template:
        message = await messages.message_to(principal.email, entry_id)
        return Template("messages/message.html", context={"m": message})
