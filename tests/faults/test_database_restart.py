"""PostgreSQL restarted in the middle of a bid rush (PostgreSQL only: it is what is restarted).
While it is down every request fails cleanly, 503 with a sentence, never 500; no bid is left
half-written (each version has its audit event and its receipt email, and each receipt the
bidder was given is the bid's); /healthz names the database as down; and the same process,
with its connection pool, serves again once PostgreSQL is back, without a restart."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest

from marketplace.audit.tables import AuditEvent
from marketplace.bids.tables import Bid
from marketplace.binding import bind_engine
from marketplace.config import reset_settings
from marketplace.db import engine_from_url, start_engine, stop_engine
from marketplace.notifications.tables import OutboxEntry
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.conftest import run_in_own_loop
from tests.factories import bearer
from tests.faults.conftest import app_client, health, problem_of
from tests.faults.services import ThrowawayPostgres

PROVIDERS = 6
PAUSE_SECONDS = 0.02  # between one provider's attempts


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL of this module's own, migrated."""
    from marketplace.migrate import migrate

    server = ThrowawayPostgres().start()
    engine = engine_from_url(server.url)
    bind_engine(engine)
    run_in_own_loop(migrate())
    yield server
    server.destroy()


@pytest.fixture
def restartable_db(postgres: ThrowawayPostgres, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", postgres.url)
    reset_settings()
    bind_engine(engine_from_url(postgres.url))
    return postgres.url


def bid(rate: int) -> dict[str, Any]:
    return {"hourly_rate_pence": rate, "accepts_enablement_budget": True}


async def test_postgres_restarted_mid_rush_fails_cleanly_and_the_app_recovers(
    restartable_db: str, postgres: ThrowawayPostgres
) -> None:
    c = await commissioning()
    bidders = [await admitted_provider(c, f"Rush Care {n}") for n in range(PROVIDERS)]
    await start_engine()  # the pool a web process keeps, through the restart
    try:
        async with app_client() as client:
            created = await client.post(
                "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
            )
            call_off_id = created.json()["id"]
            published = await client.post(
                f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
            )
            assert published.status_code == 200, published.text

            back = asyncio.Event()
            under_way = asyncio.Event()  # every provider has a bid in
            refused = asyncio.Event()  # a bid was refused in the outage
            answers: list[httpx.Response] = []
            receipts: dict[str, list[dict[str, Any]]] = {}

            async def rush(provider_id: str, token: str) -> None:
                """Bid again and again until a bid is taken after PostgreSQL is back."""
                receipts[provider_id] = []
                rate = 1800
                while True:
                    rate += 1
                    answer = await client.put(
                        f"/api/v1/call-offs/{call_off_id}/bid",
                        json=bid(rate),
                        headers=bearer(token),
                    )
                    answers.append(answer)
                    if answer.status_code == 503:
                        refused.set()
                    if answer.status_code == 201:
                        receipts[provider_id].append(answer.json())
                        if all(receipts.get(str(p.id)) for p, _ in bidders):
                            under_way.set()
                        if back.is_set():
                            return
                    await asyncio.sleep(PAUSE_SECONDS)

            bidding = [
                asyncio.create_task(rush(str(provider.id), token)) for provider, token in bidders
            ]
            await asyncio.wait_for(under_way.wait(), timeout=60)
            await asyncio.to_thread(postgres.stop, "fast")
            status, states = await health(client)
            assert status == 503 and states["database"] == "down", states
            page = await client.get("/sign-in")  # people get a page saying the same
            assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
            assert "The database is not answering just now" in page.text
            await asyncio.wait_for(refused.wait(), timeout=60)
            await asyncio.to_thread(postgres.start)
            back.set()
            await asyncio.wait_for(asyncio.gather(*bidding), timeout=60)
            assert (await health(client))[0] == 200
    finally:
        await stop_engine()

    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) == {201, 503}, statuses
    for refused in (answer for answer in answers if answer.status_code == 503):
        problem = problem_of(refused)
        assert problem["type"] == "/problems/unavailable"
        assert problem["detail"].startswith("The database is not answering just now")

    for provider, _ in bidders:
        [row] = await Bid.select().where(Bid.provider == provider.id)
        given = receipts[str(provider.id)]
        assert (row["version"], row["digest"]) == (given[-1]["version"], given[-1]["digest"])
        events = await AuditEvent.select(AuditEvent.details).where(
            (AuditEvent.entity_id == str(row["id"]))
            & AuditEvent.action.is_in(["submit_bid", "replace_bid"])
        )
        audited = {
            (d["version"], d["digest"]) for d in (msgspec.json.decode(e["details"]) for e in events)
        }
        assert {v for v, _ in audited} == set(range(1, row["version"] + 1)), "each version whole"
        assert {(r["version"], r["digest"]) for r in given} <= audited, "each receipt is true"
        emails = await OutboxEntry.select(OutboxEntry.payload).where(
            OutboxEntry.payload.like(f'%"bid_id":"{row["id"]}"%')
        )
        versions = sorted(msgspec.json.decode(e["payload"])["context"]["version"] for e in emails)
        assert versions == list(range(1, row["version"] + 1)), "a receipt email per version"
