"""The notification centre's reads: every email the marketplace sent (or is sending) to one
address, newest first, each rendered again from its outbox entry as the recipient received it.

Emails are addressed to people, never to organisations: telling an organisation is one email to
each of its active users (`accounts.service.active_user_emails`), so each user finds their own
copy here and no one else's. A colleague who joins later does not see what was sent before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import msgspec
from jinja2 import TemplateError

from marketplace.errors import NotFound
from marketplace.notifications.email import UnknownEmail, render_email
from marketplace.notifications.outbox import SEND_EMAIL
from marketplace.notifications.tables import OutboxEntry
from marketplace.pagination import newest_first_page

_COLUMNS = (
    OutboxEntry.id,
    OutboxEntry.payload,
    OutboxEntry.status,
    OutboxEntry.attempts,
    OutboxEntry.created_at,
    OutboxEntry.done_at,
)


@dataclass(frozen=True)
class Message:
    """One email to the reader: its subject and text as sent (None when it can no longer be
    rendered), when it was written, and how its delivery stands."""

    id: UUID
    subject: str | None
    text: str | None
    html: str | None
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None


def _part(message: EmailMessage, kind: str) -> str | None:
    body: Any = message.get_body(preferencelist=(kind,))
    return None if body is None else str(body.get_content())


def _message(row: dict[str, Any], email: str) -> Message:
    payload = msgspec.json.decode(row["payload"])
    if not isinstance(payload, dict):
        payload = {}
    subject: str | None
    text: str | None
    html: str | None
    try:
        rendered = render_email(
            row["id"], email, str(payload.get("template")), payload.get("context") or {}
        )
        subject, text, html = (
            str(rendered["Subject"]),
            _part(rendered, "plain"),
            _part(rendered, "html"),
        )
    except (UnknownEmail, TemplateError, TypeError, ValueError, KeyError):
        subject = text = html = None
    return Message(
        id=row["id"],
        subject=subject,
        text=text,
        html=html,
        status=row["status"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        sent_at=row["done_at"],
    )


async def messages_to(
    email: str, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """The emails to this address, newest first, a page at a time."""
    query = OutboxEntry.select(*_COLUMNS).where(
        (OutboxEntry.recipient == email.lower()) & (OutboxEntry.job == SEND_EMAIL)
    )
    rows, next_cursor = await newest_first_page(
        query, OutboxEntry.id, OutboxEntry.created_at, limit, cursor
    )
    return [_message(row, email) for row in rows], next_cursor


async def message_to(email: str, entry_id: UUID) -> Message:
    """One email to this address; any other entry is not found (404), whoever it was for."""
    row = (
        await OutboxEntry.select(*_COLUMNS)
        .where(
            (OutboxEntry.id == entry_id)
            & (OutboxEntry.recipient == email.lower())
            & (OutboxEntry.job == SEND_EMAIL)
        )
        .first()
    )
    if row is None:
        raise NotFound("No such message")
    return _message(row, email)
