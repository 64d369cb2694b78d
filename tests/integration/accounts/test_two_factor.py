"""Two-factor sign-in: enrolment with a QR code and recovery codes, the code after the password,
single-use recovery codes, the limit on guesses, production's requirement for admins,
commissioners and openers (optional for providers), tokens only after the second factor, and a
quorum-2 opening by two officers who each passed it."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pyotp
import pytest

from marketplace.accounts import two_factor
from marketplace.accounts.tables import BrowserSession, RecoveryCode, TwoFactor
from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.config import get_settings, reset_settings
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import PASSWORD, bearer, make_admin, make_organisation, make_user
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.support import csrf_token_in, sign_in


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (one step of drift) and never the step the
    previous use of this secret had."""
    return str(pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30)))


async def enrol(user_id: UUID, email: str) -> tuple[str, list[str]]:
    enrolment = await two_factor.start_enrolment(user_id, email)
    codes = await two_factor.confirm_enrolment(user_id, pyotp.TOTP(enrolment.secret).now())
    return enrolment.secret, codes


def go_to_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production mode, keeping the development key-encryption key (bids already sealed)."""
    kek = get_settings().key_encryption_key
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "a production secret key of enough length")
    monkeypatch.setenv("MARKETPLACE_KEK", base64.b64encode(kek).decode())
    reset_settings()


@pytest.fixture
async def https_client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser over HTTPS (production's cookies are Secure)."""
    from marketplace.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as c:
        yield c


async def test_enrolment_shows_a_local_qr_code_and_key_then_ten_recovery_codes_once(
    client: Any,
) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    await sign_in(client, user.email)

    page = await client.get("/two-factor/enrol")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    match = re.search(r'<code id="manual-key">([A-Z2-7 ]+)</code>', page.text)
    assert match is not None
    secret = match.group(1).replace(" ", "")
    again = await client.get("/two-factor/enrol")
    assert match.group(1) in again.text, "the same key until it is confirmed"
    [stored] = await TwoFactor.select().where(TwoFactor.user == user.id)
    assert secret.encode() not in bytes(stored["sealed_secret"])

    wrong = await client.post(
        "/two-factor/enrol", data={"csrf_token": csrf_token_in(page.text), "code": "000000"}
    )
    assert wrong.status_code == 400 and "The code is not right" in wrong.text
    done = await client.post(
        "/two-factor/enrol",
        data={"csrf_token": csrf_token_in(page.text), "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", done.text)
    assert len(codes) == 10
    hashes = {row["code_hash"] for row in await RecoveryCode.select()}
    assert len(hashes) == 10 and not hashes & set(codes)
    shown = await client.get("/two-factor/enrol")
    assert "never shown again" in shown.text and secret not in shown.text
    [session] = await BrowserSession.select().where(BrowserSession.user == user.id)
    assert session["second_factor_at"] is not None
    [enrolled] = await AuditEvent.select().where(AuditEvent.action == "enrol_two_factor")
    assert enrolled["actor_email"] == user.email
    assert enrolled["organisation_id"] == provider.id


async def test_an_enrolled_user_signs_in_only_with_the_code_after_the_password(
    client: Any,
) -> None:
    commissioner = await make_organisation("commissioner")
    user, _ = await make_user(commissioner.id, "commissioner")
    secret, _ = await enrol(user.id, user.email)

    after_password = await sign_in(client, user.email, next_path="/call-offs")
    assert after_password.status_code == 303
    assert after_password.headers["location"] == "/sign-in/code?next=/call-offs"
    assert (await client.get("/call-offs")).status_code in (303, 401), "not signed in yet"
    form = await client.get("/sign-in/code?next=/call-offs")
    token = csrf_token_in(form.text)
    refused = await client.post(
        "/sign-in/code", data={"csrf_token": token, "code": "123", "next": "/call-offs"}
    )
    assert refused.status_code == 401 and "The code is not right" in refused.text
    passed = await client.post(
        "/sign-in/code",
        data={"csrf_token": token, "code": next_code(secret), "next": "/call-offs"},
    )
    assert passed.status_code == 303 and passed.headers["location"] == "/call-offs"
    assert (await client.get("/call-offs")).status_code == 200


async def test_a_recovery_code_signs_in_once(client: Any) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    _, codes = await enrol(user.id, user.email)

    for attempt, expected in ((1, 303), (2, 401)):
        await sign_in(client, user.email)
        form = await client.get("/sign-in/code")
        response = await client.post(
            "/sign-in/code",
            data={"csrf_token": csrf_token_in(form.text), "code": codes[0].upper()},
        )
        assert response.status_code == expected, attempt
        if expected == 303:
            page = await client.get("/")
            await client.post("/sign-out", data={"csrf_token": csrf_token_in(page.text)})
    assert await two_factor.recovery_codes_left(user.id) == 9


async def test_five_wrong_codes_lock_the_second_factor_even_for_the_right_code(db: str) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    secret, _ = await enrol(user.id, user.email)
    for _ in range(5):
        with pytest.raises(Exception, match="The code is not right"):
            await two_factor.check_code(user.id, "000000")
    with pytest.raises(Exception, match="Too many wrong codes"):
        await two_factor.check_code(user.id, next_code(secret))
    later = datetime.now(UTC) + timedelta(minutes=16)
    code = str(pyotp.TOTP(secret).at(later))
    assert await two_factor.check_code(user.id, code, later) == "authenticator"


async def test_in_production_commissioners_are_sent_to_enrolment_and_providers_sign_straight_in(
    https_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    commissioner = await make_organisation("commissioner")
    officer, _ = await make_user(commissioner.id, "commissioner")
    provider = await make_organisation("provider")
    provider_user, _ = await make_user(provider.id, "provider")
    go_to_production(monkeypatch)

    sent = await sign_in(https_client, officer.email)
    assert sent.headers["location"] == "/two-factor/enrol?next=/"
    assert (await https_client.get("/api/v1/call-offs")).status_code == 401
    page = await https_client.get("/two-factor/enrol")
    assert "Your role needs a second factor" in page.text
    match = re.search(r'<code id="manual-key">([A-Z2-7 ]+)</code>', page.text)
    assert match is not None
    done = await https_client.post(
        "/two-factor/enrol",
        data={
            "csrf_token": csrf_token_in(page.text),
            "code": pyotp.TOTP(match.group(1).replace(" ", "")).now(),
        },
    )
    assert done.status_code == 200 and "Your recovery codes" in done.text
    assert (await https_client.get("/api/v1/call-offs")).status_code == 200

    https_client.cookies.clear()
    straight = await sign_in(https_client, provider_user.email)
    assert straight.headers["location"] == "/"


async def test_in_production_a_token_needs_enrolment_then_the_code_but_not_of_a_provider(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    commissioner = await make_organisation("commissioner")
    officer, _ = await make_user(commissioner.id, "opener")
    admin, _ = await make_admin()
    provider = await make_organisation("provider")
    provider_user, _ = await make_user(provider.id, "provider")
    go_to_production(monkeypatch)
    body = {"email": officer.email, "password": PASSWORD}

    admin_refused = await client.post(
        "/api/v1/auth/tokens", json={"email": admin.email, "password": PASSWORD}
    )
    assert admin_refused.status_code == 403
    provider_token = await client.post(
        "/api/v1/auth/tokens", json={"email": provider_user.email, "password": PASSWORD}
    )
    assert provider_token.status_code == 201, "a provider's second factor is optional"

    not_enrolled = await client.post("/api/v1/auth/tokens", json=body)
    assert not_enrolled.status_code == 403 and "two-factor" in not_enrolled.json()["detail"]
    secret, _ = await enrol(officer.id, officer.email)
    no_code = await client.post("/api/v1/auth/tokens", json=body)
    assert no_code.status_code == 401
    assert no_code.json()["errors"][0]["field"] == "code"
    wrong = await client.post("/api/v1/auth/tokens", json={**body, "code": "000000"})
    assert wrong.status_code == 401
    issued = await client.post("/api/v1/auth/tokens", json={**body, "code": next_code(secret)})
    assert issued.status_code == 201, issued.text


async def test_an_enrolled_provider_gives_its_code_for_a_token_even_in_development(
    client: Any,
) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    secret, _ = await enrol(user.id, user.email)
    body = {"email": user.email, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/tokens", json=body)).status_code == 401
    issued = await client.post("/api/v1/auth/tokens", json={**body, "code": next_code(secret)})
    assert issued.status_code == 201


async def test_in_production_a_quorum_of_two_needs_two_officers_who_each_passed_it(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await commissioning()
    _, bidder = await admitted_provider(c, "Oakleaf Home Care")
    first, _ = await make_user(c.commissioner.id, "opener")
    second, _ = await make_user(c.commissioner.id, "opener")
    _, without = await make_user(c.commissioner.id, "opener")  # a token from development
    tokens = {}
    for officer in (first, second):
        secret, _ = await enrol(officer.id, officer.email)
        issued = await client.post(
            "/api/v1/auth/tokens",
            json={"email": officer.email, "password": PASSWORD, "code": next_code(secret)},
        )
        tokens[officer.id] = issued.json()["token"]
    call_off_id = await published(client, c, enablement_body(c, opening_quorum=2))
    await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(bidder)
    )
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    go_to_production(monkeypatch)
    path = f"/api/v1/call-offs/{call_off_id}/open"

    refused = await client.post(path, headers=bearer(without))
    assert refused.status_code == 403 and "two-factor" in refused.json()["detail"]
    one = await client.post(path, headers=bearer(tokens[first.id]))
    assert one.status_code == 200 and one.json()["approvals"] == 1
    again = await client.post(path, headers=bearer(tokens[first.id]))
    assert again.status_code == 409
    two = await client.post(path, headers=bearer(tokens[second.id]))
    assert two.status_code == 200 and two.json()["opened"] is True
    approvals = await AuditEvent.select().where(AuditEvent.action == "approve_opening")
    assert [a["details"] for a in approvals] == ['{"second_factor":true}'] * 2
