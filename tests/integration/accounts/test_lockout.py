"""Abuse limits on signing in and on API tokens: per account and per source address."""

from __future__ import annotations

import msgspec

from marketplace.accounts.lockout import (
    ACCOUNT_FAILURES_BEFORE_LOCK,
    ADDRESS_FAILURES_BEFORE_LIMIT,
    LOCK_SECONDS,
)
from marketplace.audit.tables import AuditEvent
from marketplace.notifications.tables import OutboxEntry
from tests.factories import PASSWORD, make_organisation, make_user
from tests.support import sign_in

WRONG = "not-the-password-at-all"


async def _token(client, email: str, password: str):
    return await client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


async def _emails(template: str) -> list[dict[str, object]]:
    rows = await OutboxEntry.select(OutboxEntry.payload).where(OutboxEntry.job == "send_email")
    payloads = [msgspec.json.decode(row["payload"]) for row in rows]
    return [p for p in payloads if p["template"] == template]


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, db) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    user, _ = await make_user(provider.id, "provider")
    for _ in range(ACCOUNT_FAILURES_BEFORE_LOCK):
        assert (await _token(client, user.email, WRONG)).status_code == 401

    locked = await _token(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(locked.headers["retry-after"]) <= LOCK_SECONDS
    assert locked.json()["type"] == "/problems/rate-limited"
    assert "try again in 15 minutes" in locked.json()["detail"]

    events = await AuditEvent.select(AuditEvent.entity_id).where(
        AuditEvent.action == "account_locked"
    )
    assert [event["entity_id"] for event in events] == [str(user.id)]
    emails = await _emails("account_locked")
    assert [email["to"] for email in emails] == [user.email], "the holder is told, once"


async def test_the_sign_in_page_says_why_and_when_to_try_again(client, db) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    user, _ = await make_user(provider.id, "provider")
    for _ in range(ACCOUNT_FAILURES_BEFORE_LOCK):
        assert (await sign_in(client, user.email, WRONG)).status_code == 401
    page = await sign_in(client, user.email, PASSWORD)
    assert page.status_code == 429
    assert "Too many wrong passwords for this email address" in page.text
    assert "govuk-error-summary" in page.text
    assert int(page.headers["retry-after"]) > 0


async def test_a_right_password_clears_the_count(client, db) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    user, _ = await make_user(provider.id, "provider")
    for _round in range(2):
        for _ in range(ACCOUNT_FAILURES_BEFORE_LOCK - 1):
            assert (await _token(client, user.email, WRONG)).status_code == 401
        assert (await _token(client, user.email, PASSWORD)).status_code == 201
    assert await _emails("account_locked") == []


async def test_an_unknown_email_is_locked_alike_and_nobody_is_emailed(client, db) -> None:
    for _ in range(ACCOUNT_FAILURES_BEFORE_LOCK):
        assert (await _token(client, "nobody@example.org", WRONG)).status_code == 401
    assert (await _token(client, "nobody@example.org", WRONG)).status_code == 429
    assert await _emails("account_locked") == []
    assert await AuditEvent.count().where(AuditEvent.action == "account_locked") == 1


async def test_too_many_failures_from_one_address_refuse_that_address(client, db) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    user, _ = await make_user(provider.id, "provider")
    for n in range(ADDRESS_FAILURES_BEFORE_LIMIT):
        # A different email each time: no account reaches its own limit.
        assert (await _token(client, f"spray{n}@example.org", WRONG)).status_code == 401
    refused = await _token(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert "from your network" in refused.json()["detail"]
    assert await AuditEvent.count().where(AuditEvent.action == "sign_in_address_limited") == 1


async def test_with_redis_the_counts_are_shared_by_every_web_process(db, monkeypatch) -> None:
    import httpx

    from marketplace.app import create_app
    from marketplace.config import reset_settings
    from tests.conftest import service_url

    monkeypatch.setenv("REDIS_URL", service_url("REDIS_URL"))
    reset_settings()
    # The counters outlive a run in Redis (15 minutes): start from none, as on a fresh machine.
    from redis.asyncio import Redis

    redis = Redis.from_url(service_url("REDIS_URL"))
    async for key in redis.scan_iter("marketplace:limit:*"):
        await redis.delete(key)
    await redis.aclose()
    provider = await make_organisation("provider", cqc_rating="good")
    user, _ = await make_user(provider.id, "provider")
    first, second = (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://t")
        for _ in range(2)
    )
    async with first, second:
        for n in range(ACCOUNT_FAILURES_BEFORE_LOCK):
            web = first if n % 2 else second
            assert (await _token(web, user.email, WRONG)).status_code == 401
        assert (await _token(first, user.email, PASSWORD)).status_code == 429
        assert (await _token(second, user.email, PASSWORD)).status_code == 429


async def test_a_redis_that_does_not_answer_never_refuses_a_sign_in(db, monkeypatch) -> None:
    import httpx

    from marketplace.app import create_app
    from marketplace.config import reset_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    reset_settings()
    provider = await make_organisation("provider", cqc_rating="good")
    user, _ = await make_user(provider.id, "provider")
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as web:
        assert (await _token(web, user.email, PASSWORD)).status_code == 201
        for _ in range(ACCOUNT_FAILURES_BEFORE_LOCK):
            assert (await _token(web, user.email, WRONG)).status_code == 401
        # Counted in the process meanwhile: the lock still holds.
        assert (await _token(web, user.email, PASSWORD)).status_code == 429
