"""Scale-out: two web processes and two arq workers share one PostgreSQL, Redis, S3 archive and
SMTP server, while 50 providers race two call-offs' deadline through both web processes.

What must hold whatever process served a request or ran a job: every accepted bid was received
before its deadline and is the bid the database keeps; nothing after the deadline is accepted and
nothing is answered with a server error; each call-off is closed and opened exactly once; every
email the outbox holds (invitations, one receipt per accepted bid) is delivered exactly once; and
the audit chain verifies."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from marketplace.archive.bucket import init_archive
from marketplace.audit.tables import AuditEvent
from marketplace.bids.tables import Bid
from marketplace.config import get_settings, reset_settings
from marketplace.notifications.email import message_id
from marketplace.notifications.outbox import SEND_EMAIL
from marketplace.notifications.tables import OutboxEntry
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.conftest import redis_url
from tests.factories import bearer
from tests.integration.archive.test_archive import use_s3
from tests.support_mail import Sink, free_port

REPO = Path(__file__).parents[3]
MARKETPLACE = Path(sys.executable).parent / "marketplace"
PROVIDERS = 50
SECONDS_TO_DEADLINE = 20
START_TIMEOUT_SECONDS = 90
SETTLE_TIMEOUT_SECONDS = 120
PAUSE_SECONDS = 2.0  # between one provider's bids on a call-off: at most 50 bids a second in all
BID = {"accepts_enablement_budget": True, "notes": "racing the deadline"}


@dataclass
class Answer:
    provider: int
    call_off_id: str
    status: int
    sent_at: datetime
    body: dict[str, Any]


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    answer = "nothing"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text()}")
        try:
            response = httpx.get(f"{url}/healthz", timeout=2)
            if response.status_code == 200:
                return
            answer = response.text
        except httpx.HTTPError as exc:
            answer = str(exc)
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer /healthz in {START_TIMEOUT_SECONDS} s ({answer})")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _start(
    processes: list[subprocess.Popen[bytes]], args: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    process = subprocess.Popen(
        [str(MARKETPLACE), *args], env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
    )
    processes.append(process)
    return process


async def _rush(
    urls: list[str], tokens: list[str], call_off_ids: list[str], until: datetime
) -> list[Answer]:
    """Each provider submits, then keeps replacing, its bid on every call-off until `until`,
    going to the two web processes in turn; each bid a penny apart, so versions differ."""
    answers: list[Answer] = []
    # A connection for each request: a kept-alive one that the server closes after its idle
    # timeout just as a request goes out would fail the request before any server saw it.
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def provider(number: int, token: str, call_off_id: str) -> None:
            turn = number
            while datetime.now(UTC) < until:
                rate = 1800 + turn % 50
                sent_at = datetime.now(UTC)
                response = await client.put(
                    f"{urls[turn % len(urls)]}/api/v1/call-offs/{call_off_id}/bid",
                    json={**BID, "hourly_rate_pence": rate},
                    headers=bearer(token),
                )
                answers.append(
                    Answer(number, call_off_id, response.status_code, sent_at, response.json())
                )
                turn += 1
                await asyncio.sleep(PAUSE_SECONDS)

        await asyncio.gather(
            *(
                provider(number, token, call_off_id)
                for number, token in enumerate(tokens)
                for call_off_id in call_off_ids
            )
        )
    return answers


async def _wait_for(check: Any, what: str) -> Any:
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.5)
    pytest.fail(f"{what}: not within {SETTLE_TIMEOUT_SECONDS} s")


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_two_web_processes_and_two_workers_serve_a_deadline_rush_exactly_once(
    db: str,
    client: Any,
    sink: Sink,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    use_s3(monkeypatch)
    await init_archive()
    monkeypatch.setenv("REDIS_URL", redis_url(offset=1))
    monkeypatch.setenv("MARKETPLACE_MIN_DEADLINE_SECONDS", "1")
    reset_settings()
    redis = Redis.from_url(redis_url(offset=1))
    await redis.flushdb()
    await redis.aclose()

    c = await commissioning()
    tokens = [(await admitted_provider(c, f"Provider {n}"))[1] for n in range(PROVIDERS)]

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and key != "MARKETPLACE_CHEAP_PASSWORD_HASHING"
    }
    env.update(
        {
            "DATABASE_URL": get_settings().database_url,
            "MARKETPLACE_VAR_DIR": str(get_settings().var_dir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    urls = []
    for number in range(2):
        port = free_port()
        log = tmp_path / f"web{number}.log"
        web = _start(processes, ["run", "--port", str(port)], env, log)
        urls.append(f"http://127.0.0.1:{port}")
        _wait_until_serving(urls[-1], web, log)
    for number in range(2):
        _start(processes, ["worker"], env, tmp_path / f"worker{number}.log")

    call_off_ids = []
    for number, package in enumerate(("1", "3")):
        body = enablement_body(
            c,
            title=f"Enablement at home, Ashford ({number + 1})",
            package_ids=[str(c.packages[package])],
        )
        created = await client.post("/api/v1/call-offs", json=body, headers=bearer(c.token))
        assert created.status_code == 201, created.text
        call_off_ids.append(created.json()["id"])
    # The drafts take one deadline a few seconds ahead just before publication.
    deadline = datetime.now(UTC) + timedelta(seconds=SECONDS_TO_DEADLINE)
    for call_off_id in call_off_ids:
        changed = await client.patch(
            f"/api/v1/call-offs/{call_off_id}",
            json={"deadline": deadline.isoformat()},
            headers=bearer(c.token),
        )
        assert changed.status_code == 200, changed.text
        published = await client.post(
            f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
        )
        assert published.status_code == 200, published.text

    answers = await _rush(urls, tokens, call_off_ids, deadline + timedelta(seconds=2))

    statuses = Counter(answer.status for answer in answers)
    assert set(statuses) <= {200, 201, 409}, statuses
    accepted = [a for a in answers if a.status in (200, 201)]
    refused = [a for a in answers if a.status == 409]
    assert accepted and refused, (statuses, [a.body for a in answers[:3]])
    assert all(datetime.fromisoformat(a.body["received_at"]) < deadline for a in accepted)
    # Late: the deadline passed, or the call-off is already closed (a loaded machine may serve a
    # request sent before the deadline after it: its own clock then says it is late).
    assert all("no longer be" in a.body["detail"] for a in refused), refused[0].body
    assert max(a.sent_at for a in accepted) < deadline

    # The database keeps exactly the last accepted version of each provider's bid.
    last: dict[tuple[int, str], Answer] = {}
    for a in accepted:
        key = (a.provider, a.call_off_id)
        if key not in last or a.body["version"] > last[key].body["version"]:
            last[key] = a
    kept = await Bid.select(Bid.id, Bid.call_off, Bid.version)
    assert sorted((str(b["call_off"]), b["version"]) for b in kept) == sorted(
        (a.call_off_id, a.body["version"]) for a in last.values()
    )
    versions = Counter((a.provider, a.call_off_id) for a in accepted)
    assert all(last[key].body["version"] == count for key, count in versions.items()), (
        "no version lost or doubled between the two web processes"
    )

    async def opened() -> bool:
        rows = await CallOff.select(CallOff.status).where(CallOff.id.is_in(call_off_ids))
        return all(row["status"] not in ("published", "closed") for row in rows)

    await _wait_for(opened, "both call-offs closed and opened")

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.entity_id).where(
        AuditEvent.action.is_in(["close_call_off", "open_bids"])
    )
    assert Counter((e["action"], e["entity_id"]) for e in events) == {
        (action, call_off_id): 1
        for action in ("close_call_off", "open_bids")
        for call_off_id in call_off_ids
    }

    async def all_delivered() -> list[dict[str, Any]] | None:
        now = datetime.now(UTC)
        entries = await OutboxEntry.select().where(
            (OutboxEntry.job == SEND_EMAIL) & (OutboxEntry.due_at <= now)
        )
        return None if any(e["status"] != "done" for e in entries) else entries

    entries = await _wait_for(all_delivered, "every email due delivered")
    templates = Counter(json.loads(e["payload"])["template"] for e in entries)
    assert templates["bid_receipt"] == len(accepted), "one receipt per accepted bid"
    sent = Counter(sink.wait_for(len(entries), timeout=30))
    assert sent == Counter(message_id(e["id"]) for e in entries), (
        "every outbox entry delivered exactly once, by whichever worker took it"
    )

    verified = await asyncio.to_thread(
        subprocess.run,
        [str(MARKETPLACE), "audit", "verify"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
