"""The deadline rush: 2,000 invited providers, each with its own API token, submit and then replace
their bids on one enablement call-off over the last ~10 seconds before its deadline, and on for a
few seconds after it. On PostgreSQL with Redis, the web process under uvicorn and the real
`marketplace worker` (arq, both lanes) running throughout: the close at the deadline is the
deadline lane's outbox job (docs/design.md 6.1), and the receipts are mailed by the mail lane while
the load runs.

The load comes from wrk (bench/_wrk.py): CONNECTIONS connections, each with a disjoint slice of the
providers, sending for each of its providers the submission and then the replacement (two rates),
in turn, and again from its first provider when all have been sent. The baseline, loaded in the
same run by the same server and worker with the same requests, is the app at steady state: a
second call-off, published to the same providers, whose deadline is two days away, loaded for
STEADY_S before the rush and again after it.

Targets (issue 17): no errors (every answer before the deadline a 2xx, every answer after it the
refusal, 409 "the deadline has passed" or, once the close has committed, "the call-off is
closed"; no 5xx, no failed or timed-out request), nothing accepted after the deadline, the close
within 2 s of the deadline; the p99 is reported. Everything is read back from the database: each accepted version (its audit event, with the time it was received
under the call-off's lock) against the deadline, every refusal's audit event, the bid rows, the
close's outbox entry (done less due, as bench/closes_first.py measures it) and the call-off's
status after it (evaluated: the close opens the bids, quorum 1, and evaluates them).

The set-up: one provider admitted through the app's services (tests/call_off_fixtures.py), then
copied to PROVIDERS providers by set-based SQL (its organisation, user, API token, admission and
admission area, each with ids, names and a token of its own); two call-offs published to them
through the API. The invitation emails of the set-up are postponed (not sent: the fan-out is not
what is measured here), and so are the steady state's receipts left unsent when it ends, so that
both loads start with the same empty mail queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from bench import in_own_process
from bench._wrk import Request, WrkResult, run_wrk
from bench.bid_submission import (
    bench_database,
    drain_outbox,
    local_services,
    published_call_off,
    server_environment,
    uvicorn_server,
    worker_process,
)

PROVIDERS = 2_000
CONNECTIONS = 100  # each with PROVIDERS / CONNECTIONS providers of its own
BEFORE_S = 10.0  # the load starts this long before the deadline
AFTER_S = 3.0  # and runs on this long after it
STEADY_S = 10.0  # the baseline: the same load, far from any deadline
RATES = (1900, 1850)  # the submission's hourly rate, then the replacement's
TARGET_CLOSE_S = 2.0
CLOSE_TIMEOUT_S = 120.0
APP_FACTORY = "marketplace.app:create_app"
# The refusal after the deadline (problem+json): "the deadline has passed", or once the close has
# committed "the call-off is closed". Anything else (a 422 included) counts as an error.
REFUSALS = (409,)


def say(text: str) -> None:
    print(f"  {text}", flush=True)


# The set-up (in a process of its own: the marketplace's settings and engine are process-wide) ---


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _copy_rows(
    connection: Any, table: str, template_id: UUID, columns: dict[str, tuple[str, list[Any]]]
) -> None:
    """Insert one copy of `table`'s row `template_id` per entry of the lists in `columns` (a
    column: its SQL type and its values), every other column as the template has it."""
    names = [
        row["column_name"]
        for row in await connection.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            table,
        )
    ]
    unknown = set(columns) - set(names)
    if unknown:
        raise RuntimeError(f"{table} has no column {', '.join(sorted(unknown))}")
    given = list(columns)
    arrays = ", ".join(f"${n + 2}::{columns[name][0]}[]" for n, name in enumerate(given))
    chosen = ", ".join(
        f"u.{_quoted(name)}" if name in columns else f"t.{_quoted(name)}" for name in names
    )
    statement = (
        f"INSERT INTO {_quoted(table)} ({', '.join(_quoted(name) for name in names)}) "  # noqa: S608 (names from the catalogue)
        f"SELECT {chosen} FROM {_quoted(table)} t, "
        f"unnest({arrays}) AS u({', '.join(_quoted(name) for name in given)}) WHERE t.id = $1"
    )
    await connection.execute(statement, template_id, *(values for _, values in columns.values()))


async def _copy_provider(template_id: UUID, copies: int) -> list[str]:
    """`copies` providers like the admitted provider `template_id`, each with its own user, API
    token, admission and admission areas; their tokens."""
    import asyncpg

    from marketplace.accounts.authentication import API_TOKEN_PREFIX, digest

    tokens = [API_TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in range(copies)]
    organisations = [uuid4() for _ in range(copies)]
    users = [uuid4() for _ in range(copies)]
    connection = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        async with connection.transaction():
            user_id = await connection.fetchval(
                "SELECT id FROM app_user WHERE organisation = $1", template_id
            )
            token_id = await connection.fetchval(
                'SELECT id FROM api_token WHERE "user" = $1', user_id
            )
            admission_id = await connection.fetchval(
                "SELECT id FROM admission WHERE provider = $1", template_id
            )
            admissions = [uuid4() for _ in range(copies)]
            await _copy_rows(
                connection,
                "organisation",
                template_id,
                {
                    "id": ("uuid", organisations),
                    "name": ("text", [f"Rush Home Care {n + 1:04d}" for n in range(copies)]),
                },
            )
            await _copy_rows(
                connection,
                "app_user",
                user_id,
                {
                    "id": ("uuid", users),
                    "organisation": ("uuid", organisations),
                    "email": ("text", [f"rush{n + 1:04d}@example.org" for n in range(copies)]),
                },
            )
            await _copy_rows(
                connection,
                "api_token",
                token_id,
                {
                    "id": ("uuid", [uuid4() for _ in range(copies)]),
                    "token_hash": ("text", [digest(token) for token in tokens]),
                    "user": ("uuid", users),
                },
            )
            await _copy_rows(
                connection,
                "admission",
                admission_id,
                {
                    "id": ("uuid", admissions),
                    "provider": ("uuid", organisations),
                    "applied_by": ("uuid", users),
                },
            )
            for (area_row,) in await connection.fetch(
                "SELECT id FROM admission_area WHERE admission = $1", admission_id
            ):
                await _copy_rows(
                    connection,
                    "admission_area",
                    area_row,
                    {
                        "id": ("uuid", [uuid4() for _ in range(copies)]),
                        "admission": ("uuid", admissions),
                    },
                )
    finally:
        await connection.close()
    return tokens


async def _prepare(providers: int) -> dict[str, Any]:
    """Migrate; a commissioner; `providers` admitted providers each with a user and a token;
    two enablement call-offs (two days ahead) published to all of them."""
    import httpx

    from marketplace.app import create_app
    from marketplace.binding import bind_engine
    from marketplace.db import current_engine, start_engine, stop_engine
    from marketplace.migrate import migrate
    from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, in_days

    bind_engine(current_engine())
    await start_engine()
    try:
        await migrate()
        market = await commissioning("Rush County Council")
        template, token = await admitted_provider(market, "Rush Home Care 0000")
        tokens = [token, *await _copy_provider(template.id, providers - 1)]
        call_offs = {}
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            for name, package in (("steady", "1"), ("rush", "2")):
                body = enablement_body(
                    market,
                    title=f"Enablement at home ({name}, bench)",
                    package_ids=[str(market.packages[package])],
                    deadline=in_days(2),
                )
                call_off_id = await published_call_off(client, market.token, body, providers)
                call_offs[name] = call_off_id
        return {"call_offs": call_offs, "tokens": tokens}
    finally:
        await stop_engine()


def prepare(env: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    found = in_own_process("deadline_rush", "prepare", str(PROVIDERS), env=env, timeout_s=900)
    return found["call_offs"], found["tokens"]


# The database, read and moved by the bench -----------------------------------------------------


async def _query(url: str, query: str, *arguments: Any) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(query, *arguments))
    finally:
        await connection.close()


def query(url: str, statement: str, *arguments: Any) -> list[Any]:
    return asyncio.run(_query(url, statement, *arguments))


def postpone_mail(url: str) -> int:
    """Put the pending emails a day off (the set-up's invitations, the last load's receipts), so
    that the next load starts with an empty mail queue; how many."""
    rows = query(
        url,
        "UPDATE outbox_entry SET due_at = due_at + interval '1 day' "
        "WHERE job = 'send_email' AND status = 'pending' AND due_at <= now() + interval '1 hour' "
        "RETURNING id",
    )
    return len(rows)


def set_deadline(url: str, call_off_id: str, deadline: datetime) -> None:
    """Move the call-off's deadline and its scheduled close (as bench/closes_first.py does)."""
    query(
        url,
        "WITH moved AS (UPDATE call_off SET deadline = $2 WHERE id = $1::text::uuid RETURNING id) "
        "UPDATE outbox_entry SET due_at = $2, run_at = $2 "
        "WHERE job = 'close_call_off' AND status = 'pending' "
        "AND payload::jsonb ->> 'call_off_id' = $1::text AND EXISTS (SELECT 1 FROM moved)",
        call_off_id,
        deadline,
    )


def wait_for_close(url: str, call_off_id: str) -> Any:
    """The close's outbox entry, once it is done."""
    give_up = time.monotonic() + CLOSE_TIMEOUT_S
    while time.monotonic() < give_up:
        rows = query(
            url,
            "SELECT due_at, enqueued_at, done_at, status, attempts, last_error FROM outbox_entry "
            "WHERE job = 'close_call_off' AND payload::jsonb ->> 'call_off_id' = $1::text",
            call_off_id,
        )
        if rows and rows[0]["status"] in ("done", "failed"):
            return rows[0]
        time.sleep(0.1)
    raise RuntimeError(f"the close was not done {CLOSE_TIMEOUT_S:.0f} s after its deadline")


def close_timeline(url: str, call_off_id: str, deadline: datetime, close: Any) -> str:
    """When the close's entry was handed to arq, and what the close recorded (the call-off's audit
    events other than refusals), in seconds after the deadline."""
    events = query(
        url,
        "SELECT action, min(occurred_at) AS at, count(*) AS n FROM audit_event "
        "WHERE entity_id = $1::text AND action <> 'refused_bid' AND occurred_at >= $2 "
        "GROUP BY action ORDER BY min(occurred_at)",
        call_off_id,
        deadline - timedelta(seconds=1),
    )

    def after(moment: datetime | None) -> str:
        return "-" if moment is None else f"{(moment - deadline).total_seconds():+.2f} s"

    steps = [f"handed to arq {after(close['enqueued_at'])}"]
    steps += [f"{event['action']} {after(event['at'])}" for event in events]
    steps.append(f"done {after(close['done_at'])}")
    return ", ".join(steps)


# The load ------------------------------------------------------------------------------------


def connections(call_off_id: str, tokens: list[str]) -> list[list[Request]]:
    """CONNECTIONS disjoint slices of the providers; each provider's submission, then its
    replacement."""
    path = f"/api/v1/call-offs/{call_off_id}/bid"
    slices: list[list[Request]] = [[] for _ in range(CONNECTIONS)]
    for n, token in enumerate(tokens):
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for rate in RATES:
            body = json.dumps({"hourly_rate_pence": rate, "accepts_enablement_budget": True})
            slices[n % CONNECTIONS].append(Request("PUT", path, headers, body))
    return slices


@dataclass(frozen=True)
class Versions:
    """What the database holds of one call-off's bids after a load."""

    accepted: int  # versions accepted (audit events submit_bid / replace_bid)
    refused: int  # refusals audited (refused_bid)
    bids: int  # bid rows: providers with an accepted submission
    versions: int  # the sum of the bids' versions
    replaced: int  # bids replaced at least once
    receipts: int  # receipt emails written
    first_received: datetime | None
    last_received: datetime | None
    after_deadline: int  # versions received at or after the deadline
    first_refused: datetime | None
    refused_deadline: int  # refusals audited as "the deadline has passed"
    refused_after_close: int  # refusals audited as "the call-off is closed" (or evaluated)


def versions(url: str, call_off_id: str, deadline: datetime | None = None) -> Versions:
    [row] = query(
        url,
        """
        WITH accepted AS (
            SELECT (details::jsonb ->> 'received_at')::timestamptz AS received_at
            FROM audit_event
            WHERE action IN ('submit_bid', 'replace_bid')
              AND details::jsonb ->> 'call_off_id' = $1::text
        ), refused AS (
            SELECT occurred_at, details::jsonb ->> 'reason' AS reason FROM audit_event
            WHERE action = 'refused_bid' AND entity_id = $1::text
        )
        SELECT (SELECT count(*) FROM accepted) AS accepted,
               (SELECT count(*) FROM refused) AS refused,
               (SELECT count(*) FROM bid WHERE call_off = $1::text::uuid) AS bids,
               (SELECT coalesce(sum(version), 0) FROM bid WHERE call_off = $1::text::uuid) AS versions,
               (SELECT count(*) FROM bid WHERE call_off = $1::text::uuid AND version > 1) AS replaced,
               (SELECT count(*) FROM outbox_entry WHERE job = 'send_email'
                  AND payload::jsonb ->> 'template' = 'bid_receipt'
                  AND payload::jsonb -> 'context' ->> 'call_off_id' = $1::text) AS receipts,
               (SELECT min(received_at) FROM accepted) AS first_received,
               (SELECT max(received_at) FROM accepted) AS last_received,
               (SELECT count(*) FROM accepted WHERE received_at >= $2) AS after_deadline,
               (SELECT min(occurred_at) FROM refused) AS first_refused,
               (SELECT count(*) FROM refused WHERE reason LIKE '%deadline%has passed%')
                   AS refused_deadline,
               (SELECT count(*) FROM refused
                WHERE reason LIKE '%can no longer be submitted: the call-off is %')
                   AS refused_after_close
        """,
        call_off_id,
        deadline or datetime.max.replace(tzinfo=UTC),
    )
    return Versions(**dict(row))


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """One load: what wrk saw and what the database holds."""

    name: str
    wrk: WrkResult
    rows: Versions

    @property
    def refusals(self) -> int:
        return self.wrk.answered(*REFUSALS)

    @property
    def errors(self) -> int:
        """Answers that are neither a 2xx nor the refusal, and failed or timed-out requests."""
        return self.wrk.requests - self.wrk.successes - self.refusals + self.wrk.socket_errors

    def describe(self) -> str:
        statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(self.wrk.statuses.items()))
        return (
            f"{self.wrk.requests:,} requests in {self.wrk.seconds:.1f} s "
            f"({self.wrk.per_second:,.0f} req/s; {statuses}), p50 {self.wrk.p50_ms:.1f} ms, "
            f"p99 {self.wrk.p99_ms:.1f} ms, max {self.wrk.max_ms:.1f} ms, "
            f"{self.wrk.socket_errors} failed or timed out"
        )


@dataclass(frozen=True)
class RushFigure:
    steady: list[Phase]  # before the rush and after it
    rush: Phase
    deadline: datetime
    close_delay_s: float
    status: str  # the call-off's, after the close

    @property
    def steady_per_second(self) -> float:
        return sum(phase.wrk.requests for phase in self.steady) / sum(
            phase.wrk.seconds for phase in self.steady
        )

    @property
    def steady_p99_ms(self) -> float:
        """The mean of the steady phases' p99s."""
        return sum(phase.wrk.p99_ms for phase in self.steady) / len(self.steady)

    def verdicts(self) -> list[str]:
        def verdict(ok: bool) -> str:
            return "met" if ok else "MISSED"

        return [
            f"errors {verdict(self.rush.errors == 0)} (target 0)",
            f"accepted after the deadline {verdict(self.rush.rows.after_deadline == 0)} (target 0)",
            f"close {verdict(self.close_delay_s < TARGET_CLOSE_S)} "
            f"(target < {TARGET_CLOSE_S:.0f} s)",
        ]

    def line(self) -> str:
        rush = self.rush
        return (
            f"deadline rush, {PROVIDERS:,} providers over {CONNECTIONS} connections: "
            f"{rush.wrk.per_second:,.0f} req/s, p50 {rush.wrk.p50_ms:.1f} ms, "
            f"p99 {rush.wrk.p99_ms:.1f} ms; {rush.rows.accepted:,} accepted before the deadline "
            f"({rush.rows.bids:,} providers, {rush.rows.replaced:,} replaced), "
            f"{rush.refusals:,} refused after it, {rush.errors} errors, "
            f"{rush.rows.after_deadline} accepted after it; close {self.close_delay_s:.2f} s "
            f"after the deadline (call-off then {self.status}); baseline (the app at steady "
            f"state, deadline two days away, before and after the rush) "
            f"{self.steady_per_second:,.0f} req/s, p99 {self.steady_p99_ms:.1f} ms; rush/steady "
            f"throughput {rush.wrk.per_second / self.steady_per_second:.2f}, p99 "
            f"{rush.wrk.p99_ms / self.steady_p99_ms:.2f} — {', '.join(self.verdicts())}"
        )


MARKDOWN_HEADER = (
    "| load | requests | req/s | 2xx | refused (409) | errors | p50 / p99 ms |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def markdown_row(phase: Phase) -> str:
    wrk = phase.wrk
    return (
        f"| {phase.name} | {wrk.requests:,} | {wrk.per_second:,.0f} | {wrk.successes:,} | "
        f"{phase.refusals:,} | {phase.errors} | {wrk.p50_ms:.1f} / {wrk.p99_ms:.1f} |"
    )


# In the bench's own process ------------------------------------------------------------------


def smoke_test(base_url: str, call_off_id: str, token: str) -> None:
    import httpx

    answer = httpx.put(
        f"{base_url}/api/v1/call-offs/{call_off_id}/bid",
        json={"hourly_rate_pence": RATES[0], "accepts_enablement_budget": True},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"the app's answer to a bid: {answer.status_code} {answer.text}")


def check(phases: list[Phase], rows: Versions, smoke: int) -> None:
    """Every 2xx of these loads (of one call-off) is an accepted version in its rows, every
    refusal an audited one. A request in flight when wrk stops (at most one per connection) is
    answered and written but not counted by wrk: up to CONNECTIONS more in the rows than in
    wrk's counts, for each load."""
    problems = []
    successes = sum(phase.wrk.successes for phase in phases) + smoke
    refusals = sum(phase.refusals for phase in phases)
    in_flight = CONNECTIONS * len(phases)

    def tally(what: str, written: int, answered: int) -> None:
        if not 0 <= written - answered <= in_flight:
            problems.append(f"{written} {what} written for {answered} answered")

    tally("versions audited", rows.accepted, successes)
    tally("refusals audited", rows.refused, refusals)
    others = rows.refused - rows.refused_deadline - rows.refused_after_close
    if others:
        problems.append(f"{others} refusals for another reason than the deadline or the close")
    unanswered = rows.accepted - successes + rows.refused - refusals
    if unanswered > in_flight:
        problems.append(f"{unanswered} requests written but not answered within the load")
    if rows.versions != rows.accepted or rows.receipts != rows.accepted:
        problems.append(
            f"{rows.versions} bid versions and {rows.receipts} receipts for "
            f"{rows.accepted} accepted"
        )
    if problems:
        names = ", ".join(phase.name for phase in phases)
        raise AssertionError(f"deadline rush bench, {names}: " + "; ".join(problems))


def steady_state(base_url: str, url: str, call_off_id: str, tokens: list[str], when: str) -> Phase:
    """The same load on the call-off whose deadline is two days away."""
    phase = Phase(
        f"steady state {when} (deadline two days away)",
        run_wrk(base_url, connections(call_off_id, tokens), seconds=STEADY_S),
        versions(url, call_off_id),
    )
    say(f"steady state {when}: {phase.describe()}")
    say(f"{postpone_mail(url):,} receipt emails of the steady state postponed")
    return phase


@contextlib.contextmanager
def _timed(what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    say(f"{what} in {time.perf_counter() - started:.1f} s")


def run() -> list[RushFigure]:
    started = time.perf_counter()
    say(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start")
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-rush.")))
        services = stack.enter_context(local_services())
        if not services.get("REDIS_URL"):
            raise RuntimeError("the deadline rush needs Redis (REDIS_URL) for the worker")
        url = stack.enter_context(bench_database(services["DATABASE_URL"]))
        env = server_environment(url, services, work)
        with _timed(f"set-up: {PROVIDERS:,} providers invited to two enablement call-offs"):
            call_offs, tokens = prepare(env)
        say(f"{postpone_mail(url):,} invitation emails postponed (not sent)")
        drain_outbox(url, env, work)  # anything else due
        server = stack.enter_context(uvicorn_server("app", APP_FACTORY, env, work))
        stack.enter_context(worker_process(env, work))
        smoke_test(server.base_url, call_offs["steady"], tokens[0])

        steady = [steady_state(server.base_url, url, call_offs["steady"], tokens, "before")]

        load = connections(call_offs["rush"], tokens)
        deadline = datetime.now(UTC) + timedelta(seconds=BEFORE_S)
        set_deadline(url, call_offs["rush"], deadline)
        answers = run_wrk(server.base_url, load, seconds=BEFORE_S + AFTER_S)
        close = wait_for_close(url, call_offs["rush"])
        rush = Phase(
            f"the last {BEFORE_S:.0f} s before the deadline and {AFTER_S:.0f} s after",
            answers,
            versions(url, call_offs["rush"], deadline),
        )
        say(f"rush: {rush.describe()}")
        say(
            f"rush: versions received {rush.rows.first_received:%H:%M:%S.%f} to "
            f"{rush.rows.last_received:%H:%M:%S.%f}, deadline {deadline:%H:%M:%S.%f}, first "
            f"refusal {rush.rows.first_refused:%H:%M:%S.%f}; close entry {close['status']} "
            f"after {close['attempts']} attempt(s) {close['last_error'] or ''}; refusals audited: "
            f"{rush.rows.refused_deadline} 'the deadline has passed', "
            f"{rush.rows.refused_after_close} 'the call-off is closed' (or evaluated)"
        )
        say(f"the close: {close_timeline(url, call_offs['rush'], deadline, close)}")
        check([rush], rush.rows, smoke=0)
        postpone_mail(url)
        steady.append(steady_state(server.base_url, url, call_offs["steady"], tokens, "after"))
        check(steady, steady[-1].rows, smoke=1)
        [status] = query(
            url, "SELECT status FROM call_off WHERE id = $1::text::uuid", call_offs["rush"]
        )
        figure = RushFigure(
            steady=steady,
            rush=rush,
            deadline=deadline,
            close_delay_s=(close["done_at"] - close["due_at"]).total_seconds(),
            status=status["status"],
        )
    say(f"done in {time.perf_counter() - started:.0f} s")
    print(MARKDOWN_HEADER)
    for phase in (steady[0], rush, steady[1]):
        print(markdown_row(phase))
    return [figure]


def _main(arguments: list[str]) -> int:
    if len(arguments) == 2 and arguments[0] == "prepare":
        print(json.dumps(asyncio.run(_prepare(int(arguments[1])))))
        return 0
    print("usage: python -m bench.deadline_rush prepare PROVIDERS (run by the bench itself)")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
