"""Publication fan-out: a pilot call-off published to 2,000 eligible providers (one active user
each), then its 2,000 invitation emails delivered by the worker.

(a) Publishing, `POST /api/v1/call-offs/{id}/publish` through the app (in process), on PostgreSQL
and on the embedded default (SQLite): the invitations, their outbox entries, the audit event and
the rest in one transaction. Baseline: the bare inserts of as many invitation and outbox rows in
one transaction, the fewest statements the engine allows (marketplace.db.insert_rows). The two
alternate (AB BA AB ...), SQLite's log folded before each. Target: publish < 1 s.

(b) Delivery, on PostgreSQL with Redis: the real `marketplace worker` (arq, both lanes) running
and idle, the publication committed, then the time until the SMTP sink (in this process) has
received the last of the invitations. Baseline: a bare send loop (aiosmtplib, one connection)
sending 2,000 pre-rendered messages to the same sink, in a process of its own. Target: < 10 s.
Also said: when the first invitation arrived, and the worker's CPU time for each run.

(c) The worker's peak resident memory (VmHWM) during (b). Target: < 150 MB.

The set-up (in processes of their own, as the marketplace's settings are process-wide) writes
the providers, their users and admissions in bulk. Without DATABASE_URL the PostgreSQL half
starts the services itself (infra/services.sh, on ports of its own) and stops them at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import in_own_process
from bench.bid_submission import (
    _process_cpu_s,
    bench_database,
    local_services,
    say,
    server_environment,
    worker_process,
)

PROVIDERS = 2_000
PUBLISH_RUNS = 5
DELIVERY_RUNS = 3
TARGET_PUBLISH_S = 1.0
TARGET_DELIVERY_S = 10.0
TARGET_WORKER_MB = 150.0
TIMEOUT_S = 300.0


@dataclass(frozen=True)
class FanoutFigure:
    name: str
    median_s: float
    runs: int
    baseline: str
    baseline_s: float
    target: str
    met: bool

    def line(self) -> str:
        return (
            f"{self.name}: median {self.median_s:.3f} s over {self.runs} runs ({self.target}, "
            f"{'met' if self.met else 'MISSED'}); baseline {self.baseline}: median "
            f"{self.baseline_s:.3f} s; {self.median_s / self.baseline_s:.1f}x the baseline's time"
        )


@dataclass(frozen=True)
class MemoryFigure:
    peak_mb: float

    def line(self) -> str:
        verdict = "met" if self.peak_mb < TARGET_WORKER_MB else "MISSED"
        return (
            f"worker peak RSS (VmHWM) while delivering: {self.peak_mb:.1f} MB "
            f"(target < {TARGET_WORKER_MB:.0f} MB, {verdict})"
        )


# In the set-up and publishing processes ------------------------------------------------------


async def _with_engine(work: Any) -> Any:
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine

    bind_engine(current_engine())
    await start_engine()
    try:
        return await work()
    finally:
        await stop_engine()


async def _prepare() -> dict[str, Any]:
    """Migrate; a commissioner (areas ASHFORD and CANTERBURY); PROVIDERS providers admitted to
    the lot in one of them, each with one active user, written in bulk."""
    from marketplace.migrate import migrate
    from tests.call_off_fixtures import commissioning, many_admitted_providers, suffix_of

    await migrate()
    market = await commissioning("Fan-out County Council")
    await many_admitted_providers(market, PROVIDERS, "Fan-out Care")
    await _settle_outbox()
    return {"token": market.token, "suffix": suffix_of(market)}


async def _settle_outbox() -> None:
    """Mark every pending email sent: the set-up's and the timed publications' emails are not
    for the worker (the delivery run publishes its own)."""
    from marketplace.db import write_transaction
    from marketplace.notifications.tables import OutboxEntry

    async with write_transaction():
        await OutboxEntry.update({OutboxEntry.status: "done"}).where(
            (OutboxEntry.status == "pending") & (OutboxEntry.job == "send_email")
        )


class _Publisher:
    """Drafts and publishes pilot call-offs in both areas through the app (in this process)."""

    def __init__(self, prepared: dict[str, Any]) -> None:
        import httpx

        from marketplace.app import create_app

        self.headers = {"Authorization": f"Bearer {prepared['token']}"}
        self.suffix = prepared["suffix"]
        transport = httpx.ASGITransport(app=create_app())
        self.client = httpx.AsyncClient(transport=transport, base_url="http://bench.local")

    async def draft(self, title: str) -> str:
        from tests.call_off_fixtures import in_days

        s = self.suffix
        body = {
            "kind": "pilot",
            "title": title,
            "lot_code": "CSH",
            "deadline": in_days(3),
            "pilot": {
                "areas": [
                    {"area_code": f"ASHFORD-{s}", "weekly_hours": "200.00"},
                    {"area_code": f"CANTERBURY-{s}", "weekly_hours": "150.00"},
                ],
                "questions": [{"id": "q1", "text": "How will you recruit?", "weight": 100}],
                "quality_weight": 60,
                "price_weight": 40,
                "min_quality_percent": 50,
            },
        }
        created = await self.client.post("/api/v1/call-offs", json=body, headers=self.headers)
        if created.status_code != 201:
            raise RuntimeError(f"drafting: {created.status_code} {created.text}")
        return str(created.json()["id"])

    async def publish(self, call_off_id: str) -> float:
        """Publish; the seconds it took (from the request to the answer)."""
        started = time.perf_counter()
        published = await self.client.post(
            f"/api/v1/call-offs/{call_off_id}/publish", headers=self.headers
        )
        took = time.perf_counter() - started
        if published.status_code != 200:
            raise RuntimeError(f"publishing: {published.status_code} {published.text}")
        return took


async def _check_publication(call_off_id: str) -> None:
    from marketplace.notifications.tables import OutboxEntry
    from marketplace.tenders.tables import Invitation

    invited = await Invitation.count().where(Invitation.call_off == call_off_id)
    emails = await OutboxEntry.count().where(
        OutboxEntry.payload.like(f'%"call_off_id":"{call_off_id}"%')
        & OutboxEntry.payload.like('%"template":"call_off_invitation"%')
    )
    if invited != PROVIDERS or emails != PROVIDERS:
        raise RuntimeError(f"{invited} invitations and {emails} emails, not {PROVIDERS} each")


async def _bare_inserts(call_off_id: str, providers: list[Any]) -> float:
    """The baseline: as many invitation and outbox rows, inserted in one transaction by
    multi-row statements, the fewest the engine's limit on parameters allows (then deleted,
    untimed)."""
    from datetime import UTC, datetime

    from marketplace.db import insert_rows, write_transaction
    from marketplace.notifications.tables import OutboxEntry
    from marketplace.tenders.tables import Invitation

    started = time.perf_counter()
    at = datetime.now(UTC)
    async with write_transaction():
        await insert_rows(
            Invitation,
            ("id", "call_off", "provider", "area_codes", "invited_at"),
            [(uuid.uuid4(), call_off_id, p, '["X"]', at) for p in providers],
        )
        await insert_rows(
            OutboxEntry,
            ("id", "job", "payload", "run_at", "due_at", "status", "attempts", "created_at"),
            [
                (uuid.uuid4(), "bench_bare_insert", json.dumps({"n": n}), at, at, "done", 0, at)
                for n in range(len(providers))
            ],
        )
    took = time.perf_counter() - started
    async with write_transaction():
        await Invitation.delete().where(Invitation.call_off == call_off_id)
        await OutboxEntry.delete().where(OutboxEntry.job == "bench_bare_insert")
    return took


async def _quiesce() -> None:
    """Before each timed step: SQLite's write-ahead log folded into the database, so that no
    step pays for the checkpoint the one before it made due."""
    from marketplace.db import current_engine, is_postgres

    if not is_postgres():
        await current_engine()._run_in_new_connection("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]


async def _publish_runs(prepared: dict[str, Any], runs: int) -> dict[str, Any]:
    """Baseline and publication `runs` times each, in the order AB BA AB ...; every publication
    checked."""
    from marketplace.accounts.tables import Organisation

    publisher = _Publisher(prepared)
    providers = [
        row["id"]
        for row in await Organisation.select(Organisation.id).where(
            Organisation.name.like("Fan-out Care %")
        )
    ]
    scratch = await publisher.draft("Fan-out baseline (bench)")
    publish_s: list[float] = []
    baseline_s: list[float] = []

    async def publish() -> None:
        call_off_id = await publisher.draft(f"Fan-out {len(publish_s)} (bench)")
        await _quiesce()
        publish_s.append(await publisher.publish(call_off_id))
        await _check_publication(call_off_id)
        await _settle_outbox()

    async def baseline() -> None:
        await _quiesce()
        baseline_s.append(await _bare_inserts(scratch, providers))

    for run in range(runs):
        for step in (baseline, publish) if run % 2 == 0 else (publish, baseline):
            await step()
    return {"publish_s": publish_s, "baseline_s": baseline_s}


async def _publish_one(prepared: dict[str, Any]) -> dict[str, Any]:
    """One publication for the worker to deliver: its id and the wall-clock time of its
    commit (the answer's arrival, a little after it)."""
    publisher = _Publisher(prepared)
    call_off_id = await publisher.draft("Fan-out delivery (bench)")
    await publisher.publish(call_off_id)
    return {"call_off_id": call_off_id, "committed_at": time.time()}


async def _warm_up() -> dict[str, Any]:
    """One email, for the worker to show it is going."""
    from marketplace.db import write_transaction
    from marketplace.notifications.outbox import add_email

    async with write_transaction():
        await add_email(
            "warm-up@example.org",
            "welcome",
            {"organisation": "Bench", "role_name": "care provider"},
        )
    return {}


async def _send_loop(url: str, count: int) -> dict[str, Any]:
    """The baseline of (b): `count` pre-rendered invitations sent one after another over one
    SMTP connection (aiosmtplib)."""
    import aiosmtplib

    from marketplace.notifications.email import render_email

    context = {"title": "Fan-out", "kind": "pilot", "call_off_id": str(uuid.uuid4())}
    context["deadline"] = "2030-01-01T12:00:00+00:00"
    messages = [
        render_email(uuid.uuid4(), f"loop{n}@example.org", "call_off_invitation", context)
        for n in range(count)
    ]
    data = [(str(m["From"]), [str(m["To"])], m.as_bytes()) for m in messages]
    host, port = url.removeprefix("smtp://").split(":")
    started = time.perf_counter()
    smtp = aiosmtplib.SMTP(hostname=host, port=int(port))
    await smtp.connect()
    for sender, recipients, body in data:
        await smtp.sendmail(sender, recipients, body)
    await smtp.quit()
    return {"seconds": time.perf_counter() - started}


# In the bench's own process ------------------------------------------------------------------


class _CountingSink:
    """An SMTP sink (aiosmtpd) that keeps only each message's Message-ID and when it came."""

    MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from tests.support_mail import free_port

        self.port = free_port()
        self.received: list[tuple[bytes, float]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = self.MESSAGE_ID.search(envelope.content)
        with self._lock:
            self.received.append((found.group(1) if found else b"", time.time()))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def wait_for(self, count: int) -> float:
        """When the count-th message came."""
        deadline = time.monotonic() + TIMEOUT_S
        while self.count() < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.count()} emails received, not {count}")
            time.sleep(0.02)
        with self._lock:
            return self.received[count - 1][1]

    def __enter__(self) -> _CountingSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def _step(env: dict[str, str], *arguments: str) -> dict[str, Any]:
    found: dict[str, Any] = in_own_process("fanout", *arguments, env=env, timeout_s=TIMEOUT_S + 300)
    return found


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def _publication(engine: str, env: dict[str, str], prepared: Path) -> FanoutFigure:
    found = _step(env, "publish", str(PUBLISH_RUNS), str(prepared))
    publish_s = statistics.median(found["publish_s"])
    return FanoutFigure(
        name=f"publish to {PROVIDERS:,} providers ({engine})",
        median_s=publish_s,
        runs=PUBLISH_RUNS,
        baseline=f"bare inserts of {PROVIDERS:,} invitations and {PROVIDERS:,} outbox rows",
        baseline_s=statistics.median(found["baseline_s"]),
        target=f"target < {TARGET_PUBLISH_S:.0f} s",
        met=publish_s < TARGET_PUBLISH_S,
    )


def _delivery(env: dict[str, str], prepared: Path, work: Path) -> list[Any]:
    """(b) and (c): the worker delivering each run's invitations; the send loop's baseline in
    between."""
    delivery_s, first_s, loop_s, cpu_s, peak = [], [], [], [], 0.0
    with _CountingSink() as sink:
        env = {**env, "SMTP_URL": sink.url}
        with worker_process(env, work) as worker:
            _step(env, "warm-up")
            sink.wait_for(1)
            for _ in range(DELIVERY_RUNS):
                loop_s.append(_step(env, "send-loop", sink.url, str(PROVIDERS))["seconds"])
                before = sink.count()
                cpu_before = _process_cpu_s(worker.pid)
                published = _step(env, "publish-one", str(prepared))
                last = sink.wait_for(before + PROVIDERS)
                cpu_s.append(_process_cpu_s(worker.pid) - cpu_before)
                delivery_s.append(last - published["committed_at"])
                first_s.append(sink.received[before][1] - published["committed_at"])
                peak = max(peak, _peak_rss_mb(worker.pid))
                time.sleep(1.5)  # anything sent twice would come now
                if sink.count() != before + PROVIDERS:
                    raise RuntimeError(f"{sink.count() - before} emails for {PROVIDERS}")
        ids = [message_id for message_id, _ in sink.received]
        if len(set(ids)) != len(ids):
            raise RuntimeError("an email was received twice")
    median = statistics.median(delivery_s)
    say(
        "delivery runs (the first email after, the last after): "
        + ", ".join(f"{a:.2f} s, {b:.2f} s" for a, b in zip(first_s, delivery_s, strict=True))
        + f"; the worker's CPU time: {', '.join(f'{s:.2f} s' for s in cpu_s)}"
        + f"; load average {os.getloadavg()[0]:.1f}"
    )
    return [
        FanoutFigure(
            name=f"worker delivers {PROVIDERS:,} invitations (commit to the last received)",
            median_s=median,
            runs=DELIVERY_RUNS,
            baseline=f"bare SMTP send loop of {PROVIDERS:,} pre-rendered messages",
            baseline_s=statistics.median(loop_s),
            target=f"target < {TARGET_DELIVERY_S:.0f} s",
            met=median < TARGET_DELIVERY_S,
        ),
        MemoryFigure(peak),
    ]


def run() -> list[Any]:
    figures: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="bench-fanout.") as folder:
        work = Path(folder)
        embedded = server_environment(f"sqlite:///{work / 'marketplace.sqlite'}", {}, work)
        prepared = work / "embedded.json"
        prepared.write_text(json.dumps(_step(embedded, "prepare")))
        figures.append(_publication("embedded default, SQLite", embedded, prepared))
        with contextlib.ExitStack() as stack:
            services = stack.enter_context(local_services())
            if not services.get("REDIS_URL"):
                raise RuntimeError("the delivery half of the bench needs Redis (REDIS_URL)")
            url = stack.enter_context(bench_database(services["DATABASE_URL"]))
            (work / "arq").mkdir()
            env = server_environment(url, {"REDIS_URL": services["REDIS_URL"]}, work / "arq")
            prepared = work / "postgres.json"
            prepared.write_text(json.dumps(_step(env, "prepare")))
            figures.append(_publication("PostgreSQL", env, prepared))
            figures += _delivery(env, prepared, work)
    return figures


def _main(arguments: list[str]) -> int:
    def prepared() -> dict[str, Any]:
        found: dict[str, Any] = json.loads(Path(arguments[-1]).read_text())
        return found

    steps: dict[str, Any] = {
        "prepare": lambda: _with_engine(_prepare),
        "publish": lambda: _with_engine(lambda: _publish_runs(prepared(), int(arguments[1]))),
        "publish-one": lambda: _with_engine(lambda: _publish_one(prepared())),
        "warm-up": lambda: _with_engine(_warm_up),
        "send-loop": lambda: _send_loop(arguments[1], int(arguments[2])),
    }
    if not arguments or arguments[0] not in steps:
        print(f"usage: python -m bench.fanout {' | '.join(steps)} ... (run by the bench)")
        return 2
    print(json.dumps(asyncio.run(steps[arguments[0]]())))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
