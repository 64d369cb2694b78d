"""ASGI middleware honouring `Idempotency-Key` on the API's unsafe requests (docs/api.md, Idempotency-Key).

It sits just inside IdentifyRequester, so it knows who is asking: keys belong to a user. A new key
is claimed (a pending row) before the request runs; a 2xx response is kept for 24 hours and
replayed, with `Idempotent-Replayed: true`, to a repeat of the same request, which then writes
nothing. Any other response lets the key go, so that a corrected retry can proceed.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal, cast

from litestar.types import ASGIApp, HTTPScope, Message, Receive, ReceiveMessage, Scope, Send

from marketplace.errors import FieldError
from marketplace.idempotency.rules import (
    KEY_HEADER,
    METHODS,
    REPLAYED_HEADER,
    RequestSeen,
    StoredResponse,
    fingerprint,
    is_valid_key,
)
from marketplace.idempotency.service import claim_key, record_response, release_key
from marketplace.principal import Principal
from marketplace.web.problems import PROBLEM_JSON, problem_body
from marketplace.web.security import scope_header

log = logging.getLogger("marketplace")
_KEY_HEADER = KEY_HEADER.lower().encode()
_KEPT_HEADERS = frozenset({b"content-type", b"location"})


async def _send_problem(send: Send, status: int, title: str, detail: str, slug: str) -> None:
    errors = [FieldError(KEY_HEADER, detail)] if status == 400 else None
    body = json.dumps(problem_body(status, title, detail, slug, errors)).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _replay(send: Send, stored: StoredResponse) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers]
    headers += [
        (b"content-length", str(len(stored.body)).encode()),
        (REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    status = stored.status_code or 200
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


def _body_limit(scope: Scope) -> int | None:
    handler = scope.get("route_handler")
    resolve = getattr(handler, "resolve_request_max_body_size", None)
    return resolve() if resolve is not None else None


class HonourIdempotencyKeys:
    """Replays the first response to a repeated (user, Idempotency-Key) on /api/ writes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principal = scope.get("user")
        key = scope_header(scope, _KEY_HEADER)
        method = cast("HTTPScope", scope)["method"]
        if (
            key is None
            or not isinstance(principal, Principal)
            or principal.user_id is None  # a guest pass is never an API credential
            or method not in METHODS
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        if not is_valid_key(key):
            await _send_problem(
                send,
                400,
                "The request is not valid",
                f"The {KEY_HEADER} header must be 1 to 255 printable ASCII characters",
                "bad-input",
            )
            return
        chunks, read = await _read_body(receive, _body_limit(scope))
        if read == "disconnected":
            return
        if read == "too_large":
            # Litestar answers with its 413 as it reads the rest; there is nothing to remember.
            await self.app(scope, _receive_again(chunks, receive, whole=False), send)
            return
        body = b"".join(chunks)
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope["path"] + (f"?{query}" if query else "")
        request = RequestSeen(method, path, fingerprint(body))
        claim = await claim_key(principal.user_id, key, request)
        if claim.outcome == "replay" and claim.stored is not None:
            await _replay(send, claim.stored)
            return
        if claim.outcome == "different_request":
            await _send_problem(
                send,
                422,
                "The request breaks a rule",
                f"This {KEY_HEADER} was used with a different request",
                "idempotency-key-reused",
            )
            return
        if claim.outcome != "proceed" or claim.row_id is None:
            await _send_problem(
                send,
                409,
                "Not possible in the current state",
                f"A request with this {KEY_HEADER} is still in progress",
                "idempotency-key-in-progress",
            )
            return
        await self._run_and_keep(scope, body, receive, send, claim.row_id)

    async def _run_and_keep(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, row_id: Any
    ) -> None:
        start: dict[str, Any] | None = None
        parts: list[bytes] = []
        finished = False

        async def capture(message: Message) -> None:
            nonlocal start, finished
            if message["type"] == "http.response.start":
                start = dict(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                finished = not message.get("more_body", False)
            else:
                await send(message)

        try:
            await self.app(scope, _receive_again([body], receive, whole=True), capture)
        except BaseException:
            await release_key(row_id)
            raise
        if start is None:
            await release_key(row_id)
            return
        response_body = b"".join(parts)
        status = int(start["status"])
        # The answer is kept before it is sent, so a client that has it can never see "in progress".
        if finished and 200 <= status < 300:
            kept = [
                (name.decode("latin-1").lower(), value.decode("latin-1"))
                for name, value in start.get("headers", [])
                if name.lower() in _KEPT_HEADERS
            ]
            await record_response(row_id, status, kept, response_body)
        else:
            await release_key(row_id)
        await send(start)  # type: ignore[arg-type]
        await send({"type": "http.response.body", "body": response_body, "more_body": False})


async def _read_body(
    receive: Receive, limit: int | None
) -> tuple[list[bytes], Literal["whole", "too_large", "disconnected"]]:
    """The request body's chunks, read until the end, the size limit or the client leaving."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return chunks, "disconnected"
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return chunks, "whole"
        if limit is not None and size > limit:
            return chunks, "too_large"


def _receive_again(chunks: list[bytes], receive: Receive, *, whole: bool) -> Receive:
    """A receive that hands the app the chunks already read, then carries on with the client's."""
    pending = list(chunks)

    async def again() -> ReceiveMessage:
        if pending:
            chunk = pending.pop(0)
            more = bool(pending) or not whole
            return {"type": "http.request", "body": chunk, "more_body": more}
        return await receive()

    return again
