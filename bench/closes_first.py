"""Closes first: a close due in one second while 5,000 emails are queued ahead of it, in the
embedded default (SQLite, the web process's in-process runner) and with the arq workers
(PostgreSQL, Redis, `marketplace worker` in a process of its own), both sending to an SMTP sink in
this process.

The set-up (in a process of its own, as the marketplace's settings are process-wide): one
enablement call-off with an opening quorum of 1, published to one provider, who bids. Then, with
the runner going and idle, the load process queues 5,000 emails due at once (one transaction),
moves the call-off's deadline and its scheduled close to one second later, and waits until both
are done. Everything is read back from the outbox: the close's delay is when its entry was done
(after the call-off was closed, opened and evaluated in one transaction) less when it was due;
the drain rate is the emails over the time from their commit to the last one sent. Target: a
close within 2 seconds of its deadline.

Without DATABASE_URL the arq half starts PostgreSQL and Redis itself (infra/services.sh, on ports
of its own) and stops them at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import in_own_process
from bench.bid_submission import (
    bench_database,
    local_services,
    server_environment,
    uvicorn_server,
    worker_process,
)

EMAILS = 5_000
CLOSE_IN_S = 1.0
TARGET_DELAY_S = 2.0
TIMEOUT_S = 600.0
APP_FACTORY = "marketplace.app:create_app"


@dataclass(frozen=True)
class CloseFigure:
    mode: str
    close_delay_s: float
    status: str  # the call-off's, after its close
    emails: int
    drain_s: float
    sent_before_close: int
    connections: int

    @property
    def per_second(self) -> float:
        return self.emails / self.drain_s

    def line(self) -> str:
        verdict = "met" if self.close_delay_s < TARGET_DELAY_S else "MISSED"
        return (
            f"{self.mode}: close {self.close_delay_s:.2f} s after its deadline "
            f"(target < {TARGET_DELAY_S:.0f} s, {verdict}; call-off then {self.status}), "
            f"{self.sent_before_close:,} of the {self.emails:,} emails sent before it; "
            f"mail drained in {self.drain_s:.1f} s = {self.per_second:,.0f} emails/s "
            f"over {self.connections} SMTP connections"
        )


# In the set-up and load processes ------------------------------------------------------------


async def _prepare() -> dict[str, Any]:
    """Migrate; a commissioner and one provider; an enablement call-off (quorum 1) published to
    the provider, who bids."""
    import httpx

    from marketplace.app import create_app
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine
    from marketplace.migrate import migrate
    from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, in_days
    from tests.factories import bearer
    from tests.integration.bids.test_bids import ENABLEMENT_BID

    bind_engine(current_engine())
    await start_engine()
    try:
        await migrate()
        market = await commissioning("Bench County Council")
        _, provider_token = await admitted_provider(market, "Bench Home Care")
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            body = enablement_body(market, title="Closes first (bench)", deadline=in_days(2))
            created = await client.post(
                "/api/v1/call-offs", json=body, headers=bearer(market.token)
            )
            call_off_id = created.json()["id"]
            for answer in (
                created,
                await client.post(
                    f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(market.token)
                ),
                await client.put(
                    f"/api/v1/call-offs/{call_off_id}/bid",
                    json=ENABLEMENT_BID,
                    headers=bearer(provider_token),
                ),
            ):
                if answer.status_code not in (200, 201):
                    raise RuntimeError(f"set-up: {answer.status_code} {answer.text}")
        return {"call_off_id": call_off_id}
    finally:
        await stop_engine()


async def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not await condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not after {TIMEOUT_S:.0f} s: {what}")
        await asyncio.sleep(0.1)


async def _load(call_off_id: str) -> dict[str, Any]:
    """Queue the emails and move the close to a second from now; wait for both; read back when
    each was done."""
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine, write_transaction
    from marketplace.notifications import outbox
    from marketplace.notifications.tables import OutboxEntry
    from marketplace.tenders.jobs import CLOSE_CALL_OFF
    from marketplace.tenders.tables import CallOff

    bind_engine(current_engine())
    await start_engine()
    pending = OutboxEntry.status == "pending"
    try:

        async def idle() -> bool:
            return not await OutboxEntry.exists().where(
                pending & (OutboxEntry.due_at <= datetime.now(UTC))
            )

        await _wait_for(idle, "the set-up's own emails sent")
        async with write_transaction():
            email_ids = [
                await outbox.add_email(
                    f"person{n}@example.org",
                    "welcome",
                    {"organisation": "Bench Home Care", "role_name": "care provider"},
                )
                for n in range(EMAILS)
            ]
        queued_at = datetime.now(UTC)
        due = queued_at + timedelta(seconds=CLOSE_IN_S)
        async with write_transaction():
            await CallOff.update({CallOff.deadline: due}).where(CallOff.id == call_off_id)
            await OutboxEntry.update({OutboxEntry.due_at: due, OutboxEntry.run_at: due}).where(
                (OutboxEntry.job == CLOSE_CALL_OFF) & pending
            )

        async def drained() -> bool:
            return not await OutboxEntry.exists().where(pending)

        await _wait_for(drained, "the close and every email done")
        close = await OutboxEntry.select().where(OutboxEntry.job == CLOSE_CALL_OFF).first()
        done = [
            row["done_at"]
            for row in await OutboxEntry.select(OutboxEntry.done_at).where(
                OutboxEntry.id.is_in(email_ids)
            )
        ]
        status = await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first()
        return {
            "close_delay_s": (close["done_at"] - close["due_at"]).total_seconds(),
            "status": status["status"],
            "emails": len(done),
            "drain_s": (max(done) - queued_at).total_seconds(),
            "sent_before_close": sum(at <= close["done_at"] for at in done),
        }
    finally:
        await stop_engine()


# In the bench's own process ------------------------------------------------------------------


def _step(env: dict[str, str], *arguments: str) -> dict[str, Any]:
    found: dict[str, Any] = in_own_process(
        "closes_first", *arguments, env=env, timeout_s=TIMEOUT_S + 120
    )
    return found


def _measure(mode: str, env: dict[str, str], runner: Any) -> CloseFigure:
    from tests.support_mail import Sink

    with contextlib.ExitStack() as stack:
        mail = Sink().start()
        stack.callback(mail.stop)
        env = {**env, "SMTP_URL": mail.url}
        prepared = _step(env, "prepare")
        stack.enter_context(runner(env))
        before = len(mail.per_connection())
        found = _step(env, "load", prepared["call_off_id"])
        return CloseFigure(mode=mode, connections=len(mail.per_connection()) - before, **found)


def run() -> list[CloseFigure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-closes.") as folder:
        work = Path(folder)
        embedded = server_environment(f"sqlite:///{work / 'marketplace.sqlite'}", {}, work)

        def web_process(env: dict[str, str]) -> Any:
            return uvicorn_server("web", APP_FACTORY, env, work)

        figures.append(
            _measure("embedded default (SQLite, in-process runner)", embedded, web_process)
        )
        with contextlib.ExitStack() as stack:
            services = stack.enter_context(local_services())
            if not services.get("REDIS_URL"):
                raise RuntimeError("the arq half of the bench needs Redis (REDIS_URL)")
            url = stack.enter_context(bench_database(services["DATABASE_URL"]))
            env = server_environment(url, {"REDIS_URL": services["REDIS_URL"]}, work / "arq")

            def workers(env: dict[str, str]) -> Any:
                return worker_process(env, work)

            figures.append(
                _measure("arq (PostgreSQL, `marketplace worker`, both lanes)", env, workers)
            )
    return figures


def _main(arguments: list[str]) -> int:
    if arguments == ["prepare"]:
        print(json.dumps(asyncio.run(_prepare())))
        return 0
    if len(arguments) == 2 and arguments[0] == "load":
        print(json.dumps(asyncio.run(_load(arguments[1]))))
        return 0
    print("usage: python -m bench.closes_first prepare | load CALL_OFF_ID (run by the bench)")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
