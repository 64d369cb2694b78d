"""Every kind of answer carries the security headers; the pages' inline scripts carry the nonce."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.factories import make_admin
from tests.support import sign_in

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>", re.IGNORECASE)


def _policy(response: httpx.Response) -> dict[str, str]:
    directives = (part.strip() for part in response.headers["content-security-policy"].split(";"))
    return {name: value for name, _, value in (d.partition(" ") for d in directives if d)}


def _assert_common_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    policy = _policy(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "strict-transport-security" not in response.headers, "HSTS only in production"


@pytest.mark.parametrize(
    "path",
    [
        "/sign-in",  # a page
        "/api/v1/lots",  # the API
        "/api/v1/call-offs/not-a-uuid",  # an error, problem+json
        "/no-such-page",  # an error page
        "/healthz",  # the health check
    ],
)
async def test_every_kind_of_answer_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    _assert_common_headers(response)
    assert "'unsafe-inline'" not in _policy(response)["script-src"]
    assert "'unsafe-inline'" not in _policy(response)["style-src"]


async def test_static_files_carry_the_headers_too(client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in")
    stylesheet = re.search(r'href="(/static/govuk-frontend[^"]+\.css)"', page.text)
    assert stylesheet is not None
    response = await client.get(stylesheet[1])
    assert response.status_code == 200
    _assert_common_headers(response)


async def test_a_pages_inline_scripts_carry_this_answers_nonce_and_no_other(
    client: httpx.AsyncClient,
) -> None:
    admin, _ = await make_admin()
    await sign_in(client, admin.email)
    first = await client.get("/")
    second = await client.get("/")
    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", _policy(response)["script-src"])
        assert nonce is not None
        nonces.append(nonce[1])
        inline = [
            match["attrs"]
            for match in _INLINE_SCRIPT.finditer(response.text)
            if "src=" not in match["attrs"] and "application/json" not in match["attrs"]
        ]
        assert inline, "the page has its start-up scripts"
        assert all(f'nonce="{nonce[1]}"' in attrs for attrs in inline), inline
        assert " style=" not in response.text, "no inline style attribute"
    assert nonces[0] != nonces[1], "a new nonce for every answer"
