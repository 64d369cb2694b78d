"""Admin pages: the outbox's failed deliveries (with a retry), and, in development only, the
local maildir that stands in for an SMTP server."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.errors import NotFound
from marketplace.notifications import outbox
from marketplace.notifications.email import kept_messages
from marketplace.web.banners import done
from marketplace.web.security import role_in
from marketplace.web.templating import local_mailbox_enabled


class OutboxPages(Controller):
    path = "/admin/outbox"
    guards = [role_in("admin")]

    @get("/", include_in_schema=False)
    async def index(self) -> Template:
        return Template(
            "admin/outbox.html",
            context={
                "failed": await outbox.entries_with_status("failed"),
                "counts": await outbox.status_counts(),
            },
        )

    @post("/{entry_id:uuid}/retry", include_in_schema=False)
    async def retry(self, entry_id: FromPath[UUID]) -> Redirect:
        if not await outbox.retry_failed(entry_id):
            raise NotFound("No failed delivery with that id")
        return Redirect(path=done("/admin/outbox", "retry-queued"), status_code=303)


class DevelopmentMailPages(Controller):
    path = "/dev/mail"
    guards = [role_in("admin")]

    @staticmethod
    def _development_only() -> None:
        if not local_mailbox_enabled():
            raise NotFound("The local mailbox exists only in development without SMTP_URL")

    @get("/", include_in_schema=False)
    async def index(self) -> Template:
        self._development_only()
        messages = [(key, message) for key, message in kept_messages()]
        return Template("admin/mail.html", context={"messages": messages})

    @get("/{key:str}", include_in_schema=False)
    async def show(self, key: FromPath[str]) -> Template:
        self._development_only()
        for found, message in kept_messages():
            if found == key:
                body: Any = message.get_body(preferencelist=("plain",))
                text = body.get_content() if body is not None else ""
                return Template(
                    "admin/mail_message.html", context={"message": message, "text": text}
                )
        raise NotFound("No such message")
