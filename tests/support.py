"""Helpers several test modules share: the browser sign-in dance and the `marketplace` command."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx

from tests.factories import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[1]
MARKETPLACE = REPO_ROOT / ".venv" / "bin" / "marketplace"


def csrf_token_in(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has a CSRF token"
    return match.group(1)


async def sign_in_form(client: httpx.AsyncClient, next_path: str | None = None) -> str:
    """GET /sign-in and return its CSRF token."""
    response = await client.get("/sign-in", params={"next": next_path} if next_path else None)
    assert response.status_code == 200
    return csrf_token_in(response.text)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next_path: str = "/"
) -> httpx.Response:
    """Sign in through the form, as a browser does."""
    token = await sign_in_form(client, next_path)
    return await client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password, "next": next_path},
    )


def run_marketplace(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the `marketplace` command on a SQLite file in tmp_path."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'marketplace.sqlite'}",
        "MARKETPLACE_VAR_DIR": str(tmp_path),
        "MARKETPLACE_CHEAP_PASSWORD_HASHING": "1",
    }
    return subprocess.run(
        [str(MARKETPLACE), *arguments],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
