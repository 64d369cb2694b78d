"""The notification centre ("Messages"): every email the marketplace sent the signed-in user,
newest first, each readable in the app. Another user's message is not found (404)."""

from __future__ import annotations

import re
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from marketplace.config import get_settings
from marketplace.notifications import messages
from marketplace.web.security import SignedIn

PAGE_SIZE = 25
_URL = re.compile(r"https?://\S+")


def linked(text: str) -> list[tuple[str, str | None]]:
    """The text in pieces, each with the path it links to: a link of the marketplace's own (its
    base URL) becomes a link to that path in the app; any other text, links included, stays
    text."""
    base = get_settings().base_url.rstrip("/")
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for found in _URL.finditer(text):
        url = found.group().rstrip(".,;:)")
        path = url.removeprefix(base)
        if path == url or not path.startswith("/") or path.startswith("//"):
            continue
        pieces.append((text[at : found.start()], None))
        pieces.append((url, path))
        at = found.start() + len(url)
    pieces.append((text[at:], None))
    return pieces


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
        pieces = linked(message.text) if message.text is not None else []
        return Template("messages/message.html", context={"m": message, "pieces": pieces})
