"""Bid submission through the whole app on PostgreSQL, under load: `PUT /api/v1/call-offs/{id}/bid`
(bearer-token authentication, validation, sealing, the bid, audit and outbox rows, the receipt)
served by uvicorn, with 32 and 128 concurrent clients, each sending its next request as soon as
the last is answered. The baseline, served the same way and loaded in the same run, is a minimal
Litestar + Piccolo endpoint inserting as many plain rows (3) in one transaction, without
authentication (bench/_baseline_app.py).

Targets (the issue's), at 32 clients: at least 0.6 of the baseline's throughput, p99 under
100 ms, no errors. (At 128 closed-loop clients the p50 is about 128 / throughput, so a 100 ms p99
would need well over 1,280 req/s: none is set there.)

The set-up: one published enablement call-off (deadline two days ahead) with PROVIDERS providers
admitted and invited; client i submits, then keeps replacing, provider i's bid (each accepted
version is a new submission with its own receipt). Without DATABASE_URL the bench starts the
local services itself (infra/services.sh, in a folder and on ports of its own) and stops them at
the end; either way it works in a database of its own, dropped at the end. The app runs as it is
deployed: the web process with REDIS_URL set, so that it writes the receipt into the outbox and
leaves its delivery to the worker (`marketplace worker`, a process of its own). The worker runs
between the measured phases and delivers every receipt (to the SMTP sink) before the next phase,
so that on this 2-core machine it takes no CPU from the web process while it is timed, and no
receipt is left unsent. (Without Redis the bench falls back to the embedded mode, where the web
process delivers the receipts itself while it takes bids.)

Each phase is a warm-up (discarded) and a measured window; at each number of clients the phases
run baseline, app, app, baseline, so that a drift in the (shared) machine's other load falls on
both alike. Everything that was accepted is checked against the rows written. Set
MARKETPLACE_BENCH_WORKERS to serve both with more than one uvicorn worker process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib.util
import json
import math
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "infra" / "services.sh"

CLIENTS = (32, 128)
PROVIDERS = max(CLIENTS)  # one provider (its own bid, its own token) per client
WARMUP_S = 3.0  # each phase: a warm-up, discarded
MEASURE_S = 5.0  # then the measured window
# The phases at each number of clients (ABBA): 2 x 5 s measured for each of the two.
ORDERS = (("baseline", "app"), ("app", "baseline"))
TARGET_CLIENTS = 32
TARGET_RATIO = 0.6
TARGET_P99_MS = 100.0
DRAIN_TIMEOUT_S = 120.0
# uvicorn worker processes, the same for the app and the baseline.
SERVER_WORKERS = int(os.environ.get("MARKETPLACE_BENCH_WORKERS", "1"))
REQUEST_TIMEOUT_S = 30.0
BID = {"hourly_rate_pence": 1900, "accepts_enablement_budget": True}
APP_FACTORY = "marketplace.app:create_app"
BASELINE_FACTORY = "bench._baseline_app:create_app"
# The services' variables the app must not inherit from whoever runs the bench.
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "S3_ENDPOINT_URL",
    "S3_BUCKET",
    "SMTP_URL",
    "MARKETPLACE_ENV",
    "MARKETPLACE_SMTP_SINK_DIR",
)
SERVICE_PORTS = (
    "MARKETPLACE_PG_PORT",
    "MARKETPLACE_REDIS_PORT",
    "MARKETPLACE_S3_PORT",
    "MARKETPLACE_SMTP_PORT",
)


def say(text: str) -> None:
    print(f"  {text}", flush=True)


# Results -------------------------------------------------------------------------------------


@dataclass
class Load:
    """What `clients` clients got from one server over one or more phases (each a warm-up and
    a measured window)."""

    clients: int
    seconds: float = 0.0  # measured windows, in all
    latencies_ms: list[float] = field(default_factory=list)  # accepted, completed in a window
    errors: int = 0  # non-2xx answers and failed requests, warm-ups included
    accepted: int = 0  # 2xx answers, warm-ups included
    error_examples: list[str] = field(default_factory=list)
    # CPU seconds spent over the windows by the server, the load generator, the whole machine.
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0

    def add(self, other: Load) -> None:
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.accepted += other.accepted
        self.error_examples += other.error_examples[: max(0, 3 - len(self.error_examples))]
        self.server_cpu_s += other.server_cpu_s
        self.client_cpu_s += other.client_cpu_s
        self.machine_cpu_s += other.machine_cpu_s

    def cores(self) -> str:
        return (
            f"CPU cores used: server {self.server_cpu_s / self.seconds:.2f}, load generator "
            f"{self.client_cpu_s / self.seconds:.2f}, whole machine "
            f"{self.machine_cpu_s / self.seconds:.2f}"
        )

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the window's latencies."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return math.nan
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]

    def describe(self) -> str:
        return (
            f"{self.per_second:,.0f} req/s, p50 {self.percentile_ms(50):.1f} ms, "
            f"p99 {self.percentile_ms(99):.1f} ms, {self.errors} errors"
        )


@dataclass(frozen=True)
class SubmissionFigure:
    clients: int
    app: Load
    baseline: Load

    @property
    def ratio(self) -> float:
        """The app's throughput as a share of the baseline's (1 would be as fast)."""
        return self.app.per_second / self.baseline.per_second

    def verdicts(self) -> list[str]:
        if self.clients != TARGET_CLIENTS:
            return []
        ratio_ok = self.ratio >= TARGET_RATIO
        p99_ok = self.app.percentile_ms(99) < TARGET_P99_MS
        return [
            f"throughput {'met' if ratio_ok else 'MISSED'} (target >= {TARGET_RATIO})",
            f"p99 {'met' if p99_ok else 'MISSED'} (target < {TARGET_P99_MS:.0f} ms)",
            f"errors {'met' if self.app.errors == 0 else 'MISSED'} (target 0)",
        ]

    def line(self) -> str:
        text = (
            f"bid submission, {self.clients} clients: app {self.app.describe()}; "
            f"baseline (Litestar + Piccolo, 3 plain rows in one transaction) "
            f"{self.baseline.describe()}; app/baseline throughput {self.ratio:.2f}"
        )
        verdicts = self.verdicts()
        return text + (f" — {', '.join(verdicts)}" if verdicts else "")

    def markdown_row(self) -> str:
        return (
            f"| {self.clients} | {self.app.per_second:,.0f} | {self.app.percentile_ms(50):.1f} / "
            f"{self.app.percentile_ms(99):.1f} | {self.baseline.per_second:,.0f} | "
            f"{self.baseline.percentile_ms(50):.1f} / {self.baseline.percentile_ms(99):.1f} | "
            f"{self.ratio:.2f} | {self.app.errors} / {self.baseline.errors} |"
        )


MARKDOWN_HEADER = (
    "| clients | app req/s | app p50 / p99 ms | baseline req/s | baseline p50 / p99 ms "
    "| app/baseline | errors app / baseline |\n|---|---|---|---|---|---|---|"
)


# Services, database, servers -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def local_services() -> Iterator[dict[str, str]]:
    """The services' environment: the caller's when DATABASE_URL is set; otherwise PostgreSQL
    and the rest started by infra/services.sh in a folder and on ports of this bench's own (so
    that nobody else's services are reused or stopped), stopped again at the end."""
    if os.environ.get("DATABASE_URL"):
        yield {
            name: os.environ[name]
            for name in ("DATABASE_URL", "REDIS_URL", "SMTP_URL")
            if name in os.environ
        }
        return
    folder = tempfile.mkdtemp(prefix="marketplace-bench-services.")
    env = {**os.environ, "MARKETPLACE_SERVICES_DIR": folder}
    env.update({name: str(_free_port()) for name in SERVICE_PORTS})
    started_at = time.perf_counter()
    try:
        started = subprocess.run(  # noqa: S603 (the project's own script)
            [str(SERVICES), "start"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if started.returncode != 0:
            raise RuntimeError(f"infra/services.sh start failed:\n{started.stderr}")
        exports = dict(re.findall(r"^export (\w+)=(.*)$", started.stdout, re.MULTILINE))
        say(
            f"services started by infra/services.sh under {folder} "
            f"in {time.perf_counter() - started_at:.1f} s"
        )
        yield exports
    finally:
        subprocess.run(  # noqa: S603 (the project's own script)
            [str(SERVICES), "stop"], env=env, capture_output=True, timeout=120, check=False
        )


async def _execute(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _fetch_values(url: str, *queries: str) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return [await connection.fetchval(query) for query in queries]
    finally:
        await connection.close()


@contextlib.contextmanager
def bench_database(admin_url: str) -> Iterator[str]:
    """A database of this run's own on the same server, dropped at the end."""
    if not admin_url.startswith(("postgresql://", "postgres://")):
        raise RuntimeError(f"the bid submission bench needs PostgreSQL, not {admin_url!r}")
    name = f"marketplace_bench_{os.getpid()}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_execute(admin_url, drop, f'CREATE DATABASE "{name}"'))
    try:
        yield urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    finally:
        asyncio.run(_execute(admin_url, drop))


def server_environment(
    database_url: str, services: dict[str, str], var_dir: Path
) -> dict[str, str]:
    """The environment of the set-up, both servers and the worker: the bench's database, Redis
    (the web process leaves the outbox to the worker), the SMTP sink if there is one (else the
    local maildir), keys of this run's own."""
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env.update(
        {
            "DATABASE_URL": database_url,
            "MARKETPLACE_VAR_DIR": str(var_dir),
            "MARKETPLACE_SECRET_KEY": secrets.token_urlsafe(32),
            "MARKETPLACE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
            # Only the set-up hashes passwords (the providers' users).
            "MARKETPLACE_CHEAP_PASSWORD_HASHING": "1",
        }
    )
    for name in ("REDIS_URL", "SMTP_URL"):
        if services.get(name):
            env[name] = services[name]
    return env


@dataclass(frozen=True)
class Server:
    name: str
    pid: int
    base_url: str
    log: Path


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def uvicorn_server(name: str, factory: str, env: dict[str, str], logs: Path) -> Iterator[Server]:
    """`factory` under uvicorn on a free loopback port, as `marketplace run` serves the app
    (SERVER_WORKERS worker processes), without the access log; stopped at the end."""
    import httpx

    port = _free_port()
    log = logs / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(SERVER_WORKERS),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the {name} server exited:\n{_log_tail(log)}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the {name} server did not start:\n{_log_tail(log)}"
                    ) from None
                time.sleep(0.1)
        yield Server(name, process.pid, f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Set-up (in a process of its own: the marketplace's settings and engine are process-wide) ----


@dataclass(frozen=True)
class Market:
    call_off_id: str
    tokens: list[str]


async def _prepare(providers: int) -> dict[str, Any]:
    """Migrate; the baseline's table; a commissioner, `providers` admitted providers each with
    a user and a token, and one enablement call-off published to all of them."""
    import httpx

    from bench._baseline_app import BenchPlainRow
    from marketplace.app import create_app
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine
    from marketplace.migrate import migrate
    from marketplace.tenders.tables import Invitation
    from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, in_days
    from tests.factories import bearer

    bind_engine(current_engine())
    await start_engine()
    try:
        await migrate()
        BenchPlainRow._meta.db = current_engine()
        await BenchPlainRow.create_table(if_not_exists=True)
        market = await commissioning("Bench County Council")
        tokens: list[str] = []
        for first in range(0, providers, 8):
            batch = await asyncio.gather(
                *(
                    admitted_provider(market, f"Bench Home Care {n:03d}")
                    for n in range(first, min(first + 8, providers))
                )
            )
            tokens += [token for _, token in batch]
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            body = enablement_body(market, title="Enablement at home (bench)", deadline=in_days(2))
            created = await client.post(
                "/api/v1/call-offs", json=body, headers=bearer(market.token)
            )
            if created.status_code != 201:
                raise RuntimeError(f"creating the call-off: {created.status_code} {created.text}")
            call_off_id = created.json()["id"]
            published = await client.post(
                f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(market.token)
            )
            if published.status_code != 200:
                raise RuntimeError(f"publishing: {published.status_code} {published.text}")
        invited = await Invitation.count().where(Invitation.call_off == call_off_id)
        if invited != providers:
            raise RuntimeError(f"{invited} providers invited, not {providers}")
        return {"call_off_id": call_off_id, "tokens": tokens}
    finally:
        await stop_engine()


def prepare_market(env: dict[str, str]) -> Market:
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "bench.bid_submission", "prepare", str(PROVIDERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the set-up failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Market(call_off_id=found["call_off_id"], tokens=found["tokens"])


# Load ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    server: Server
    path: str
    headers: list[dict[str, str]]  # one set per client


def _process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its live children so far (Linux /proc): the
    server's worker processes, when uvicorn runs more than one."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_process_cpu_s(int(child)) for child in children)


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def load(target: Target, clients: int, body: bytes) -> Load:
    """`clients` clients, each with its own keep-alive connection, sending requests back to
    back for the warm-up and the window; what completed inside the window is measured."""
    import httpx

    result = Load(clients, seconds=MEASURE_S)
    loop = asyncio.get_running_loop()
    began = loop.time()
    window = (began + WARMUP_S, began + WARMUP_S + MEASURE_S)

    async def client(n: int) -> None:
        headers = {"content-type": "application/json", **target.headers[n]}
        async with httpx.AsyncClient(
            base_url=target.server.base_url,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=REQUEST_TIMEOUT_S,
        ) as http:
            while (started := loop.time()) < window[1]:
                try:
                    response = await http.put(target.path, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    failure: str | None = f"{type(exc).__name__}: {exc}"
                else:
                    failure = (
                        None
                        if response.is_success
                        else f"{response.status_code} {response.text[:300]}"
                    )
                ended = loop.time()
                if failure is not None:
                    result.errors += 1
                    if len(result.error_examples) < 3:
                        result.error_examples.append(failure)
                    continue
                result.accepted += 1
                if window[0] <= ended <= window[1]:
                    result.latencies_ms.append((ended - started) * 1000)

    async def cpu_meter() -> None:
        await asyncio.sleep(window[0] - loop.time())
        before = (
            _process_cpu_s(target.server.pid),
            time.process_time(),
            _machine_busy_s(),
            loop.time(),
        )
        await asyncio.sleep(window[1] - loop.time())
        # CPU seconds over the window (the meter may wake a little late: scaled to the window).
        scale = MEASURE_S / (loop.time() - before[3])
        result.server_cpu_s = (_process_cpu_s(target.server.pid) - before[0]) * scale
        result.client_cpu_s = (time.process_time() - before[1]) * scale
        result.machine_cpu_s = (_machine_busy_s() - before[2]) * scale

    await asyncio.gather(cpu_meter(), *(client(n) for n in range(clients)))
    return result


async def _pending_outbox(url: str) -> int:
    (count,) = await _fetch_values(
        url, "SELECT count(*) FROM outbox_entry WHERE status = 'pending' AND due_at <= now()"
    )
    return int(count)


def drain_outbox(url: str, env: dict[str, str], logs: Path) -> tuple[int, float]:
    """Run every due outbox entry: the worker (`marketplace worker`) when there is Redis, else
    the web process itself; (entries at the start, seconds)."""
    started = time.perf_counter()
    first = pending = asyncio.run(_pending_outbox(url))
    with contextlib.ExitStack() as stack:
        if pending and env.get("REDIS_URL"):
            stack.enter_context(worker_process(env, logs))
        while pending and time.perf_counter() - started < DRAIN_TIMEOUT_S:
            time.sleep(0.25)
            pending = asyncio.run(_pending_outbox(url))
    if pending:
        raise RuntimeError(f"the outbox still has {pending} due entries after {DRAIN_TIMEOUT_S} s")
    return first, time.perf_counter() - started


@contextlib.contextmanager
def worker_process(env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`marketplace worker` (arq: the relay and the outbox's delivery) until the block ends."""
    with (logs / "worker.log").open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 (the project's own command)
            [str(Path(sys.executable).parent / "marketplace"), "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def smoke_test(app: Target, baseline: Target, body: bytes) -> None:
    """One request to each, checked, before any timing."""
    import httpx

    receipt = httpx.put(
        app.server.base_url + app.path, content=body, headers=app.headers[0], timeout=30
    )
    if receipt.status_code != 201 or set(receipt.json()) != {
        "bid_id",
        "version",
        "received_at",
        "digest",
    }:
        raise RuntimeError(f"the app's answer to a bid: {receipt.status_code} {receipt.text}")
    written = httpx.put(baseline.server.base_url + baseline.path, content=body, timeout=30)
    if written.status_code != 201 or written.json()["rows"] != 3:
        raise RuntimeError(f"the baseline's answer: {written.status_code} {written.text}")


def check_rows(url: str, call_off_id: str, app_accepted: int, baseline_accepted: int) -> None:
    """The app wrote one bid version, one audit event and one receipt email per accepted
    submission (none failed to send); the baseline three rows per accepted request."""
    versions, events, receipts, failed, plain = asyncio.run(
        _fetch_values(
            url,
            f"SELECT coalesce(sum(version), 0) FROM bid WHERE call_off = '{call_off_id}'",  # noqa: S608
            "SELECT count(*) FROM audit_event WHERE action IN ('submit_bid', 'replace_bid')",
            "SELECT count(*) FROM outbox_entry WHERE payload LIKE '%\"bid_receipt\"%'",
            "SELECT count(*) FROM outbox_entry WHERE status <> 'done' AND due_at <= now()",
            "SELECT count(*) FROM bench_plain_row",
        )
    )
    say(
        f"rows: {versions} bid versions, {events} audit events, {receipts} receipt emails "
        f"({failed} not delivered) for {app_accepted} accepted bids; {plain} baseline rows "
        f"for {baseline_accepted} accepted baseline requests"
    )
    expected = (app_accepted, app_accepted, app_accepted, 0, 3 * baseline_accepted)
    if (versions, events, receipts, failed, plain) != expected:
        raise AssertionError("bid submission bench: the rows written are not what was accepted")


def _server_stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    workers = f"{SERVER_WORKERS} worker process{'es' if SERVER_WORKERS > 1 else ''}"
    return f"uvicorn, {workers}, {loop} loop, {http}, no access log"


def run() -> list[SubmissionFigure]:
    body = json.dumps(BID).encode()
    results: dict[tuple[str, int], Load] = {}
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-bids.")))
        services = stack.enter_context(local_services())
        url = stack.enter_context(bench_database(services["DATABASE_URL"]))
        env = server_environment(url, services, work)
        prepared_at = time.perf_counter()
        market = prepare_market(env)
        say(
            f"set-up: {PROVIDERS} providers invited to one enablement call-off "
            f"in {time.perf_counter() - prepared_at:.1f} s"
        )
        app_server = stack.enter_context(uvicorn_server("app", APP_FACTORY, env, work))
        baseline_server = stack.enter_context(
            uvicorn_server("baseline", BASELINE_FACTORY, env, work)
        )
        say(f"servers: {_server_stack()}, the same for both")
        app = Target(
            app_server,
            f"/api/v1/call-offs/{market.call_off_id}/bid",
            [{"authorization": f"Bearer {token}"} for token in market.tokens],
        )
        baseline = Target(baseline_server, f"/plain/{market.call_off_id}", [{}] * PROVIDERS)
        smoke_test(app, baseline, body)
        accepted = {"app": 1, "baseline": 1}
        drain_outbox(url, env, work)  # the invitations and the smoke test's receipt
        targets = {"app": app, "baseline": baseline}
        for clients in CLIENTS:
            for name in ("app", "baseline"):
                results[name, clients] = Load(clients)
            for order in ORDERS:
                for name in order:
                    phase = asyncio.run(load(targets[name], clients, body))
                    results[name, clients].add(phase)
                    accepted[name] += phase.accepted
                    note = ""
                    if name == "app":
                        queued, seconds = drain_outbox(url, env, work)
                        note = f"; {queued} receipt emails still queued, sent in {seconds:.1f} s"
                    say(f"{name}, {clients} clients: {phase.describe()}; {phase.cores()}{note}")
                    for example in phase.error_examples:
                        say(f"  error: {example}")
        check_rows(url, market.call_off_id, accepted["app"], accepted["baseline"])
    figures = [
        SubmissionFigure(clients, results["app", clients], results["baseline", clients])
        for clients in CLIENTS
    ]
    say(f"done in {time.perf_counter() - started:.0f} s")
    print(MARKDOWN_HEADER)
    for figure in figures:
        print(figure.markdown_row())
    return figures


def _main(arguments: list[str]) -> int:
    if len(arguments) == 2 and arguments[0] == "prepare":
        prepared = asyncio.run(_prepare(int(arguments[1])))
        print(json.dumps(prepared))
        return 0
    print("usage: python -m bench.bid_submission prepare PROVIDERS (run by the bench itself)")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
