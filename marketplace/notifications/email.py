"""Emails: rendered from templates/emails/ (plain text and HTML), sent over SMTP, or written to a
local maildir in the embedded default. Each carries a Message-ID derived from its outbox entry,
so a repeated delivery is recognisable as the same message."""

from __future__ import annotations

import asyncio
import contextlib
import mailbox
import re
import threading
from collections import OrderedDict
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import aiosmtplib
import msgspec
from aiosmtplib.email import flatten_message
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


def render_email(
    outbox_id: UUID | None, to: str | None, template: str, context: dict[str, Any]
) -> EmailMessage:
    """The message for one outbox entry: the same entry always gives the same Message-ID.
    (Without an entry and an address: the part every such email shares, for render_outgoing.)"""
    if template not in SUBJECTS:
        raise UnknownEmail(f"no email called {template!r}")
    settings = get_settings()
    env = _environment()
    subject = _subject(template).render(context)
    values = {**context, "service_url": settings.base_url, "subject": subject}
    message = EmailMessage()
    message["From"] = settings.mail_from
    if to is not None:
        message["To"] = to
    message["Subject"] = subject
    if outbox_id is not None:
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = message_id(outbox_id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(env.get_template(f"{template}.txt").render(values))
    message.add_alternative(env.get_template(f"{template}.html").render(values), subtype="html")
    return message


class Outgoing(msgspec.Struct, frozen=True):
    """A message as it goes over SMTP: envelope sender and recipient, and its bytes (CRLF line
    ends), with its Message-ID (the maildir files it under that)."""

    sender: str
    recipient: str
    message_id: str
    data: bytes


# An address the fast path writes into the To header as it stands: printable ASCII, no spaces,
# no display name or anything the header would have to quote or fold.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
_SHARED_PARTS_KEPT = 64
_shared_parts: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_shared_lock = threading.Lock()


def _shared_key(template: str, context: dict[str, Any]) -> tuple[Any, ...]:
    # Every setting the rendering reads (the sender, the service's address, the keys of a guest
    # pass's link, the time zone) is in the settings object: a test that changes them renders anew.
    return (template, msgspec.json.encode(context, order="sorted"), get_settings())


def _shared_part(key: tuple[Any, ...], template: str, context: dict[str, Any]) -> bytes:
    """Everything of the message but To, Date and Message-ID, as sent: the same for every email
    of one template and context (a call-off's invitations to all its providers), so rendered
    once (the templates and Python's email package) and then reused."""
    with _shared_lock:
        shared = _shared_parts.get(key)
        if shared is not None:
            _shared_parts.move_to_end(key)
            return shared
    message = render_email(None, None, template, context)
    shared = message.as_bytes(policy=policy.SMTP)
    with _shared_lock:
        _shared_parts[key] = shared
        while len(_shared_parts) > _SHARED_PARTS_KEPT:
            _shared_parts.popitem(last=False)
    return shared


def is_rendered(template: str, context: dict[str, Any]) -> bool:
    """Whether render_outgoing() would find this email's shared part ready (and so be quick
    enough to run on the event loop)."""
    with _shared_lock:
        return _shared_key(template, context) in _shared_parts


def render_outgoing(outbox_id: UUID, to: str, template: str, context: dict[str, Any]) -> Outgoing:
    """The bytes to send for one outbox entry: the same as render_email()'s message flattened
    for SMTP, but its shared part made once per template and context."""
    if not _PLAIN_ADDRESS.fullmatch(to):
        return outgoing(render_email(outbox_id, to, template, context))
    shared = _shared_part(_shared_key(template, context), template, context)
    identity = message_id(outbox_id)
    head = (
        f"To: {to}\r\nDate: {formatdate(localtime=False, usegmt=True)}\r\n"
        f"Message-ID: {identity}\r\n"
    )
    return Outgoing(_address(get_settings().mail_from), to, identity, head.encode("ascii") + shared)


@lru_cache(maxsize=256)
def _address(header: str) -> str:
    """The address of a From or To header, for the envelope."""
    return parseaddr(header)[1] or header


def outgoing(message: EmailMessage) -> Outgoing:
    """Any message, flattened for SMTP (SMTPUTF8 where an address needs it)."""
    sender, recipient = _address(str(message["From"])), _address(str(message["To"]))
    utf8 = not (sender + recipient).isascii()
    return Outgoing(
        sender,
        recipient,
        str(message["Message-ID"]),
        message.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP),
    )


def maildir_path() -> Path:
    return get_settings().var_dir / "mail"


async def send_message(message: EmailMessage | Outgoing) -> None:
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

    async def send(self, message: EmailMessage | Outgoing) -> None:
        if isinstance(message, EmailMessage):
            message = outgoing(message)
        if self.url is None:
            await asyncio.to_thread(_keep_in_maildir, message)
            return
        try:
            if self._smtp is None or not self._smtp.is_connected:
                self._smtp = self._client()
                self.connections += 1
                await self._smtp.connect()
            await self._send(self._smtp, message)
        except BaseException:
            await self.close(polite=False)
            raise

    @staticmethod
    async def _send(smtp: aiosmtplib.SMTP, message: Outgoing) -> None:
        """The bytes as they are (what aiosmtplib's send_message would do with the message,
        without flattening it again): SMTPUTF8 for an address that needs it, 8BITMIME for a body
        that does, or the body made 7-bit for a server without it."""
        options: list[str] = []
        if not (message.sender + message.recipient).isascii():
            options.append("SMTPUTF8")
        data = message.data
        if not data.isascii():
            if smtp.supports_extension("8BITMIME"):
                options.append("BODY=8BITMIME")
            else:
                parsed = message_from_bytes(data, policy=policy.SMTP)
                data = flatten_message(parsed, utf8=bool(options), cte_type="7bit")
        await smtp.sendmail(message.sender, [message.recipient], data, mail_options=options)

    async def close(self, *, polite: bool = True) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        if polite:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()
                return
        smtp.close()


def _keep_in_maildir(message: Outgoing) -> None:
    """Deliver the message into the maildir under a name made from its Message-ID, once: the
    same outbox entry delivered again finds its file and adds nothing."""
    folder = maildir_path()
    mailbox.Maildir(folder, create=True)  # tmp/, new/ and cur/
    key = re.sub(r"[^A-Za-z0-9@._-]", "", message.message_id) or "message"
    if (folder / "new" / key).exists() or any((folder / "cur").glob(f"{key}*")):
        return
    temporary = folder / "tmp" / key
    temporary.write_bytes(message.data.replace(b"\r\n", b"\n"))  # a maildir's line ends
    temporary.rename(folder / "new" / key)


async def send_email(outbox_id: UUID, payload: dict[str, Any]) -> None:
    """The outbox job that sends one email."""
    message = render_outgoing(
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
