"""The public notices page: published and awarded call-offs with their notices, no sign-in."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from marketplace.transparency import service

NOTICE_WORDS = {
    "published": "Call-off published",
    "extended": "Deadline extended",
    "documents": "Document added",
    "cancelled": "Call-off cancelled",
    "awarded": "Award notice",
    "concluded": "Contract concluded",
}


class NoticesPages(Controller):
    path = "/notices"
    opt = {"public": True}
    include_in_schema = False

    @get("/")
    async def index(self) -> Template:
        call_offs = await service.notices()
        for entry in call_offs:
            for notice in entry["notices"]:
                notice["words"] = NOTICE_WORDS[notice["notice"]]
        return Template("notices.html", context={"call_offs": call_offs})
