"""Signing in and out in a real browser, on the demo marketplace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER

pytestmark = pytest.mark.e2e


def record_responses(page: Any) -> list[Any]:
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    return responses


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")


def test_commissioner_signs_in_sees_their_home_and_signs_out(page: Any, tmp_path: Path) -> None:
    responses = record_responses(page)
    sign_in(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("Commissioner home")
    expect(page.locator(".govuk-caption-l")).to_have_text(str(DEMO_COMMISSIONER.organisation))
    expect(page.get_by_text(f"Signed in as {DEMO_COMMISSIONER.email}")).to_be_visible()
    assert int(page.locator("#count-areas").inner_text()) > 0
    assert int(page.locator("#count-waiting-packages").inner_text()) > 0
    assert int(page.locator("#count-providers").inner_text()) > 0

    # The Design System's stylesheet (compiled with a system font) and its JavaScript arrived
    # and took effect; GOV.UK's own typeface was neither asked for nor used.
    for selector in ("h1", "#count-areas", ".govuk-body"):
        font_family = page.eval_on_selector(selector, "e => getComputedStyle(e).fontFamily")
        assert font_family.startswith("system-ui"), f"{selector} is set in {font_family}"
    body_classes = page.get_attribute("body", "class") or ""
    assert "govuk-frontend-supported" in body_classes
    by_url = {response.url: response.status for response in responses}
    stylesheets = [
        url for url in by_url if re.search(r"/static/govuk-frontend\.[0-9a-f]{12}\.min\.css$", url)
    ]
    assert stylesheets and all(by_url[url] == 200 for url in stylesheets)
    assert not [url for url in by_url if "/assets/" in url or "font" in url]
    failed = {url: status for url, status in by_url.items() if status >= 400}
    assert not failed, f"requests that failed: {failed}"

    page.screenshot(path=str(tmp_path / "commissioner-home.png"), full_page=True)

    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))


def test_provider_sees_the_provider_home(page: Any) -> None:
    sign_in(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    expect(page.locator("h1")).to_have_text("Provider home")
    expect(page.locator(".govuk-caption-l")).to_have_text(str(DEMO_PROVIDER.organisation))
    assert int(page.locator("#count-lots").inner_text()) > 0


def test_wrong_password_shows_the_error_summary(page: Any) -> None:
    sign_in(page, DEMO_COMMISSIONER.email, "not the demo password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # govuk-frontend's ErrorSummary ran
    expect(page.locator("#email")).to_have_value(DEMO_COMMISSIONER.email)
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
