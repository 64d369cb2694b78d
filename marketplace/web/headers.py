"""Security headers on every answer, static files included (OWASP ASVS 5.0, V3 and V4).

The pages run no inline script but the two that need one (govuk-frontend's `js-enabled` class and
its module start-up), which carry a nonce made for each request: the scope's `csp_nonce`, read by
the templates. Styles come only from our own files. Nothing may frame the pages.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

NONCE_KEY = "csp_nonce"
_API_DOCS = "/api/docs"


def content_security_policy(nonce: str, path: str) -> str:
    scripts = f"'self' 'nonce-{nonce}'"
    styles = "'self'"
    if path.startswith(_API_DOCS):
        # Swagger UI (Litestar's page) starts itself with an inline script and sets inline styles;
        # it reads only our own files, and the page shows no data of its own.
        scripts, styles = "'self' 'unsafe-inline'", "'self' 'unsafe-inline'"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(nonce: str, path: str, *, production: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        ("content-security-policy", content_security_policy(nonce, path)),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ("cross-origin-opener-policy", "same-origin"),
    ]
    if production:
        headers.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
    return [(name.encode(), value.encode()) for name, value in headers]


class SecurityHeaders:
    """ASGI middleware in front of everything (the static files too)."""

    def __init__(self, app: ASGIApp | Any, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope[NONCE_KEY] = nonce  # type: ignore[literal-required]
        ours = security_headers(nonce, scope["path"], production=self.production)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A route's own stricter choice stands (the guest pages send no referrer at all).
                own = list(message.get("headers", []))
                named = {name.lower() for name, _ in own}
                added = [(name, value) for name, value in ours if name not in named]
                message = {**message, "headers": own + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)
