"""The opportunity feed at national size on PostgreSQL, under load: `GET /api/v1/opportunities`
(here `GET /api/v1/call-offs` with a provider's bearer token: the same feed) and the
/opportunities page (a signed-in provider's session cookie), the first page and a deep keyset page
(the 11th of 50), served by uvicorn and loaded by wrk with 32 connections, one provider each. The
baseline, served the same way and loaded in the same run, is a plain Litestar + Piccolo endpoint
reading the same page of rows in one keyset query (bench/_feed_baseline_app.py).

The market, written by set-based SQL (INSERT … SELECT over generate_series, no ORM row by row):
one lot; 150 councils with 10 areas each; 10,000 published enablement call-offs (one or two areas,
two packages each, a specification each and a map on every third; deadlines a minute apart in pairs, so that ties
are paged by id); 5,000 providers with a user each; 200,000 invitations: the 100 largest
providers are invited to 1,000 call-offs each, the other 4,900 to about 20. The loaded providers
are 32 of the largest (the deepest feeds).

Before the load, each request is made once inside the app with its statements captured
(tests/statements.py): the bench prints how many each runs, and EXPLAIN (ANALYZE, BUFFERS) of
each, and says whether each uses an index. At the end it reports the web process's peak resident
memory (VmHWM). Targets (issue 17): p99 < 20 ms at 32 connections; web process < 200 MB.

Without DATABASE_URL the bench starts the local services itself (bench/bid_submission.py's
helpers); either way it works in a database of its own, dropped at the end.
"""

# The SQL of this module is built from its own constants, never from input.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import in_own_process
from bench._wrk import Request, WrkResult, run_wrk
from bench.bid_submission import (
    _process_cpu_s,
    bench_database,
    local_services,
    server_environment,
    uvicorn_server,
)

CONNECTIONS = 32
WARMUP_S = 2.0
MEASURE_S = 5.0
PAGE = 50
DEEP_PAGE = 11  # the deep keyset page: after 10 pages of 50
TARGET_P99_MS = 20.0
TARGET_RSS_MB = 200.0
COUNCILS = 150
AREAS_PER_COUNCIL = 10
CALL_OFFS = 10_000
PROVIDERS = 5_000
LARGE_PROVIDERS = 100  # invited to every tenth call-off: 1,000 each
SMALL_INVITATIONS = 200_000 - LARGE_PROVIDERS * CALL_OFFS // 10
APP_FACTORY = "marketplace.app:create_app"
BASELINE_FACTORY = "bench._feed_baseline_app:create_app"
API = "/api/v1/call-offs"
PAGE_PATH = "/opportunities"
# A table of at most this many rows may be read whole: no index would be cheaper.
SMALL_TABLE = 2_000


def say(text: str) -> None:
    print(f"  {text}", flush=True)


# The market, set-based ------------------------------------------------------------------------

ENABLEMENT_TERMS = '{"budget_pence": 150000, "weeks": 6, "outcomes": ["Wash and dress"]}'
RURALITY_WEIGHTS = (
    '{"urban_major_conurbation": "1.00", "urban_city_and_town": "1.00", '
    '"rural_town_and_fringe": "1.05", "rural_village_and_dispersed": "1.10"}'
)
# Call-off i belongs to council i % COUNCILS; its first area is the council's (i / COUNCILS) % 10th.
FIRST_AREA = f"(i % {COUNCILS}) * {AREAS_PER_COUNCIL} + (i / {COUNCILS}) % {AREAS_PER_COUNCIL}"
AREA_CODE = f"'C' || (c % {COUNCILS}) || '-A' || ((c / {COUNCILS}) % {AREAS_PER_COUNCIL})"
SEED = [
    "INSERT INTO lot (id, code, name) VALUES (md5('lot')::uuid, 'CSH', 'Care and Support at Home')",
    f"""INSERT INTO organisation (id, kind, name)
    SELECT md5('council' || n)::uuid, 'commissioner', 'Council ' || n
    FROM generate_series(0, {COUNCILS - 1}) n""",
    f"""INSERT INTO area (id, code, name, commissioner)
    SELECT md5('area' || n)::uuid, 'C' || (n / {AREAS_PER_COUNCIL}) || '-A' || (n % {AREAS_PER_COUNCIL}),
           'Area ' || (n % {AREAS_PER_COUNCIL}) || ' of council ' || (n / {AREAS_PER_COUNCIL}),
           md5('council' || (n / {AREAS_PER_COUNCIL}))::uuid
    FROM generate_series(0, {COUNCILS * AREAS_PER_COUNCIL - 1}) n""",
    f"""INSERT INTO call_off (id, commissioner, lot, kind, title, status, deadline,
                          max_hourly_rate_pence, envelope_base_rate_pence, terms,
                          rurality_weights, created_at, published_at)
    SELECT md5('call_off' || i)::uuid, md5('council' || (i % {COUNCILS}))::uuid, md5('lot')::uuid,
           'enablement', 'Enablement at home ' || i, 'published',
           date_trunc('minute', now()) + interval '1 day' + (i / 2) * interval '1 minute',
           2400, 1950, '{ENABLEMENT_TERMS}', '{RURALITY_WEIGHTS}',
           now() - interval '1 day', now() - interval '1 hour'
    FROM generate_series(0, {CALL_OFFS - 1}) i""",
    f"""INSERT INTO call_off_area (id, call_off, area)
    SELECT md5('call_off_area' || i || '-' || k)::uuid, md5('call_off' || i)::uuid,
           md5('area' || ({FIRST_AREA} + k) % {COUNCILS * AREAS_PER_COUNCIL})::uuid
    FROM generate_series(0, {CALL_OFFS - 1}) i, generate_series(0, 1) k
    WHERE k = 0 OR i % 3 = 0""",
    f"""INSERT INTO package (id, commissioner, area, reference, postcode, rurality, weekly_hours,
                         service_level, status, start_by)
    SELECT md5('package' || (i * 2 + k))::uuid, md5('council' || (i % {COUNCILS}))::uuid,
           md5('area' || ({FIRST_AREA}))::uuid, 'P-' || i || '-' || k, 'TN23 1AA',
           (ARRAY['urban_major_conurbation', 'urban_city_and_town', 'rural_town_and_fringe',
                  'rural_village_and_dispersed'])[1 + (i + k) % 4],
           5 + (i + k) % 20, (ARRAY['standard', 'complex'])[1 + (i * k) % 2], 'in_call_off',
           current_date + 14
    FROM generate_series(0, {CALL_OFFS - 1}) i, generate_series(0, 1) k""",
    f"""INSERT INTO call_off_package (id, call_off, package)
    SELECT md5('call_off_package' || (i * 2 + k))::uuid, md5('call_off' || i)::uuid,
           md5('package' || (i * 2 + k))::uuid
    FROM generate_series(0, {CALL_OFFS - 1}) i, generate_series(0, 1) k""",
    f"""INSERT INTO call_off_document (id, call_off, document_id, filename)
    SELECT md5('document' || i || '-' || k)::uuid, md5('call_off' || i)::uuid,
           md5('file' || i || '-' || k)::uuid, (ARRAY['specification', 'map'])[k + 1] || '.pdf'
    FROM generate_series(0, {CALL_OFFS - 1}) i, generate_series(0, 1) k
    WHERE k = 0 OR i % 3 = 0""",
    f"""INSERT INTO organisation (id, kind, name, cqc_rating)
    SELECT md5('provider' || p)::uuid, 'provider', 'Home Care ' || p, 'Good'
    FROM generate_series(0, {PROVIDERS - 1}) p""",
    f"""INSERT INTO app_user (id, organisation, email, password_hash, role)
    SELECT md5('user' || p)::uuid, md5('provider' || p)::uuid,
           'provider' || p || '@bench.example', '!', 'provider'
    FROM generate_series(0, {PROVIDERS - 1}) p""",
    f"""INSERT INTO invitation (id, call_off, provider, area_codes, invited_at)
    SELECT gen_random_uuid(), md5('call_off' || c)::uuid, md5('provider' || p)::uuid,
           '["' || {AREA_CODE} || '"]', now() - interval '1 hour'
    FROM generate_series(0, {LARGE_PROVIDERS - 1}) p,
         generate_series(0, {CALL_OFFS // 10 - 1}) k,
         LATERAL (SELECT k * 10 + p % 10 AS c) chosen""",
    f"""INSERT INTO invitation (id, call_off, provider, area_codes, invited_at)
    SELECT gen_random_uuid(), md5('call_off' || c)::uuid, md5('provider' || p)::uuid,
           '["' || {AREA_CODE} || '"]', now() - interval '1 hour'
    FROM (SELECT p, (p * 7919 + k * 487) % {CALL_OFFS} AS c
          FROM generate_series({LARGE_PROVIDERS}, {PROVIDERS - 1}) p, generate_series(0, 20) k
          LIMIT {SMALL_INVITATIONS}) chosen""",
]
COUNTS = {
    "call_off": "SELECT count(*) FROM call_off WHERE status = 'published'",
    "provider": "SELECT count(*) FROM organisation WHERE kind = 'provider'",
    "invitation": "SELECT count(*) FROM invitation",
}
DEEP_CURSOR_SQL = f"""SELECT c.deadline, c.id FROM invitation i JOIN call_off c ON c.id = i.call_off
WHERE i.provider = $1 AND c.status = 'published' ORDER BY c.deadline, c.id
OFFSET {PAGE * (DEEP_PAGE - 1) - 1} LIMIT 1"""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def _seed(url: str) -> dict[str, Any]:
    """The market, then a bearer token and a browser session for each loaded provider, and the
    cursor of its deep page."""
    import asyncpg

    from marketplace.accounts.authentication import API_TOKEN_PREFIX
    from marketplace.pagination import encode_moment_id_cursor

    connection = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        async with connection.transaction():
            for statement in SEED:
                await connection.execute(statement)
        seeded_s = time.perf_counter() - started
        await connection.execute("VACUUM ANALYZE")
        counts = {name: await connection.fetchval(sql) for name, sql in COUNTS.items()}
        loaded = []
        for p in range(CONNECTIONS):
            token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
            cookie = secrets.token_urlsafe(32)
            user = f"md5('user{p}')::uuid"
            await connection.execute(
                f'INSERT INTO api_token (id, token_hash, "user", expires_at) '
                f"VALUES (gen_random_uuid(), $1, {user}, now() + interval '1 day')",
                _digest(token),
            )
            await connection.execute(
                f'INSERT INTO browser_session (id, token_hash, "user", expires_at, last_seen_at) '
                f"VALUES (gen_random_uuid(), $1, {user}, now() + interval '1 day', now())",
                _digest(cookie),
            )
            provider = await connection.fetchval(f"SELECT md5('provider{p}')::uuid")
            deadline, call_off = await connection.fetchrow(DEEP_CURSOR_SQL, provider)
            loaded.append(
                {
                    "provider": str(provider),
                    "token": token,
                    "cookie": cookie,
                    "deep_cursor": encode_moment_id_cursor(deadline, call_off),
                }
            )
        return {"seconds": seeded_s, "counts": counts, "providers": loaded}
    finally:
        await connection.close()


def _verdict(plan: str, sizes: dict[str, int]) -> str:
    """Which indexes the plan reads through, and which tables of more than SMALL_TABLE rows it
    scans whole (a small table, such as the one lot, is read whole whatever its indexes)."""
    indexes = sorted(set(re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\w+)", plan)))
    indexes += sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", plan)) - set(indexes))
    scanned = sorted(
        table
        for table in set(re.findall(r"Seq Scan on (\w+)", plan))
        if sizes.get(table, 0) > SMALL_TABLE
    )
    text = f"uses index {', '.join(indexes)}" if indexes else "uses no index"
    if scanned:
        text += f"; SEQUENTIAL SCAN of {', '.join(scanned)}"
    elif not indexes:
        text += " (reads only small tables whole)"
    return text


async def _explain(url: str, providers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each kind of request once through the app (in this process, no server), its statements
    captured; then EXPLAIN (ANALYZE, BUFFERS) of each statement."""
    import asyncpg
    import httpx

    from marketplace.app import create_app
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine
    from tests.statements import statements_run

    first = providers[0]
    requests = _requests(first)
    bind_engine(current_engine())
    await start_engine()
    captured: list[dict[str, Any]] = []
    try:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            for name, request in requests.items():
                await client.get(request.path, headers=dict(request.headers))  # names, caches
                with statements_run(current_engine()) as statements:
                    answer = await client.get(request.path, headers=dict(request.headers))
                if answer.status_code != 200:
                    raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:500]}")
                captured.append({"request": name, "statements": statements})
    finally:
        await stop_engine()
    connection = await asyncpg.connect(url)
    explained = []
    try:
        sizes = {
            row["relname"]: int(row["reltuples"])
            for row in await connection.fetch(
                "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
            )
        }
        for made in captured:
            plans = []
            for sql, values in made["statements"]:
                rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *values)
                plan = "\n".join(row[0] for row in rows)
                plans.append({"sql": sql, "plan": plan, "verdict": _verdict(plan, sizes)})
            explained.append({"request": made["request"], "plans": plans})
    finally:
        await connection.close()
    return explained


def _requests(provider: dict[str, Any]) -> dict[str, Request]:
    bearer = {"Authorization": f"Bearer {provider['token']}"}
    cookie = {"Cookie": f"marketplace_session={provider['cookie']}"}
    deep = provider["deep_cursor"]
    return {
        "api, first page": Request("GET", f"{API}?limit={PAGE}", bearer),
        "api, deep page": Request("GET", f"{API}?limit={PAGE}&cursor={deep}", bearer),
        "page, first page": Request("GET", PAGE_PATH, cookie),
        "page, deep page": Request("GET", f"{PAGE_PATH}?cursor={deep}", cookie),
    }


def _baseline_requests(provider: dict[str, Any]) -> dict[str, Request]:
    path = f"/plain/opportunities/{provider['provider']}?limit={PAGE}"
    return {
        "baseline, first page": Request("GET", path),
        "baseline, deep page": Request("GET", f"{path}&cursor={provider['deep_cursor']}"),
    }


async def _prepare(url: str) -> dict[str, Any]:
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine
    from marketplace.migrate import migrate

    bind_engine(current_engine())
    await start_engine()
    try:
        await migrate()
    finally:
        await stop_engine()
    market = await _seed(url)
    market["explained"] = await _explain(url, market["providers"])
    return market


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """Migrate, seed and explain in a process of its own (the marketplace's settings and engine
    are process-wide)."""
    found: dict[str, Any] = in_own_process("feed", "prepare", env=env, timeout_s=900)
    return found


# Load and figures ----------------------------------------------------------------------------


def _memory_mb(pid: int) -> tuple[float, float]:
    """(peak, current) resident memory of a process in MB, from /proc/PID/status."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024)


@dataclass(frozen=True)
class Phase:
    """What wrk measured of one server, and the server's CPU time per answer over the window (a
    figure that the machine's other load moves less than the wall clock)."""

    result: WrkResult
    cpu_ms: float

    def describe(self) -> str:
        r = self.result
        return (
            f"{r.per_second:,.0f} req/s, p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, "
            f"{r.errors} errors, server CPU {self.cpu_ms:.1f} ms a request"
        )


@dataclass(frozen=True)
class FeedFigure:
    name: str
    app: Phase
    baseline: Phase

    @property
    def ratio(self) -> float:
        """The app's throughput as a share of the baseline's."""
        return self.app.result.per_second / self.baseline.result.per_second

    def line(self) -> str:
        met = self.app.result.p99_ms < TARGET_P99_MS and self.app.result.errors == 0
        return (
            f"opportunity feed, {self.name}, {CONNECTIONS} connections: {self.app.describe()}; "
            f"baseline {self.baseline.describe()}; app/baseline {self.ratio:.2f} — "
            f"p99 {'met' if met else 'MISSED'} (target < {TARGET_P99_MS:.0f} ms)"
        )

    def markdown_row(self) -> str:
        app, base = self.app.result, self.baseline.result
        return (
            f"| {self.name} | {app.per_second:,.0f} | {app.p50_ms:.1f} / {app.p99_ms:.1f} | "
            f"{self.app.cpu_ms:.1f} | {base.per_second:,.0f} | {base.p50_ms:.1f} / "
            f"{base.p99_ms:.1f} | {self.baseline.cpu_ms:.1f} | {self.ratio:.2f} | "
            f"{app.errors} |"
        )


@dataclass(frozen=True)
class MemoryFigure:
    peak_mb: float
    current_mb: float

    def line(self) -> str:
        met = "met" if self.peak_mb < TARGET_RSS_MB else "MISSED"
        return (
            f"web process memory under the feed loads: peak RSS {self.peak_mb:.0f} MB (now "
            f"{self.current_mb:.0f} MB) — {met} (target < {TARGET_RSS_MB:.0f} MB)"
        )


MARKDOWN_HEADER = (
    "| request | app req/s | app p50 / p99 ms | app CPU ms a request | baseline req/s "
    "| baseline p50 / p99 ms | baseline CPU ms a request | app/baseline | errors |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def _load(server: Any, connections: list[list[Request]]) -> Phase:
    run_wrk(server.base_url, connections, seconds=WARMUP_S)  # warm-up, discarded
    before = _process_cpu_s(server.pid)
    result = run_wrk(server.base_url, connections, seconds=MEASURE_S)
    used_s = _process_cpu_s(server.pid) - before
    return Phase(result, used_s * 1000 / max(1, result.requests))


def _report_plans(explained: list[dict[str, Any]]) -> None:
    for request in explained:
        say(f"{request['request']}: {len(request['plans'])} SQL statements")
    for request in explained:
        for number, found in enumerate(request["plans"], 1):
            say(f"EXPLAIN {request['request']}, statement {number}: {found['verdict']}")
            say(f"  {' '.join(found['sql'].split())}")
            for line in found["plan"].splitlines():
                say(f"    {line}")


def run() -> list[FeedFigure | MemoryFigure]:
    started = time.perf_counter()
    figures: list[FeedFigure | MemoryFigure] = []
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-feed.")))
        services = stack.enter_context(local_services())
        url = stack.enter_context(bench_database(services["DATABASE_URL"]))
        env = server_environment(url, services, work)
        prepared_at = time.perf_counter()
        market = prepare(env)
        counts = market["counts"]
        say(
            f"set-up: {counts['call_off']:,} open call-offs, {counts['provider']:,} providers, "
            f"{counts['invitation']:,} invitations seeded in {market['seconds']:.1f} s "
            f"(set-up in all, with migrations and EXPLAINs, "
            f"{time.perf_counter() - prepared_at:.1f} s)"
        )
        _report_plans(market["explained"])
        app = stack.enter_context(uvicorn_server("app", APP_FACTORY, env, work))
        baseline = stack.enter_context(uvicorn_server("baseline", BASELINE_FACTORY, env, work))
        providers = market["providers"]
        results: dict[str, Phase] = {}

        def measure(kind: str, server: Any, requests_of: Any) -> Phase:
            phase = _load(server, [[requests_of(p)[kind]] for p in providers])
            say(f"{kind}: {phase.describe()}")
            return phase

        for name in ("first page", "deep page"):
            # The baseline before and after the app (the better of the two is its figure).
            before = measure(f"baseline, {name}", baseline, _baseline_requests)
            for kind in (f"api, {name}", f"page, {name}"):
                results[kind] = measure(kind, app, _requests)
            after = measure(f"baseline, {name}", baseline, _baseline_requests)
            results[f"baseline, {name}"] = max(
                before, after, key=lambda phase: phase.result.per_second
            )
        peak, current = _memory_mb(app.pid)
        for kind in _requests(providers[0]):
            figures.append(
                FeedFigure(kind, results[kind], results[f"baseline, {kind.split(', ')[1]}"])
            )
        figures.append(MemoryFigure(peak, current))
    say(f"done in {time.perf_counter() - started:.0f} s")
    print(MARKDOWN_HEADER)
    for figure in figures:
        if isinstance(figure, FeedFigure):
            print(figure.markdown_row())
    return figures


def _main(arguments: list[str]) -> int:
    if arguments == ["prepare"]:
        import os

        print(json.dumps(asyncio.run(_prepare(os.environ["DATABASE_URL"]))))
        return 0
    print("usage: python -m bench.feed prepare (run by the bench itself)")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
