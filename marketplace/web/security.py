"""Who is asking: session cookies, bearer tokens, CSRF tokens, and the guards on every route.

Every browser carries one random cookie. Once signed in, a BrowserSession row holds its SHA-256.
The CSRF token of a form is an HMAC of that cookie under the secret key, so it changes when the
cookie is rotated at sign-in. Bearer-token requests carry no ambient credential and need no CSRF.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection, Request
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.config import get_settings
from marketplace.errors import NotAllowed, NotSignedIn
from marketplace.principal import Principal
from marketplace.web.limits import source_address

SESSION_COOKIE = "marketplace_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# The API's own documentation (OpenAPI schema and Swagger UI) is public.
PUBLIC_PATH_PREFIXES = ("/api/docs",)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def csrf_token_for(cookie_value: str) -> str:
    return hmac.new(
        get_settings().secret_key, b"csrf:" + cookie_value.encode(), hashlib.sha256
    ).hexdigest()


GUEST_COOKIE = "marketplace_guest"
GUEST_PATH = "/guest"


def guest_pass_token(pass_id: UUID) -> str:
    """The secret in a guest pass's link (docs/design.md 3.5): an HMAC of the pass's id under the
    secret key, so that neither the database nor the outbox ever holds it (they keep the id and
    the token's SHA-256); the email is rendered with it when it is sent."""
    mac = hmac.new(get_settings().secret_key, b"guest-pass:" + pass_id.bytes, hashlib.sha256)
    return "g" + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def guest_cookie_header(value: str, max_age: int) -> str:
    """The guest pass exchanged for a cookie sent only to the guest pages, for as long as the
    call-off is open (at most its deadline)."""
    parts = [
        f"{GUEST_COOKIE}={value}",
        f"Path={GUEST_PATH}",
        "HttpOnly",
        "SameSite=Lax",
        f"Max-Age={max(0, max_age)}",
    ]
    if get_settings().production:
        parts.append("Secure")
    return "; ".join(parts)


def session_cookie_header(value: str, *, expire: bool = False) -> str:
    parts = [f"{SESSION_COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if get_settings().production:
        parts.append("Secure")
    if expire:
        parts.append("Max-Age=0")
    return "; ".join(parts)


def scope_header(scope: Scope, name: bytes) -> str | None:
    """A request header's value from the ASGI scope (the first, if repeated)."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


# How a bearer token or a session cookie is turned into a Principal: the accounts domain's, given by
# the app (the web toolkit sits below the domains and imports none of them).
Identify = Callable[[str], Awaitable[Principal | None]]


class IdentifyRequester:
    """ASGI middleware: puts the Principal (or None) and the browser's cookie into the scope."""

    def __init__(self, app: ASGIApp, *, by_token: Identify, by_session: Identify) -> None:
        self.app = app
        self.by_token = by_token
        self.by_session = by_session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        source_address.set(client[0] if client else "unknown")
        principal: Principal | None = None
        state: dict[str, Any] = {"bearer": False, "bad_token": False, "new_cookie": False}
        authorization = scope_header(scope, b"authorization")
        cookie_value: str | None = None
        if authorization is not None:
            state["bearer"] = True
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                principal = await self.by_token(token.strip())
            state["bad_token"] = principal is None
        else:
            raw = scope_header(scope, b"cookie")
            if raw:
                morsel = SimpleCookie()
                try:
                    morsel.load(raw)
                except Exception:
                    morsel = SimpleCookie()
                if SESSION_COOKIE in morsel and _COOKIE_VALUE.match(morsel[SESSION_COOKIE].value):
                    cookie_value = morsel[SESSION_COOKIE].value
            if cookie_value is not None:
                principal = await self.by_session(cookie_value)
            elif not scope["path"].startswith(("/api/", "/healthz")):
                cookie_value = secrets.token_urlsafe(32)
                state["new_cookie"] = True
        state["cookie"] = cookie_value
        state["csrf_token"] = csrf_token_for(cookie_value) if cookie_value else None
        scope["user"] = principal
        scope["auth"] = state

        if not state["new_cookie"] or cookie_value is None:
            await self.app(scope, receive, send)
            return
        new_cookie = session_cookie_header(cookie_value).encode()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                sets_own = any(
                    k.lower() == b"set-cookie" and v.startswith(SESSION_COOKIE.encode() + b"=")
                    for k, v in headers
                )
                if not sets_own:
                    headers.append((b"set-cookie", new_cookie))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


# How a handler asks for the signed-in user: a parameter `principal: SignedIn` (provided by
# signed_in_principal, registered on the app under the name "principal").
SignedIn = NamedDependency[Principal]


def requester(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    principal: Principal | None = connection.scope.get("user")
    return principal


def signed_in_principal(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in user of a route the guards have let through: the app's `principal`
    dependency, which a handler asks for as `principal: SignedIn`. It is the one the middleware
    put in the scope, so no database is asked."""
    principal = requester(request)
    if principal is None:
        raise NotSignedIn("Sign in to continue")
    return principal


async def check_csrf(request: Request[Any, Any, Any]) -> None:
    """Refuse an unsafe browser request whose CSRF token does not match its cookie."""
    if request.method in SAFE_METHODS:
        return
    auth = request.scope.get("auth") or {}
    if auth.get("bearer"):
        return
    is_api = request.url.path.startswith("/api/")
    if is_api and request.scope.get("user") is None:
        return  # no ambient credential to abuse (e.g. asking for a token)
    expected = auth.get("csrf_token")
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if (
        given is None
        and not is_api
        and (
            content_type.startswith("application/x-www-form-urlencoded")
            or content_type.startswith("multipart/form-data")
        )
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if (
        not expected
        or not given
        or not hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))
    ):
        raise NotAllowed(
            "The form has expired or was not sent from this service: reload the page and try again"
        )


async def signed_in(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """App-wide guard: every route needs a signed-in user unless it is marked public."""
    auth = connection.scope.get("auth") or {}
    if auth.get("bad_token"):
        raise NotSignedIn("The API token is not valid, has expired or was revoked")
    if handler.opt.get("public") or connection.scope["path"].startswith(PUBLIC_PATH_PREFIXES):
        return
    if connection.scope.get("user") is None:
        raise NotSignedIn("Sign in to continue")


def role_in(*roles: str) -> Any:
    """A guard letting through only users with one of `roles`."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = requester(connection)
        if principal is None:
            raise NotSignedIn("Sign in to continue")
        if principal.role not in roles:
            raise NotAllowed(f"This needs the role {' or '.join(roles)}")

    return guard
