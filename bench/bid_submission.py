"""Bid submission through the whole app on PostgreSQL, under load: `PUT /api/v1/call-offs/{id}/bid`
(bearer-token authentication, validation, sealing, the bid, audit and outbox rows, the receipt)
served by uvicorn, with 32 and 128 connections, each sending its next request as soon as the last
is answered. The load comes from wrk (Debian's package, a C load generator: bench/_wrk.py), one
thread per connection, connection i sending provider i's token and body. The baseline, served the
same way and loaded in the same run, is a minimal Litestar + Piccolo endpoint inserting as many
plain rows (3) in one transaction, without authentication (bench/_baseline_app.py).

Targets (issue 17's), at 32 connections: at least 0.8 of the baseline's throughput, p99 under
50 ms, no errors. (At 128 closed-loop connections the p50 is about 128 / throughput: no latency
target is set there.)

The set-up: one published enablement call-off (deadline two days ahead) with PROVIDERS providers
admitted and invited; connection i submits, then keeps replacing, provider i's bid (each accepted
version is a new submission with its own receipt). Without DATABASE_URL the bench starts the
local services itself (infra/services.sh, in a folder and on ports of its own) and stops them at
the end; either way it works in a database of its own, dropped at the end. The app runs as it is
deployed: the web process with REDIS_URL set, so that it writes the receipt into the outbox and
leaves its delivery to the worker (`marketplace worker`, a process of its own). The worker runs
between the measured phases and delivers every receipt (to the SMTP sink) before the next phase,
so that on this 2-core machine it takes no CPU from the web process while it is timed, and no
receipt is left unsent. (Without Redis the bench falls back to the embedded mode, where the web
process delivers the receipts itself while it takes bids.)

Each phase is a wrk run for the warm-up (discarded) and one for the measured window; at each
number of connections the phases run baseline, app, app, baseline, so that a drift in the
(shared) machine's other load falls on both alike. Throughput is over both measured windows; the
p50 and p99 reported are the worse of the two windows' (wrk's histograms cannot be merged).
Every request is checked against the rows written: each provider's bid has exactly one version
per accepted submission, give or take the requests wrk sent but stopped before their answer
(the server may have taken them); likewise the audit events, receipts and baseline rows. The
peak resident memory (VmHWM) of each server's processes is read after its phases. Set
MARKETPLACE_BENCH_WORKERS to serve both with more than one uvicorn worker process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib.util
import json
import os
import re
import resource
import secrets
import shutil
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

from bench import in_own_process
from bench._wrk import Request, WrkResult, run_wrk, wrk_path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "infra" / "services.sh"

CLIENTS = (32, 128)  # connections
PROVIDERS = max(CLIENTS)  # one provider (its own bid, its own token) per connection
WARMUP_S = 3.0  # each phase: a warm-up, discarded
MEASURE_S = 5.0  # then the measured window
# The phases at each number of connections (ABBA): 2 x 5 s measured for each of the two.
ORDERS = (("baseline", "app"), ("app", "baseline"))
TARGET_CLIENTS = 32
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
TARGET_WEB_RSS_MB = 200.0
DRAIN_TIMEOUT_S = 120.0  # without progress
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
    """What `clients` connections got from one server over one or more phases (each a warm-up
    and a measured window, both wrk runs)."""

    clients: int
    seconds: float = 0.0  # measured windows, in all
    answered: int = 0  # answers in the measured windows (any status)
    p50s_ms: list[float] = field(default_factory=list)  # one per measured window
    p99s_ms: list[float] = field(default_factory=list)
    errors: int = 0  # non-2xx answers and failed requests, warm-ups included
    accepted: int = 0  # 2xx answers, warm-ups included
    sent: int = 0  # requests sent, warm-ups included (some unanswered when wrk stopped)
    statuses: dict[int, int] = field(default_factory=dict)  # warm-ups included
    # Per connection (provider): 2xx answers and requests sent, warm-ups included.
    accepted_by_connection: list[int] = field(default_factory=list)
    sent_by_connection: list[int] = field(default_factory=list)
    # CPU seconds spent over the measured windows by the server, wrk, the whole machine.
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0

    def count(self, run: WrkResult) -> None:
        """A run's answers (a warm-up's or a measured window's)."""
        self.errors += run.errors
        self.accepted += run.successes
        self.sent += sum(run.sent)
        for status, number in run.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + number
        width = max(len(self.accepted_by_connection), len(run.succeeded))
        self.accepted_by_connection += [0] * (width - len(self.accepted_by_connection))
        self.sent_by_connection += [0] * (width - len(self.sent_by_connection))
        for index, (succeeded, sent) in enumerate(zip(run.succeeded, run.sent, strict=True)):
            self.accepted_by_connection[index] += succeeded
            self.sent_by_connection[index] += sent

    def measure(self, run: WrkResult) -> None:
        """A measured window's throughput and latency."""
        self.seconds += run.seconds
        self.answered += run.requests
        self.p50s_ms.append(run.p50_ms)
        self.p99s_ms.append(run.p99_ms)

    def add(self, other: Load) -> None:
        self.seconds += other.seconds
        self.answered += other.answered
        self.p50s_ms += other.p50s_ms
        self.p99s_ms += other.p99s_ms
        self.errors += other.errors
        self.accepted += other.accepted
        self.sent += other.sent
        for status, number in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + number
        for mine, theirs in (
            (self.accepted_by_connection, other.accepted_by_connection),
            (self.sent_by_connection, other.sent_by_connection),
        ):
            mine += [0] * (len(theirs) - len(mine))
            for index, number in enumerate(theirs):
                mine[index] += number
        self.server_cpu_s += other.server_cpu_s
        self.client_cpu_s += other.client_cpu_s
        self.machine_cpu_s += other.machine_cpu_s

    def cores(self) -> str:
        return (
            f"CPU cores used: server {self.server_cpu_s / self.seconds:.2f}, wrk "
            f"{self.client_cpu_s / self.seconds:.2f}, whole machine "
            f"{self.machine_cpu_s / self.seconds:.2f}"
        )

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        """The worse of the measured windows' p50 or p99 (wrk's, from its histogram)."""
        found = {50: self.p50s_ms, 99: self.p99s_ms}[int(q)]
        return max(found) if found else float("nan")

    @property
    def cpu_ms_per_request(self) -> float:
        """The server's CPU time per answer in the measured windows: what a request costs it,
        less at the mercy of the shared machine's other load than the throughput."""
        return 1000 * self.server_cpu_s / self.answered if self.answered else float("nan")

    def describe(self) -> str:
        unexpected = {status: n for status, n in self.statuses.items() if not 200 <= status < 300}
        detail = f" (statuses {unexpected})" if unexpected else ""
        return (
            f"{self.per_second:,.0f} req/s, p50 {self.percentile_ms(50):.1f} ms, "
            f"p99 {self.percentile_ms(99):.1f} ms, {self.errors} errors{detail}, "
            f"server CPU {self.cpu_ms_per_request:.2f} ms per request"
        )


@dataclass(frozen=True)
class SubmissionFigure:
    clients: int
    app: Load
    baseline: Load
    app_peak_rss_mb: float = float("nan")  # the web process's VmHWM after all the app's phases

    @property
    def ratio(self) -> float:
        """The app's throughput as a share of the baseline's (1 would be as fast)."""
        return self.app.per_second / self.baseline.per_second

    @property
    def cpu_ratio(self) -> float:
        """The baseline's server CPU per request as a share of the app's: the throughput ratio
        the app would reach with the same CPU as the baseline."""
        return self.baseline.cpu_ms_per_request / self.app.cpu_ms_per_request

    def verdicts(self) -> list[str]:
        if self.clients != TARGET_CLIENTS:
            return []
        ratio_ok = self.ratio >= TARGET_RATIO
        p99_ok = self.app.percentile_ms(99) < TARGET_P99_MS
        rss_ok = self.app_peak_rss_mb < TARGET_WEB_RSS_MB
        return [
            f"throughput {'met' if ratio_ok else 'MISSED'} (target >= {TARGET_RATIO})",
            f"p99 {'met' if p99_ok else 'MISSED'} (target < {TARGET_P99_MS:.0f} ms)",
            f"errors {'met' if self.app.errors == 0 else 'MISSED'} (target 0)",
            f"web peak RSS {self.app_peak_rss_mb:.0f} MB "
            f"{'met' if rss_ok else 'MISSED'} (target < {TARGET_WEB_RSS_MB:.0f} MB)",
        ]

    def line(self) -> str:
        text = (
            f"bid submission, {self.clients} connections: app {self.app.describe()}; "
            f"baseline (Litestar + Piccolo, 3 plain rows in one transaction) "
            f"{self.baseline.describe()}; app/baseline throughput {self.ratio:.2f}, "
            f"per server CPU second {self.cpu_ratio:.2f}"
        )
        verdicts = self.verdicts()
        return text + (f" — {', '.join(verdicts)}" if verdicts else "")

    def markdown_row(self) -> str:
        return (
            f"| {self.clients} | {self.app.per_second:,.0f} | {self.app.percentile_ms(50):.1f} / "
            f"{self.app.percentile_ms(99):.1f} | {self.baseline.per_second:,.0f} | "
            f"{self.baseline.percentile_ms(50):.1f} / {self.baseline.percentile_ms(99):.1f} | "
            f"{self.ratio:.2f} | {self.app.cpu_ms_per_request:.2f} / "
            f"{self.baseline.cpu_ms_per_request:.2f} | {self.cpu_ratio:.2f} | "
            f"{self.app.errors} / {self.baseline.errors} |"
        )


MARKDOWN_HEADER = (
    "| connections | app req/s | app p50 / p99 ms | baseline req/s | baseline p50 / p99 ms "
    "| app/baseline | server CPU ms per request app / baseline | app/baseline per CPU "
    "| errors app / baseline |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
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
    providers: list[str] = field(default_factory=list)  # the organisations, as the tokens


async def _prepare(providers: int) -> dict[str, Any]:
    """Migrate; the baseline's table; a commissioner, `providers` admitted providers each with
    a user and a token, and one enablement call-off published to all of them."""
    import httpx

    from bench._baseline_app import BenchPlainRow
    from marketplace.app import create_app
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine
    from marketplace.migrate import migrate
    from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, in_days

    bind_engine(current_engine())
    await start_engine()
    try:
        await migrate()
        BenchPlainRow._meta.db = current_engine()
        await BenchPlainRow.create_table(if_not_exists=True)
        market = await commissioning("Bench County Council")
        tokens: list[str] = []
        organisations: list[str] = []
        for first in range(0, providers, 8):
            batch = await asyncio.gather(
                *(
                    admitted_provider(market, f"Bench Home Care {n:03d}")
                    for n in range(first, min(first + 8, providers))
                )
            )
            tokens += [token for _, token in batch]
            organisations += [str(provider.id) for provider, _ in batch]
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            body = enablement_body(market, title="Enablement at home (bench)", deadline=in_days(2))
            call_off_id = await published_call_off(client, market.token, body, providers)
        return {"call_off_id": call_off_id, "tokens": tokens, "providers": organisations}
    finally:
        await stop_engine()


async def published_call_off(client: Any, token: str, body: dict[str, Any], invited: int) -> str:
    """Create and publish a call-off through the app (`client`, as the commissioner's `token`);
    every one of the `invited` providers must be invited."""
    from marketplace.tenders.tables import Invitation
    from tests.factories import bearer

    created = await client.post("/api/v1/call-offs", json=body, headers=bearer(token))
    if created.status_code != 201:
        raise RuntimeError(f"creating a call-off: {created.status_code} {created.text}")
    call_off_id: str = created.json()["id"]
    published = await client.post(f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(token))
    if published.status_code != 200:
        raise RuntimeError(f"publishing: {published.status_code} {published.text}")
    found = await Invitation.count().where(Invitation.call_off == call_off_id)
    if found != invited:
        raise RuntimeError(f"{found} providers invited, not {invited}")
    return call_off_id


def prepare_market(env: dict[str, str]) -> Market:
    found = in_own_process("bid_submission", "prepare", str(PROVIDERS), env=env, timeout_s=600)
    return Market(
        call_off_id=found["call_off_id"],
        tokens=found["tokens"],
        providers=found.get("providers", []),
    )


# Load ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    server: Server
    path: str
    headers: list[dict[str, str]]  # one set per connection

    def requests(self, connections: int, body: bytes) -> list[list[Request]]:
        """Connection i's requests: one, with the headers of provider i."""
        text = body.decode()
        return [
            [
                Request(
                    "PUT",
                    self.path,
                    {"content-type": "application/json", **self.headers[n]},
                    text,
                )
            ]
            for n in range(connections)
        ]


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


def _children_cpu_s() -> float:
    """CPU seconds of this process's finished children (wrk's runs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb(pid: int) -> float:
    """The largest peak resident set (VmHWM) of a process and its live children, in MB (the
    worker processes, when uvicorn runs more than one)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return float("nan")
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    own = int(found.group(1)) / 1024 if found else float("nan")
    return max([own, *(peak_rss_mb(int(child)) for child in children)])


def load(target: Target, clients: int, body: bytes) -> Load:
    """One phase: `clients` connections of wrk, each sending its own provider's request back to
    back, for a warm-up (discarded) and then the measured window; the server's, wrk's and the
    machine's CPU over the window."""
    requests = target.requests(clients, body)
    result = Load(clients)
    result.count(run_wrk(target.server.base_url, requests, seconds=WARMUP_S))
    before = (_process_cpu_s(target.server.pid), _children_cpu_s(), _machine_busy_s())
    began = time.perf_counter()
    measured = run_wrk(target.server.base_url, requests, seconds=MEASURE_S)
    # CPU over the run (wrk's start and exit included): scaled to its measured duration.
    scale = measured.seconds / (time.perf_counter() - began)
    result.server_cpu_s = (_process_cpu_s(target.server.pid) - before[0]) * scale
    result.client_cpu_s = (_children_cpu_s() - before[1]) * scale
    result.machine_cpu_s = (_machine_busy_s() - before[2]) * scale
    result.count(measured)
    result.measure(measured)
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
        # Given up only when the worker makes no progress for DRAIN_TIMEOUT_S (on the shared
        # machine thousands of receipts can take longer than that, moving all the while).
        progressed = started
        while pending and time.perf_counter() - progressed < DRAIN_TIMEOUT_S:
            time.sleep(0.25)
            left = asyncio.run(_pending_outbox(url))
            if left < pending:
                progressed = time.perf_counter()
            pending = left
    if pending:
        raise RuntimeError(
            f"the outbox still has {pending} due entries, none sent in {DRAIN_TIMEOUT_S} s"
        )
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
    if receipt.status_code != 201 or not {"bid_id", "version", "received_at", "digest"} <= set(
        receipt.json()
    ):
        raise RuntimeError(f"the app's answer to a bid: {receipt.status_code} {receipt.text}")
    written = httpx.put(baseline.server.base_url + baseline.path, content=body, timeout=30)
    if written.status_code != 201 or written.json()["rows"] != 3:
        raise RuntimeError(f"the baseline's answer: {written.status_code} {written.text}")


def check_rows(
    url: str,
    call_off_id: str,
    app_accepted: int,
    baseline_accepted: int,
    *,
    app_sent: int | None = None,
    baseline_sent: int | None = None,
) -> None:
    """The app wrote one bid version, one audit event and one receipt email per accepted
    submission (none failed to send); the baseline three rows per accepted request. With
    `app_sent` / `baseline_sent` (a load generator that may stop before the answers to its last
    requests, which the server may still have taken): at least as many as accepted and at most
    as many as sent."""
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
    app_most = app_accepted if app_sent is None else app_sent
    baseline_most = baseline_accepted if baseline_sent is None else baseline_sent
    say(
        f"rows: {versions} bid versions, {events} audit events, {receipts} receipt emails "
        f"({failed} not delivered) for {app_accepted} accepted bids ({app_most} sent); "
        f"{plain} baseline rows for {baseline_accepted} accepted baseline requests "
        f"({baseline_most} sent)"
    )
    if not (
        app_accepted <= versions <= app_most
        and events == versions
        and receipts == versions
        and failed == 0
        and 3 * baseline_accepted <= plain <= 3 * baseline_most
        and plain % 3 == 0
    ):
        raise AssertionError("bid submission bench: the rows written are not what was accepted")


def check_versions(
    url: str, call_off_id: str, providers: list[str], accepted: list[int], sent: list[int]
) -> None:
    """Provider i's bid has one version per submission of connection i that was accepted, and
    at most one per request sent."""
    import asyncpg

    async def versions() -> dict[str, int]:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(
                "SELECT provider::text, version FROM bid WHERE call_off = $1::uuid", call_off_id
            )
        finally:
            await connection.close()
        return {row["provider"]: row["version"] for row in rows}

    found = asyncio.run(versions())
    wrong = [
        f"provider {index}: {found.get(provider, 0)} versions, {accepted[index]} accepted, "
        f"{sent[index]} sent"
        for index, provider in enumerate(providers)
        if not accepted[index] <= found.get(provider, 0) <= sent[index]
    ]
    say(f"bid versions of {len(providers)} providers match their connections' answers")
    if wrong:
        raise AssertionError("bid submission bench: " + "; ".join(wrong[:5]))


def _server_stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    workers = f"{SERVER_WORKERS} worker process{'es' if SERVER_WORKERS > 1 else ''}"
    return f"uvicorn, {workers}, {loop} loop, {http}, no access log"


def run() -> list[SubmissionFigure]:
    body = json.dumps(BID).encode()
    results: dict[tuple[str, int], Load] = {}
    started = time.perf_counter()
    say(f"load generator: {wrk_path()}, one thread per connection")
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
        # Everything the servers were sent, with the smoke test's (provider 0's first bid).
        totals = {name: Load(PROVIDERS) for name in ("app", "baseline")}
        for name in totals:
            totals[name].count(
                WrkResult(1, 0.0, 1, {201: 1}, 0, 0, 0, 0, 0, 0, sent=(1,), succeeded=(1,))
            )
        drain_outbox(url, env, work)  # the invitations and the smoke test's receipt
        targets = {"app": app, "baseline": baseline}
        for clients in CLIENTS:
            for name in ("app", "baseline"):
                results[name, clients] = Load(clients)
            for order in ORDERS:
                for name in order:
                    phase = load(targets[name], clients, body)
                    results[name, clients].add(phase)
                    totals[name].add(phase)
                    note = ""
                    if name == "app":
                        queued, seconds = drain_outbox(url, env, work)
                        note = f"; {queued} receipt emails still queued, sent in {seconds:.1f} s"
                    say(f"{name}, {clients} connections: {phase.describe()}; {phase.cores()}{note}")
        rss = {server.name: peak_rss_mb(server.pid) for server in (app_server, baseline_server)}
        say(
            f"peak resident memory (VmHWM) after all phases: web process (app) {rss['app']:.0f} MB, "
            f"baseline {rss['baseline']:.0f} MB"
        )
        check_rows(
            url,
            market.call_off_id,
            totals["app"].accepted,
            totals["baseline"].accepted,
            app_sent=totals["app"].sent,
            baseline_sent=totals["baseline"].sent,
        )
        check_versions(
            url,
            market.call_off_id,
            market.providers,
            totals["app"].accepted_by_connection,
            totals["app"].sent_by_connection,
        )
    figures = [
        SubmissionFigure(clients, results["app", clients], results["baseline", clients], rss["app"])
        for clients in CLIENTS
    ]
    say(f"done in {time.perf_counter() - started:.0f} s")
    print(MARKDOWN_HEADER)
    for figure in figures:
        print(figure.markdown_row())
    return figures


def profile(output: str, seconds: float = 15.0, clients: int = TARGET_CLIENTS) -> None:
    """The app alone under the bench's load (`clients` connections, after a warm-up), sampled
    by py-spy (not a dependency of the project: install it into the virtualenv first) for
    `seconds` into `output` (a flame graph: .svg; py-spy's raw stacks: .txt)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        raise SystemExit("py-spy is missing: pip install py-spy (into the virtualenv)")
    body = json.dumps(BID).encode()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-bids.")))
        services = stack.enter_context(local_services())
        url = stack.enter_context(bench_database(services["DATABASE_URL"]))
        env = server_environment(url, services, work)
        market = prepare_market(env)
        server = stack.enter_context(uvicorn_server("app", APP_FACTORY, env, work))
        target = Target(
            server,
            f"/api/v1/call-offs/{market.call_off_id}/bid",
            [{"authorization": f"Bearer {token}"} for token in market.tokens],
        )
        requests = target.requests(clients, body)
        run_wrk(server.base_url, requests, seconds=WARMUP_S)
        command = [spy, "record", "-o", output, "--pid", str(server.pid), "-d", str(round(seconds))]
        if output.endswith(".txt"):
            command += ["-f", "raw"]
        sampling = subprocess.Popen(command)  # noqa: S603 (py-spy, with arguments of our own)
        cpu_before = _process_cpu_s(server.pid)
        measured = run_wrk(server.base_url, requests, seconds=seconds)
        cpu_ms = 1000 * (_process_cpu_s(server.pid) - cpu_before) / max(1, measured.requests)
        sampling.wait()
        say(
            f"app, {clients} connections under py-spy: {measured.per_second:,.0f} req/s, "
            f"p50 {measured.p50_ms:.1f} ms, p99 {measured.p99_ms:.1f} ms, statuses "
            f"{measured.statuses}, server CPU {cpu_ms:.2f} ms per request; profile in {output}"
        )


def _main(arguments: list[str]) -> int:
    if len(arguments) == 2 and arguments[0] == "prepare":
        prepared = asyncio.run(_prepare(int(arguments[1])))
        print(json.dumps(prepared))
        return 0
    if len(arguments) in (2, 3) and arguments[0] == "profile":
        profile(arguments[1], *(float(argument) for argument in arguments[2:]))
        return 0
    print(
        "usage: python -m bench.bid_submission profile OUTPUT.svg [SECONDS] (py-spy installed), "
        "or prepare PROVIDERS (run by the bench itself)"
    )
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
