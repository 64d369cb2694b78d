"""The contingency queue in the browser: a GOV.UK table of the packages whose clock runs, with
a countdown that htmx refreshes every minute (plain server-rendered text without JavaScript)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template

from marketplace.tenders.waiting_list import contingency
from marketplace.web.labels import PAGE_WORDS, URGENCY_REASONS
from marketplace.web.security import SignedIn, role_in

REASONS = {
    "no_award": "No award",
    "cancelled": "Call-off cancelled",
    "handed_back": "Handed back",
    "waiting": "Waiting for an outcome",
}


async def _context(principal: Any) -> dict[str, Any]:
    return {
        "queue": await contingency.contingency_queue(principal),
        "reasons": REASONS,
        "urgency_reasons": URGENCY_REASONS,
        **PAGE_WORDS,
    }


class ContingencyPages(Controller):
    path = "/contingency"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn) -> Template:
        return Template("commissioner/contingency.html", context=await _context(principal))

    @get("/countdown")
    async def countdown(self, principal: SignedIn) -> Template:
        """The queue's table alone, for htmx to swap in every minute."""
        return Template("commissioner/_contingency_queue.html", context=await _context(principal))
