"""The provider's opportunity feed at any size: keyset pages that visit every call-off once, ties
on the deadline included, and the same SQL statements for a page of one as for a page of fifty (a
count of statements, not a time)."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.bids import opportunity_pages
from marketplace.db import current_engine
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, pilot_body
from tests.factories import bearer, make_user
from tests.integration.bids.test_bids import published
from tests.statements import statements_run
from tests.support import sign_in

DEADLINE = "2031-05-01T12:00:00+00:00"


async def three_opportunities(client: Any) -> tuple[Any, str, list[str]]:
    """A provider invited to three call-offs sharing one deadline (two enablements, a pilot)."""
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care", ("ASHFORD", "CANTERBURY"))
    bodies = [
        enablement_body(c, deadline=DEADLINE),
        enablement_body(c, deadline=DEADLINE, package_ids=[str(c.packages["4"])]),
        pilot_body(c, deadline=DEADLINE),
    ]
    ids = [await published(client, c, body) for body in bodies]
    return provider, token, ids


async def test_the_feed_pages_through_tied_deadlines_with_the_same_statements_at_any_size(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider, token, ids = await three_opportunities(client)
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/call-offs", params=params, headers=bearer(token))).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids)  # each once: soonest deadline first, ties by id

    counts = {}
    for limit in (1, 50):
        with statements_run(current_engine()) as statements:
            page = await client.get(
                "/api/v1/call-offs", params={"limit": limit}, headers=bearer(token)
            )
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) == min(limit, 3)
        counts[limit] = len(statements)
    assert counts[1] == counts[50] == 2  # the sign-in, then the page with all its facts

    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    for size in (1, 50):
        monkeypatch.setattr(opportunity_pages, "PAGE_SIZE", size)
        with statements_run(current_engine()) as statements:
            page = await client.get("/opportunities")
        assert page.status_code == 200, page.text
        assert page.text.count('href="/opportunities/') == min(size, 3)
        counts[size] = len(statements)
        # The names of only the codes it shows, read with the page: never every area's.
        assert not any('FROM "area"' in sql and "WHERE" not in sql for sql, _ in statements)
    assert counts[1] == counts[50] == 2
