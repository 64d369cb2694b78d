"""`make screenshots`: the README's three screenshots, taken in a real browser on the demo.

Starts `marketplace run` on a fresh SQLite demo database (no other service: jobs, documents and
email are handled in the process), publishes one open enablement request through the API so the
provider has something to bid on, then with Debian's Chromium signs in as the demo commissioner
and the demo provider and saves docs/screenshots/commissioner-home.png, evaluation.png (the
demo's evaluated call-off) and provider-bid-form.png. Not part of the tests: run it when the
pages change."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time as clock
import urllib.error
import urllib.request
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect, sync_playwright

from marketplace.demo.evaluated_call_off import TITLE as EVALUATED_TITLE
from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER

REPO = Path(__file__).resolve().parents[1]
MARKETPLACE = REPO / ".venv" / "bin" / "marketplace"
OUT = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]
OPEN_TITLE = "Enablement at home, Ashford"
UK = ZoneInfo("Europe/London")
# The services the script must not reach, whatever the calling shell has set.
SERVICE_VARIABLES = ("REDIS_URL", "S3_ENDPOINT_URL", "S3_BUCKET", "SMTP_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(url: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (the server this script started)
        f"{url}{path}", data=data, headers=headers, method="GET" if body is None else "POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = clock.monotonic() + 60
    while clock.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"`marketplace run` exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            clock.sleep(0.2)
    raise SystemExit("`marketplace run` did not answer /healthz in 60 s")


def publish_open_call_off(url: str) -> None:
    """An enablement request for a waiting Ashford package, open for bids until noon a week
    from today."""
    token = call(
        url,
        "/api/v1/auth/tokens",
        {"email": DEMO_COMMISSIONER.email, "password": DEMO_COMMISSIONER.password},
    )["token"]
    packages = call(url, "/api/v1/packages?status=waiting&limit=200", token=token)["items"]
    package = next(p for p in packages if p["area_code"] == "KENT-ASHFORD")
    call_off = call(
        url,
        "/api/v1/call-offs",
        {
            "kind": "enablement",
            "title": OPEN_TITLE,
            "lot_code": "CSH",
            "package_ids": [package["id"]],
            "deadline": datetime.combine(
                datetime.now(UK).date() + timedelta(days=7), time(12), UK
            ).isoformat(),
            "enablement": {
                "budget_pence": 150000,
                "weeks": 6,
                "outcomes": ["Wash and dress independently", "Cook a simple meal"],
            },
        },
        token,
    )
    call(url, f"/api/v1/call-offs/{call_off['id']}/publish", {}, token)


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")
    expect(page.locator("#sign-out")).to_be_visible()


def take(page: Any, name: str) -> None:
    path = OUT / name
    page.screenshot(path=str(path), full_page=True)
    print(f"saved {path.relative_to(REPO)}")


def screenshots(url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
            context.set_default_timeout(15_000)
            page = context.new_page()

            sign_in(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
            expect(page.locator("h1")).to_have_text("Commissioner home")
            take(page, "commissioner-home.png")

            page.goto("/call-offs")
            page.get_by_role("link", name=EVALUATED_TITLE).first.click()
            page.click("#see-evaluation")
            expect(page.locator("#rates-chart")).to_have_attribute("data-rendered", "true")
            take(page, "evaluation.png")
            page.click("#sign-out")

            sign_in(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
            page.get_by_role("link", name="Opportunities", exact=True).click()
            page.get_by_role("link", name=OPEN_TITLE).first.click()
            page.click("#bid-link")
            page.fill("#hourly_rate", "19.75")
            page.locator("#hourly_rate").dispatch_event("change")
            expect(page.locator("#rate-check")).to_contain_text("within the maximum")
            page.locator("#hourly_rate").blur()
            take(page, "provider-bid-form.png")
        finally:
            browser.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="marketplace-screenshots-") as folder:
        env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
        env |= {
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.sqlite'}",
            "MARKETPLACE_VAR_DIR": str(Path(folder) / "var"),
        }
        log = (Path(folder) / "server.log").open("w")
        for command in (["collectstatic"], ["migrate"], ["demo"]):
            subprocess.run(  # noqa: S603 (the project's own command)
                [str(MARKETPLACE), *command], env=env, cwd=REPO, stdout=log, check=True
            )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 (the project's own command)
            [str(MARKETPLACE), "run", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(url, server)
            publish_open_call_off(url)
            screenshots(url)
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
