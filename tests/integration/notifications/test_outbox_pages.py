"""Admins see failed deliveries, and in development the local mailbox that stands in for SMTP."""

from __future__ import annotations

import re

import pytest

from marketplace.config import reset_settings
from marketplace.db import write_transaction
from marketplace.notifications import outbox
from marketplace.notifications.delivery import deliver
from marketplace.notifications.relay import run_due_in_process
from tests.factories import make_admin, make_organisation, make_user
from tests.support import csrf_token_in, sign_in
from tests.support_mail import free_port


async def test_without_smtp_the_welcome_email_lands_in_the_local_mailbox(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMTP_URL", raising=False)
    reset_settings()
    admin, _ = await make_admin()
    provider = await make_organisation("provider", name="Oakleaf Home Care")
    user, _ = await make_user(provider.id, "provider")
    assert await run_due_in_process() >= 2
    await sign_in(client, admin.email)
    mailbox = await client.get("/dev/mail")
    assert mailbox.status_code == 200
    assert "Your account on the Care call-off marketplace" in mailbox.text
    assert user.email in mailbox.text
    key = re.search(r'href="/dev/mail/([^"]+)"', mailbox.text)[1]
    message = await client.get(f"/dev/mail/{key}")
    assert message.status_code == 200 and "outbox-" in message.text
    # Running the outbox again sends nothing twice.
    assert await run_due_in_process() == 0


async def test_the_local_mailbox_is_for_admins_in_development_without_smtp(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    await sign_in(client, user.email)
    assert (await client.get("/dev/mail")).status_code == 403
    admin, _ = await make_admin()
    await client.post(
        "/sign-out",
        data={
            "csrf_token": re.search(
                r'name="csrf_token" value="([^"]+)"', (await client.get("/")).text
            )[1]
        },
    )
    await sign_in(client, admin.email)
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:1025")
    reset_settings()
    assert (await client.get("/dev/mail")).status_code == 404


async def test_an_admin_sees_failed_deliveries_and_sends_one_round_again(
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    monkeypatch.setenv("MARKETPLACE_OUTBOX_MAX_ATTEMPTS", "1")
    reset_settings()
    async with write_transaction():
        entry_id = await outbox.add_email(
            "lost@example.org", "welcome", {"organisation": None, "role_name": "commissioner"}
        )
    assert await deliver(entry_id) == "failed"
    admin, _ = await make_admin()
    await sign_in(client, admin.email)
    page = await client.get("/admin/outbox")
    assert page.status_code == 200
    assert 'id="count-failed">1<' in page.text
    assert "Connect call failed" in page.text
    token = csrf_token_in(page.text)
    retried = await client.post(f"/admin/outbox/{entry_id}/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    assert entry_id in [e["id"] for e in await outbox.entries_with_status("pending")]
    assert entry_id not in [e["id"] for e in await outbox.entries_with_status("failed")]
