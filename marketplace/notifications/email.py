"""Emails: rendered from templates/emails/ (plain text and HTML), sent over SMTP, or written to a
local maildir in the embedded default. Each carries a Message-ID derived from its outbox entry,
so a repeated delivery is recognisable as the same message."""

from __future__ import annotations

import asyncio
import contextlib
import mailbox
import re
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from marketplace.config import PROJECT_ROOT, get_settings
from marketplace.web.security import guest_pass_token
from marketplace.web.templating import local_time, long_date, sentence

# Subjects are templates too, rendered with the email's context.
SUBJECTS: dict[str, str] = {
    "call_off_invitation": "Invitation to bid: {{ title }}",
    "guest_invitation": "Invitation to bid as a guest supplier: {{ title }}",
    "bid_receipt": "Receipt for your bid: {{ title }} (version {{ version }})",
    "call_off_deadline_extended": "Deadline extended: {{ title }}",
    "call_off_cancelled": "Cancelled: {{ title }}",
    "welcome": "Your account on the Care call-off marketplace",
    "account_locked": "Sign-in to your account paused after {{ failures }} wrong passwords",
    "two_factor_reset": "Your two-factor sign-in was reset",
    "assessment_summary": "Assessment of your bid: {{ title }}",
    "award_notice": "Award notice: {{ title }}",
    "call_off_concluded": "Award concluded: {{ title }}",
    "care_event": "{{ subject }}",
    "enablement_bar": (
        "{{ 'Barred from enablement requests' if barred else 'Enablement bar lifted' }}: "
        "{{ commissioner }}"
    ),
    "admission_decided": (
        "Application to {{ lot_name if lot_name is defined else lot_code }} "
        "{{ 'approved' if approved else 'not approved' }}"
    ),
    "call_off_declined": "A provider declined: {{ title }}",
    "quality_record_added": "{{ kind }} recorded by {{ commissioner }}",
    "quality_record_withdrawn": "{{ kind }} withdrawn by {{ commissioner }}",
    "provider_standing_changed": "{{ subject }}",
    "kpi_return_reminder": (
        "KPI return {{ 'overdue' if overdue else 'due' }}: {{ quarter }}, due {{ due_on }}"
    ),
}
SMTP_TIMEOUT_SECONDS = 30


class UnknownEmail(Exception):
    pass


def _local_time(iso: str) -> str:

    return local_time(datetime.fromisoformat(iso))


def _sentence(text: str) -> str:

    return sentence(text)


@cache
def _subject(template: str) -> Any:
    """The email's subject line as a compiled template (compiled once, not per email)."""
    return _environment().from_string(SUBJECTS[template])


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(PROJECT_ROOT / "templates" / "emails")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = _local_time
    env.filters["sentence"] = _sentence
    env.filters["long_date"] = long_date
    # The guest pass's link is worked out as the email is rendered: the outbox keeps the pass's
    # id, never its token (docs/design.md 3.5).
    env.filters["guest_pass_token"] = lambda pass_id: guest_pass_token(UUID(pass_id))
    return env


def message_id(outbox_id: UUID) -> str:
    return f"<outbox-{outbox_id}@{urlparse(get_settings().base_url).hostname or 'marketplace'}>"


def render_email(outbox_id: UUID, to: str, template: str, context: dict[str, Any]) -> EmailMessage:
    """The message for one outbox entry: the same entry always gives the same Message-ID."""
    if template not in SUBJECTS:
        raise UnknownEmail(f"no email called {template!r}")
    settings = get_settings()
    env = _environment()
    subject = _subject(template).render(context)
    values = {**context, "service_url": settings.base_url, "subject": subject}
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(outbox_id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(env.get_template(f"{template}.txt").render(values))
    message.add_alternative(env.get_template(f"{template}.html").render(values), subtype="html")
    return message


def maildir_path() -> Path:
    return get_settings().var_dir / "mail"


async def send_message(message: EmailMessage) -> None:
    """Send one message over SMTP_URL (a connection of its own), or keep it in the local maildir
    when no SMTP server is configured."""
    async with Mailer() as mailer:
        await mailer.send(message)


class Mailer:
    """One SMTP connection for a batch of messages (or the local maildir without SMTP_URL),
    opened at the first message. A message that fails closes the connection, and the next one
    opens a new connection: a dropped connection costs the message in flight, not the batch."""

    def __init__(self) -> None:
        self.url = get_settings().smtp_url
        self._smtp: aiosmtplib.SMTP | None = None
        self.connections = 0  # how many it opened

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def _client(self) -> aiosmtplib.SMTP:
        assert self.url is not None
        url = urlparse(self.url)
        return aiosmtplib.SMTP(
            hostname=url.hostname or "127.0.0.1",
            port=url.port or (465 if url.scheme == "smtps" else 25),
            username=url.username or None,
            password=url.password or None,
            use_tls=url.scheme == "smtps",
            start_tls=False if url.scheme == "smtps" else None,
            timeout=SMTP_TIMEOUT_SECONDS,
        )

    async def send(self, message: EmailMessage) -> None:
        if self.url is None:
            await asyncio.to_thread(_keep_in_maildir, message)
            return
        try:
            if self._smtp is None or not self._smtp.is_connected:
                self._smtp = self._client()
                self.connections += 1
                await self._smtp.connect()
            await self._smtp.send_message(message)
        except BaseException:
            await self.close(polite=False)
            raise

    async def close(self, *, polite: bool = True) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        if polite:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()
                return
        smtp.close()


def _keep_in_maildir(message: EmailMessage) -> None:
    """Deliver the message into the maildir under a name made from its Message-ID, once: the
    same outbox entry delivered again finds its file and adds nothing."""
    folder = maildir_path()
    mailbox.Maildir(folder, create=True)  # tmp/, new/ and cur/
    key = re.sub(r"[^A-Za-z0-9@._-]", "", str(message["Message-ID"])) or "message"
    if (folder / "new" / key).exists() or any((folder / "cur").glob(f"{key}*")):
        return
    temporary = folder / "tmp" / key
    temporary.write_bytes(message.as_bytes())
    temporary.rename(folder / "new" / key)


async def send_email(outbox_id: UUID, payload: dict[str, Any]) -> None:
    """The outbox job that sends one email."""
    message = render_email(
        outbox_id, payload["to"], payload["template"], payload.get("context", {})
    )
    await send_message(message)


def kept_messages() -> list[tuple[str, EmailMessage]]:
    """The maildir's messages, newest first (the development mail page)."""
    box = mailbox.Maildir(maildir_path(), create=True)
    messages: list[tuple[str, EmailMessage]] = []
    for key in box.iterkeys():
        parsed = message_from_bytes(box.get_bytes(key), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append((key, parsed))
    messages.sort(key=lambda pair: pair[1]["Date"].datetime, reverse=True)
    return messages
