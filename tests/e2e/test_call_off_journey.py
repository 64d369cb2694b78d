"""A commissioner publishes an enablement request; an invited provider finds it in the feed and a
provider admitted elsewhere does not: in a real browser, on the demo marketplace."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER, DEMO_SIGN_INS

pytestmark = pytest.mark.e2e
TITLE = "Enablement at home in Ashford (journey)"
OUTSIDER_EMAIL = "outsider@journey.example.org"
OUTSIDER_PASSWORD = "an outsider's long password"


def api(url: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (our own test server)
        f"{url}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def outsider(url: str) -> None:
    """A provider with a user but no admission anywhere, made through the admin API."""
    admin = DEMO_SIGN_INS[0]
    token = api(url, "/api/v1/auth/tokens", {"email": admin.email, "password": admin.password})[
        "token"
    ]
    organisation = api(
        url, "/api/v1/organisations/", {"kind": "provider", "name": "Outsider Care"}, token
    )
    api(
        url,
        f"/api/v1/organisations/{organisation['id']}/users",
        {"email": OUTSIDER_EMAIL, "password": OUTSIDER_PASSWORD, "role": "provider"},
        token,
    )


def sign_in_as(page: Any, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")
    expect(page.locator("#sign-out")).to_be_visible()


def test_an_enablement_request_reaches_the_invited_provider_only(
    page: Any, server: Any, tmp_path: Path
) -> None:
    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.click("text=Call-offs")
    page.click("text=enablement request")
    page.fill("#title", TITLE)
    page.select_option("#lot_code", "CSH")  # the lot the demo providers are admitted to
    ashford = page.locator("#package_id option", has_text="KENT-ASHFORD").first
    page.select_option("#package_id", ashford.get_attribute("value"))
    page.fill("#budget", "1500")
    page.fill("#outcomes", "Wash and dress independently")
    page.click("#save-draft")
    expect(page).to_have_url(re.compile(r"/call-offs/[0-9a-f-]{36}\?done=draft-saved$"))
    expect(page.locator("#success-banner")).to_contain_text("saved as a draft")
    expect(page.locator("#status-tag")).to_have_text("Draft")
    page.click("#publish")
    expect(page.locator("h1")).to_have_text("Check the call-off before you publish it")
    expect(page.locator("#publish-check")).to_contain_text(TITLE)
    page.screenshot(path=str(tmp_path / "publish-check.png"), full_page=True)
    page.click("#confirm-publish")
    expect(page.locator("#success-banner")).to_contain_text("The call-off is published")
    expect(page.locator("#status-tag")).to_have_text("Published")
    expect(page.locator("#invitees")).to_contain_text(str(DEMO_PROVIDER.organisation))
    page.screenshot(path=str(tmp_path / "call-off.png"), full_page=True)
    page.click("text=Home")
    expect(page.locator("#queue-counters")).to_be_visible()
    page.screenshot(path=str(tmp_path / "commissioner-home.png"), full_page=True)
    page.click("#sign-out")

    sign_in_as(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    expect(page.locator("#queue-new-invitations")).to_contain_text(TITLE)
    page.screenshot(path=str(tmp_path / "provider-home.png"), full_page=True)
    page.click("text=Opportunities")
    expect(page.locator("#opportunities")).to_contain_text(TITLE)
    page.screenshot(path=str(tmp_path / "opportunities.png"), full_page=True)
    page.click(f"text={TITLE}")
    expect(page.locator("#opportunity")).to_contain_text("Wash and dress independently")
    page.click("#sign-out")

    outsider(server.url)
    sign_in_as(page, OUTSIDER_EMAIL, OUTSIDER_PASSWORD)
    page.goto("/opportunities")
    expect(page.locator("h1")).to_have_text("Opportunities")
    expect(page.locator("main")).not_to_contain_text(TITLE)
