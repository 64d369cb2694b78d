"""Keeping the second factor up: a platform admin resets a user's lost authenticator (API and a
check page asking the reason; audited, the user's sessions and tokens ended, the user emailed,
sent to enrolment at the next sign-in), a user who passed the second factor makes new recovery
codes (the old ones stop working at once), and a session opened without the second factor by a
user who now needs it is sent through it on its next request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pyotp
import pytest

from marketplace.accounts import two_factor
from marketplace.accounts.tables import ApiToken, BrowserSession, RecoveryCode, TwoFactor
from marketplace.app import create_app
from marketplace.audit.tables import AuditEvent
from marketplace.notifications.relay import run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from tests.factories import PASSWORD, bearer, make_admin, make_organisation, make_user
from tests.integration.accounts.test_two_factor import enrol, go_to_production, https_client
from tests.support import csrf_token_in, sign_in
from tests.support_mail import Sink

__all__ = ["https_client"]  # the fixture, used by name


def code_in(secret: str, steps: int) -> str:
    """The authenticator's code `steps` 30-second steps from now (one step of drift is accepted;
    a step once used is refused, so a test giving two codes takes a later step the second time)."""
    return str(pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30 * steps)))


async def _emails(template: str) -> list[dict[str, Any]]:
    rows = await OutboxEntry.select(OutboxEntry.payload).where(OutboxEntry.job == "send_email")
    payloads = [msgspec.json.decode(row["payload"]) for row in rows]
    return [p for p in payloads if p["template"] == template]


async def _events(action: str) -> list[dict[str, Any]]:
    rows = await AuditEvent.select().where(AuditEvent.action == action)
    return [{**row, "details": msgspec.json.decode(row["details"] or "{}")} for row in rows]


async def _browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="http://testserver.local"
    )


async def _token(client: httpx.AsyncClient, email: str, code: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "code": code}
    )


async def _code_sign_in(client: httpx.AsyncClient, email: str, code: str) -> None:
    await sign_in(client, email)
    form = await client.get("/sign-in/code")
    passed = await client.post(
        "/sign-in/code", data={"csrf_token": csrf_token_in(form.text), "code": code}
    )
    assert passed.status_code == 303, passed.text


async def test_an_admin_resets_a_lost_authenticator_through_the_api_with_a_reason(
    client: Any, sink: Sink
) -> None:
    commissioner = await make_organisation("commissioner")
    officer, first_token = await make_user(commissioner.id, "opener")
    secret, codes = await enrol(officer.id, officer.email)
    token = (await _token(client, officer.email, code_in(secret, 1))).json()["token"]
    async with await _browser() as browser:
        await _code_sign_in(browser, officer.email, codes[0])
        assert (await browser.get("/call-offs")).status_code == 200
        admin, admin_token = await make_admin()

        reset = await client.post(
            f"/api/v1/users/{officer.id}/reset-two-factor",
            json={"reason": "Lost phone; confirmed by a call to her manager"},
            headers=bearer(admin_token),
        )
        assert reset.status_code == 200, reset.text
        assert reset.json() == {
            "user_id": str(officer.id),
            "sessions_ended": 1,
            "tokens_revoked": 2,
        }
        assert (await browser.get("/call-offs")).status_code == 303
    for revoked in (first_token, token):
        assert (await client.get("/api/v1/lots", headers=bearer(revoked))).status_code == 401
    assert await TwoFactor.count().where(TwoFactor.user == officer.id) == 0
    assert await RecoveryCode.count().where(RecoveryCode.user == officer.id) == 0
    assert await BrowserSession.count().where(BrowserSession.user == officer.id) == 0
    live = (ApiToken.user == officer.id) & ApiToken.revoked_at.is_null()
    assert await ApiToken.count().where(live) == 0

    [event] = await _events("reset_two_factor")
    assert event["actor_email"] == admin.email
    assert event["entity_id"] == str(officer.id)
    assert event["organisation_id"] == commissioner.id
    assert event["details"]["reason"] == "Lost phone; confirmed by a call to her manager"
    assert event["details"]["sessions_ended"] == 1 and event["details"]["tokens_revoked"] == 2
    [email] = await _emails("two_factor_reset")
    assert email["to"] == officer.email
    assert email["context"]["reason"] == "Lost phone; confirmed by a call to her manager"
    await run_due_in_process()
    [sent] = [m for m in sink.messages if m["Subject"] == "Your two-factor sign-in was reset"]
    assert sent["To"] == officer.email
    text = sent.get_payload(0).get_payload(decode=True).decode()
    assert "confirmed by a call to her manager" in text and "signed out everywhere" in text

    signed = await sign_in(client, officer.email)
    assert signed.headers["location"] == "/", "in development the officer signs straight in"
    again = await client.post(
        f"/api/v1/users/{officer.id}/reset-two-factor",
        json={"reason": "twice"},
        headers=bearer(admin_token),
    )
    assert again.status_code == 409 and "nothing to reset" in again.json()["detail"]


async def test_a_reset_needs_a_reason_an_admin_and_someone_else_enrolled(client: Any) -> None:
    provider = await make_organisation("provider")
    user, user_token = await make_user(provider.id, "provider")
    await enrol(user.id, user.email)
    admin, admin_token = await make_admin()
    await enrol(admin.id, admin.email)
    route = f"/api/v1/users/{user.id}/reset-two-factor"

    blank = await client.post(route, json={"reason": "   "}, headers=bearer(admin_token))
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "reason"
    missing = await client.post(route, json={}, headers=bearer(admin_token))
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    not_admin = await client.post(route, json={"reason": "x"}, headers=bearer(user_token))
    assert not_admin.status_code == 403
    myself = await client.post(
        f"/api/v1/users/{admin.id}/reset-two-factor",
        json={"reason": "my own"},
        headers=bearer(admin_token),
    )
    assert myself.status_code == 409 and "another platform admin" in myself.json()["detail"]
    unknown = await client.post(
        "/api/v1/users/00000000-0000-0000-0000-000000000000/reset-two-factor",
        json={"reason": "x"},
        headers=bearer(admin_token),
    )
    assert unknown.status_code == 404
    assert await two_factor.is_enrolled(user.id) and await two_factor.is_enrolled(admin.id)
    assert await _events("reset_two_factor") == []
    assert await _emails("two_factor_reset") == []


async def test_an_admin_resets_through_a_check_page_and_the_user_must_enrol_again_in_production(
    https_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    commissioner = await make_organisation("commissioner", name="Northshire")
    officer, _ = await make_user(commissioner.id, "commissioner")
    colleague, _ = await make_user(commissioner.id, "commissioner")
    await enrol(officer.id, officer.email)
    admin, _ = await make_admin()
    admin_secret, admin_codes = await enrol(admin.id, admin.email)
    go_to_production(monkeypatch)
    await _code_sign_in(https_client, admin.email, code_in(admin_secret, 1))

    organisation = await https_client.get(f"/admin/organisations/{commissioner.id}")
    assert f'id="reset-two-factor-{officer.id}"' in organisation.text
    assert f'id="reset-two-factor-{colleague.id}"' not in organisation.text, "not enrolled"
    check = await https_client.get(f"/admin/users/{officer.id}/reset-two-factor")
    assert check.status_code == 200
    assert officer.email in check.text and "signed out everywhere" in check.text
    assert await two_factor.is_enrolled(officer.id), "the check page writes nothing"
    nothing_to_reset = await https_client.get(f"/admin/users/{colleague.id}/reset-two-factor")
    assert nothing_to_reset.status_code == 409

    no_reason = await https_client.post(
        f"/admin/users/{officer.id}/reset-two-factor",
        data={"csrf_token": csrf_token_in(check.text), "reason": " "},
    )
    assert no_reason.status_code == 400 and "Enter the reason for the reset" in no_reason.text
    assert await two_factor.is_enrolled(officer.id)
    done = await https_client.post(
        f"/admin/users/{officer.id}/reset-two-factor",
        data={"csrf_token": csrf_token_in(check.text), "reason": "New phone, old one wiped"},
    )
    assert done.status_code == 303
    # The banner travels in a one-time cookie, not in the address (web/banners.py).
    assert done.headers["location"] == f"/admin/organisations/{commissioner.id}"
    banner = await https_client.get(done.headers["location"])
    assert "two-factor sign-in is reset" in banner.text
    assert not await two_factor.is_enrolled(officer.id)
    [event] = await _events("reset_two_factor")
    assert event["details"]["reason"] == "New phone, old one wiped"
    [email] = await _emails("two_factor_reset")
    assert email["to"] == officer.email and email["context"]["required"] is True
    assert len(admin_codes) == 10

    https_client.cookies.clear()
    sent = await sign_in(https_client, officer.email)
    assert sent.headers["location"] == "/two-factor/enrol?next=/"


async def test_a_user_who_passed_the_second_factor_makes_new_recovery_codes_in_the_browser(
    client: Any,
) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    _, old_codes = await enrol(user.id, user.email)
    await _code_sign_in(client, user.email, old_codes[0])

    page = await client.get("/two-factor/enrol")
    assert 'id="codes-left">9<' in page.text and "Make new recovery codes" in page.text
    made = await client.post(
        "/two-factor/recovery-codes", data={"csrf_token": csrf_token_in(page.text)}
    )
    assert made.status_code == 200 and "Your new recovery codes" in made.text
    new_codes = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", made.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert await two_factor.recovery_codes_left(user.id) == 10
    [event] = await _events("regenerate_recovery_codes")
    assert event["actor_email"] == user.email
    assert event["details"] == {"unused_codes_replaced": 9}

    with pytest.raises(Exception, match="The code is not right"):
        await two_factor.check_code(user.id, old_codes[1])
    assert await two_factor.check_code(user.id, new_codes[0]) == "recovery code"
    shown_again = await client.get("/two-factor/enrol")
    assert not set(new_codes) & set(
        re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", shown_again.text)
    )


async def test_new_recovery_codes_through_the_api_need_a_token_made_with_the_second_factor(
    client: Any,
) -> None:
    provider = await make_organisation("provider")
    user, plain_token = await make_user(provider.id, "provider")
    secret, old_codes = await enrol(user.id, user.email)

    refused = await client.post("/api/v1/auth/recovery-codes", headers=bearer(plain_token))
    assert refused.status_code == 403 and "Sign in again" in refused.json()["detail"]
    token = (await _token(client, user.email, code_in(secret, 1))).json()["token"]
    made = await client.post("/api/v1/auth/recovery-codes", headers=bearer(token))
    assert made.status_code == 201, made.text
    new_codes = made.json()["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    old = await _token(client, user.email, old_codes[0])
    assert old.status_code == 401, "the old codes stopped working at once"
    new = await _token(client, user.email, new_codes[0])
    assert new.status_code == 201
    assert len(await _events("regenerate_recovery_codes")) == 1


async def test_a_session_opened_before_enrolment_elsewhere_is_asked_for_the_code(
    client: Any,
) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).headers["location"] == "/"
    assert (await client.get("/my-bids")).status_code == 200
    secret, _ = await enrol(user.id, user.email)  # on another browser

    sent = await client.get("/my-bids")
    assert sent.status_code == 303 and sent.headers["location"] == "/sign-in?next=/my-bids"
    onward = await client.get(sent.headers["location"])
    assert onward.status_code == 303 and onward.headers["location"] == "/sign-in/code?next=/my-bids"
    assert (await client.get("/api/v1/call-offs")).status_code == 401
    form = await client.get(onward.headers["location"])
    passed = await client.post(
        "/sign-in/code",
        data={
            "csrf_token": csrf_token_in(form.text),
            "code": code_in(secret, 1),
            "next": "/my-bids",
        },
    )
    assert passed.status_code == 303 and passed.headers["location"] == "/my-bids"
    assert (await client.get("/my-bids")).status_code == 200
    [asked] = await _events("second_factor_asked")
    assert asked["actor_email"] == user.email and asked["details"] == {"awaiting": "code"}


async def test_a_session_opened_before_production_needed_the_second_factor_is_sent_to_enrolment(
    https_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    commissioner = await make_organisation("commissioner")
    officer, _ = await make_user(commissioner.id, "opener")
    provider = await make_organisation("provider")
    provider_user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(https_client, officer.email)).headers["location"] == "/"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="https://testserver.local"
    ) as provider_browser:
        assert (await sign_in(provider_browser, provider_user.email)).status_code == 303
        go_to_production(monkeypatch)

        sent = await https_client.get("/call-offs")
        assert sent.status_code == 303
        onward = await https_client.get(sent.headers["location"])
        assert onward.headers["location"] == "/two-factor/enrol?next=/call-offs"
        page = await https_client.get("/two-factor/enrol")
        assert "Your role needs a second factor" in page.text
        [session] = await BrowserSession.select().where(BrowserSession.user == officer.id)
        assert session["awaiting"] == "enrolment"
        assert session["expires_at"] <= datetime.now(UTC) + timedelta(minutes=10)
        assert (await provider_browser.get("/my-bids")).status_code == 200, "optional for providers"
    assert 'id="cancel-sign-in"' in page.text, "a browser sent to enrolment is never stuck there"
    cancelled = await https_client.post("/sign-out", data={"csrf_token": csrf_token_in(page.text)})
    assert cancelled.headers["location"] == "/sign-in"
    assert (await https_client.get("/sign-in")).status_code == 200
    assert await BrowserSession.count().where(BrowserSession.user == officer.id) == 0
