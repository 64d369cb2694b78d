"""The success banner after an action, shown once.

A page redirects to `done(path, code)`, which is `path?done=<code>`; the layout shows the fixed
sentence for that code in a GOV.UK success notification banner (role="alert"). Only codes from
this list are shown: nothing in the URL is ever echoed into the page.

The banner is a one-time flash, so that a reload or a shared link does not show it again:
`OneTimeBanners` (ASGI, in front of the pages) takes the banner's parameters (`done`, and the
older `submitted`, `withdrawn`, `registered`, `applied`, `added`, `lifted`) out of a redirect's
`Location` into a signed cookie that lives two minutes and names the page it is for; the browser
follows the clean address, and that page's first GET gets the parameters back (the handlers and
templates read them as before) while its answer clears the cookie. The same parameters typed into
an address are dropped. It works without JavaScript, and holds no session state.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.config import get_settings

DONE_PARAMETER = "done"

SUCCESS_MESSAGES = {
    # call-offs
    "draft-saved": "The call-off is saved as a draft. Check it, then publish it.",
    "draft-edited": "The draft is saved with your changes.",
    "document-uploaded": "The document is uploaded and listed on the call-off.",
    "published": "The call-off is published: every eligible provider is invited and emailed.",
    "cancelled": "The call-off is cancelled: the invited providers are emailed the reason.",
    "deadline-changed": "The deadline is changed: the invited providers are emailed.",
    "opening-approved": (
        "Your approval is recorded. The bids open when enough authorised officers have approved."
    ),
    "bids-opened": "The bids are opened and evaluated.",
    "awarded": (
        "The award is confirmed: every bidder is sent its assessment summary, then the winner "
        "the award notice, and the standstill has started."
    ),
    "scores-saved": "Your scores are saved and the evaluation is worked out again.",
    # bids
    "declined": "You declined the call-off. The commissioner sees how many declined and why, "
    "never who.",
    "attachment-added": "The document is attached to your bid, sealed with it.",
    "attachment-removed": "The document is removed from your bid.",
    # the waiting list and contingency
    "placed": "The placement is recorded: the package has left the waiting list.",
    # quality and ranking
    "record-added": "The quality record is added.",
    "record-withdrawn": "The quality record is withdrawn.",
    "report-attached": "The report is attached to the quality record.",
    "review-recorded": "The ranking review is recorded.",
    "weights-changed": "The quality weights are changed: the ranking is worked out again.",
    # KPI returns
    "kpi-return-saved": "Your values are saved. Submit the return when it is complete.",
    "kpi-return-submitted": "The KPI return is submitted and archived: it can no longer change.",
    # administration
    "retry-queued": "The delivery is queued to be tried again.",
}


def success_message(code: str | None) -> str | None:
    """The sentence for a known code, else None (an unknown code shows no banner)."""
    return SUCCESS_MESSAGES.get(code or "")


def done(path: str, code: str) -> str:
    """`path` with `?done=<code>` added before its fragment: where a page redirects after an
    action (the code must be one of SUCCESS_MESSAGES)."""
    if code not in SUCCESS_MESSAGES:
        raise ValueError(f"No success message for {code!r}")
    parts = urlsplit(path)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=f"{query}{DONE_PARAMETER}={code}"))


# The query parameters that carry a success banner to the page after an action.
FLASH_PARAMETERS = frozenset(
    {DONE_PARAMETER, "submitted", "withdrawn", "registered", "applied", "added", "lifted"}
)
FLASH_COOKIE = "banner"
FLASH_SECONDS = 120
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _mac(payload: bytes) -> str:
    key = get_settings().secret_key
    return hmac.new(key, b"banner:" + payload, hashlib.sha256).hexdigest()


def flash_value(path: str, parameters: list[tuple[str, str]], now: float | None = None) -> str:
    """The cookie's value: the page's path, the banner's parameters and when it expires, signed."""
    expires = int((time.time() if now is None else now) + FLASH_SECONDS)
    payload = json.dumps([path, parameters, expires], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _mac(payload)


def flash_parameters(value: str, path: str, now: float | None = None) -> list[tuple[str, str]]:
    """The banner's parameters a cookie holds for this page: none when its signature is wrong,
    it has expired or it is for another page."""
    encoded, _, mac = value.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return []
    if not hmac.compare_digest(mac.encode(), _mac(payload).encode()):
        return []
    try:
        for_path, parameters, expires = json.loads(payload)
    except ValueError:
        return []
    if for_path != path or expires < (time.time() if now is None else now):
        return []
    return [(str(name), str(text)) for name, text in parameters if name in FLASH_PARAMETERS]


def _cookie(value: str, max_age: int) -> bytes:
    parts = [f"{FLASH_COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={max_age}"]
    if get_settings().production:
        parts.append("Secure")
    return "; ".join(parts).encode()


def _cookie_in(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, raw in headers:
        if name.lower() != b"cookie":
            continue
        for part in raw.decode("latin-1").split(";"):
            key, _, value = part.strip().partition("=")
            if key == FLASH_COOKIE:
                return value
    return None


def _without_flash(query: str) -> tuple[str, list[tuple[str, str]]]:
    """(the query without the banner's parameters, those parameters)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name not in FLASH_PARAMETERS]
    taken = [(name, value) for name, value in pairs if name in FLASH_PARAMETERS]
    return urlencode(kept), taken


def _moved_into_cookie(
    headers: list[tuple[bytes, bytes]],
) -> list[tuple[bytes, bytes]]:
    """A redirect's headers with the banner's parameters moved from `Location` into the cookie."""
    moved = []
    for name, raw in headers:
        if name.lower() == b"location":
            parts = urlsplit(raw.decode("latin-1"))
            query, taken = _without_flash(parts.query)
            if taken and not parts.netloc and parts.path.startswith("/"):
                clean = urlunsplit(parts._replace(query=query)).encode("latin-1")
                moved += [
                    (name, clean),
                    (
                        b"set-cookie",
                        _cookie(flash_value(unquote(parts.path), taken), FLASH_SECONDS),
                    ),
                ]
                continue
        moved.append((name, raw))
    return moved


def _sets_flash(headers: list[tuple[bytes, bytes]]) -> bool:
    prefix = FLASH_COOKIE.encode() + b"="
    return any(n.lower() == b"set-cookie" and v.startswith(prefix) for n, v in headers)


class OneTimeBanners:
    """ASGI middleware in front of the pages (not the API): a success banner's parameters travel
    from the redirect to the next page in a one-time signed cookie, never in its address."""

    def __init__(self, app: ASGIApp | Any) -> None:
        self.app: Any = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        http: dict[str, Any] = dict(scope)
        query, _ = _without_flash(http["query_string"].decode("latin-1"))
        cookie = _cookie_in(list(http["headers"]))
        shown = []
        if cookie is not None and http["method"] == "GET":
            shown = flash_parameters(cookie, http["path"])
        http["query_string"] = "&".join(filter(None, [query, urlencode(shown)])).encode("latin-1")

        async def send_moving_banners(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if message["status"] in _REDIRECTS:
                    headers = _moved_into_cookie(headers)
                if shown and not any(
                    name.lower() == b"set-cookie" and value.startswith(FLASH_COOKIE.encode() + b"=")
                    for name, value in headers
                ):
                    headers.append((b"set-cookie", _cookie("", 0)))  # shown once
                message = {**message, "headers": headers}
            await send(message)

        await self.app(http, receive, send_moving_banners)
