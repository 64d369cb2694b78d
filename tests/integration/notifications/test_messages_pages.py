"""The notification centre: every email the marketplace sent the signed-in user, newest first,
readable in the app; another user's message is not found; emails to an organisation are one
copy per user, each in its own user's messages."""

from __future__ import annotations

import importlib
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from marketplace.db import write_transaction
from marketplace.notifications import outbox
from marketplace.notifications.message_pages import linked
from marketplace.notifications.relay import run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from tests.factories import make_organisation, make_user
from tests.support import sign_in


async def test_a_user_reads_the_emails_sent_to_them_and_only_theirs(client: Any, sink: Any) -> None:
    provider = await make_organisation("provider", name="Oakleaf Home Care")
    jo, _ = await make_user(provider.id, "provider")
    sam, _ = await make_user(provider.id, "provider")
    async with write_transaction():
        await outbox.add_email(
            jo.email, "welcome", {"organisation": "Look_alike", "role_name": "care provider"}
        )
    await run_due_in_process()
    await sign_in(client, jo.email)
    page = await client.get("/messages")
    assert page.status_code == 200
    ids = re.findall(r'href="/messages/([0-9a-f-]+)"', page.text)
    assert len(ids) == 2  # the welcome at sign-up and the second one
    assert "Your account on the Care call-off marketplace" in page.text and "Sent" in page.text
    message = await client.get(f"/messages/{ids[0]}")
    assert message.status_code == 200
    assert "Look_alike" in message.text and 'id="message-text"' in message.text
    client.cookies.clear()
    await sign_in(client, sam.email)
    assert (await client.get(f"/messages/{ids[0]}")).status_code == 404
    theirs = await client.get("/messages")
    assert len(re.findall(r'href="/messages/([0-9a-f-]+)"', theirs.text)) == 1


async def test_an_address_that_looks_like_another_never_shows_its_messages(client: Any) -> None:
    provider = await make_organisation("provider")
    one, _ = await make_user(provider.id, "provider")
    async with write_transaction():
        # "_" would match any one character in an unescaped LIKE.
        await outbox.add_email(
            one.email.replace("provider", "provide_"),
            "welcome",
            {"organisation": None, "role_name": "x"},
        )
    await sign_in(client, one.email)
    page = await client.get("/messages")
    assert len(re.findall(r'href="/messages/([0-9a-f-]+)"', page.text)) == 1
    assert "Being sent" in page.text
    assert "Messages" in page.text.split("</header>")[0]
    assert (await client.get("/messages", params={"cursor": "%%%"})).status_code == 400
    assert (await client.get("/messages/not-an-id")).status_code == 404


def test_only_the_marketplaces_own_links_become_links_in_a_message() -> None:
    text = (
        "Bid here: http://127.0.0.1:8000/opportunities/1. "
        "Not there: https://evil.example/x or http://127.0.0.1:8000//evil.example"
    )
    pieces = linked(text)
    assert [path for _, path in pieces if path] == ["/opportunities/1"]
    assert "".join(piece for piece, _ in pieces) == text


async def test_emails_written_before_the_recipient_column_are_found_once_filled(
    client: Any,
) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    moment = datetime.now(UTC)
    payload = msgspec.json.encode(
        {
            "to": user.email.upper(),
            "template": "welcome",
            "context": {"organisation": "Old", "role_name": "x"},
        }
    ).decode()
    await OutboxEntry.raw(
        "INSERT INTO outbox_entry (id, job, payload, run_at, due_at, status, attempts, "
        "created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        uuid.uuid4(),
        "send_email",
        payload,
        moment,
        moment,
        "done",
        1,
        moment,
    )
    await sign_in(client, user.email)
    before = await client.get("/messages")
    assert len(re.findall(r'href="/messages/([0-9a-f-]+)"', before.text)) == 1
    migration = importlib.import_module(
        "marketplace.notifications.piccolo_migrations.notifications_2026_11_26t02_15_00_000001"
    )
    await migration.fill_recipients()
    after = await client.get("/messages")
    assert len(re.findall(r'href="/messages/([0-9a-f-]+)"', after.text)) == 2
