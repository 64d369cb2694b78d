"""The sign-in, call-off and bid journeys with JavaScript turned off in the browser: every form
works as a plain POST and every page reads without script (progressive enhancement)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER
from tests.e2e.test_bid_journey import published_enablement
from tests.e2e.test_call_off_journey import sign_in_as

pytestmark = pytest.mark.e2e
CALL_OFF_TITLE = "Enablement at home in Ashford (no JavaScript)"
BID_TITLE = "Enablement at home in Ashford (bid without JavaScript)"


def test_signing_in_and_out_works_without_javascript(page_without_javascript: Any) -> None:
    page = page_without_javascript
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    assert "js-enabled" not in (page.get_attribute("body", "class") or "")
    page.fill("#email", DEMO_COMMISSIONER.email)
    page.fill("#password", "not the demo password")
    page.click("#sign-in")
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")

    page.fill("#password", DEMO_COMMISSIONER.password)
    page.click("#sign-in")
    expect(page.locator("h1")).to_have_text("Commissioner home")
    page.click("#sign-out")
    expect(page.locator("h1")).to_have_text("Sign in")


def test_a_call_off_is_drafted_and_published_without_javascript(
    page_without_javascript: Any,
) -> None:
    page = page_without_javascript
    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.click("text=Call-offs")
    page.click("text=enablement request")
    page.fill("#title", CALL_OFF_TITLE)
    page.select_option("#lot_code", "CSH")
    ashford = page.locator("#package_id option", has_text="Ashford").first
    page.select_option("#package_id", ashford.get_attribute("value"))
    page.fill("#budget", "1500")
    page.fill("#outcomes", "Wash and dress independently")
    page.click("#save-draft")
    expect(page).to_have_url(re.compile(r"/call-offs/[0-9a-f-]{36}$"))
    expect(page.locator("#status-tag")).to_have_text("Draft")
    page.click("#publish")
    expect(page.locator("h1")).to_have_text("Check the call-off before you publish it")
    page.click("#confirm-publish")
    expect(page.locator("#success-banner")).to_contain_text("The call-off is published")
    expect(page.locator("#status-tag")).to_have_text("Published")
    expect(page.locator("#invitees")).to_contain_text(str(DEMO_PROVIDER.organisation))


def test_a_bid_is_submitted_and_withdrawn_without_javascript(
    page_without_javascript: Any, server: Any
) -> None:
    page = page_without_javascript
    call_off_id = published_enablement(server.url, BID_TITLE)
    sign_in_as(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    page.click("text=Opportunities")
    page.click(f"text={BID_TITLE}")
    page.click("#bid-link")
    expect(page.locator("h1")).to_have_text("Submit your bid")
    page.fill("#hourly_rate", "17.50")
    page.check("#accepts_enablement_budget")
    page.click("#submit-bid")
    expect(page).to_have_url(re.compile(r"/my-bids$"))
    expect(page.locator("#receipt-banner")).to_contain_text("Version 1")
    row = page.locator(f"#bid-{call_off_id}")
    expect(row).to_contain_text("Submitted")

    page.click(f"#bid-{call_off_id} a")
    page.click("#withdraw-bid")
    expect(page.locator("h1")).to_have_text("Are you sure you want to withdraw your bid?")
    page.click("#confirm-withdraw")
    expect(page).to_have_url(re.compile(r"/my-bids$"))
    expect(row).to_contain_text("Withdrawn")
