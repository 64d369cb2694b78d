"""Browser sessions end after 30 idle minutes or 12 hours, and a user can sign out everywhere."""

from __future__ import annotations

from datetime import timedelta

import httpx

from marketplace.accounts.authentication import SESSION_IDLE_TIMEOUT, now
from marketplace.accounts.tables import ApiToken, BrowserSession
from marketplace.app import create_app
from marketplace.audit.tables import AuditEvent
from tests.factories import PASSWORD, bearer, make_organisation, make_user
from tests.support import csrf_token_in, sign_in


async def _signed_in_provider(client: httpx.AsyncClient):
    provider = await make_organisation("provider", cqc_rating="good")
    user, token = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    assert (await client.get("/")).status_code == 200
    return user, token


async def test_a_session_idle_for_30_minutes_is_over(client, db) -> None:
    user, _ = await _signed_in_provider(client)
    await BrowserSession.update(
        {BrowserSession.last_seen_at: now() - SESSION_IDLE_TIMEOUT - timedelta(seconds=1)}
    ).where(BrowserSession.user == user.id)
    home = await client.get("/")
    assert home.status_code == 303
    assert home.headers["location"].startswith("/sign-in")


async def test_a_request_keeps_the_session_alive(client, db) -> None:
    user, _ = await _signed_in_provider(client)
    twenty_minutes_ago = now() - timedelta(minutes=20)
    await BrowserSession.update({BrowserSession.last_seen_at: twenty_minutes_ago}).where(
        BrowserSession.user == user.id
    )
    assert (await client.get("/")).status_code == 200
    row = await BrowserSession.select(BrowserSession.last_seen_at).first()
    assert row is not None and row["last_seen_at"] > now() - timedelta(minutes=1)


async def test_a_session_ends_12_hours_after_sign_in_however_active(client, db) -> None:
    user, _ = await _signed_in_provider(client)
    await BrowserSession.update({BrowserSession.expires_at: now() - timedelta(seconds=1)}).where(
        BrowserSession.user == user.id
    )
    assert (await client.get("/")).status_code == 303


async def test_signing_out_everywhere_ends_every_session_and_token(client, db) -> None:
    user, token = await _signed_in_provider(client)
    other_browser = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="http://testserver.local"
    )
    async with other_browser:
        assert (await sign_in(other_browser, user.email, PASSWORD)).status_code == 303
        assert (await other_browser.get("/")).status_code == 200
        assert (await client.get("/api/v1/lots", headers=bearer(token))).status_code == 200

        page = (await client.get("/")).text
        answer = await client.post("/sign-out-everywhere", data={"csrf_token": csrf_token_in(page)})
        assert answer.status_code == 303
        signed_out = await client.get(answer.headers["location"])
        assert "signed out on every browser" in signed_out.text

        assert (await client.get("/")).status_code == 303
        assert (await other_browser.get("/")).status_code == 303
        assert (await client.get("/api/v1/lots", headers=bearer(token))).status_code == 401
    assert await BrowserSession.count().where(BrowserSession.user == user.id) == 0
    live = (ApiToken.user == user.id) & ApiToken.revoked_at.is_null()
    assert await ApiToken.count().where(live) == 0
    event = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "sign_out_everywhere")
        .first()
    )
    assert event is not None
    assert '"sessions_ended": 2' in event["details"] or '"sessions_ended":2' in event["details"]


async def test_the_api_signs_its_user_out_everywhere(client, db) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    _, token = await make_user(provider.id, "provider")
    answer = await client.post("/api/v1/auth/sign-out-everywhere", headers=bearer(token))
    assert answer.status_code == 200
    assert answer.json() == {"ended": 1}
    assert (await client.get("/api/v1/lots", headers=bearer(token))).status_code == 401


async def test_signing_out_everywhere_needs_the_csrf_token(client, db) -> None:
    user, _ = await _signed_in_provider(client)
    refused = await client.post("/sign-out-everywhere", data={})
    assert refused.status_code == 403
    assert (await client.get("/")).status_code == 200
    assert await BrowserSession.count().where(BrowserSession.user == user.id) == 1
