"""A provider submits, replaces and withdraws a bid for an enablement request, seeing each receipt
on "My bids": in a real browser, on the demo marketplace."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER
from tests.e2e.test_call_off_journey import api, sign_in_as

pytestmark = pytest.mark.e2e
TITLE = "Enablement at home in Ashford (bid journey)"


def published_enablement(url: str, title: str = TITLE) -> str:
    """An enablement request for a waiting Ashford package, published through the API."""
    token = api(
        url,
        "/api/v1/auth/tokens",
        {"email": DEMO_COMMISSIONER.email, "password": DEMO_COMMISSIONER.password},
    )["token"]
    packages = _get(url, "/api/v1/packages?status=waiting&limit=200", token)["items"]
    package = next(p for p in packages if p["area_code"] == "KENT-ASHFORD")
    call_off = api(
        url,
        "/api/v1/call-offs",
        {
            "kind": "enablement",
            "title": title,
            "lot_code": "CSH",
            "package_ids": [package["id"]],
            "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "enablement": {"budget_pence": 150000, "weeks": 6, "outcomes": ["Cook a meal"]},
        },
        token,
    )
    api(url, f"/api/v1/call-offs/{call_off['id']}/publish", {}, token)
    return str(call_off["id"])


def _get(url: str, path: str, token: str) -> Any:
    import json
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 (our own test server)
        f"{url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_a_provider_submits_replaces_and_withdraws_a_bid(
    page: Any, server: Any, tmp_path: Path
) -> None:
    call_off_id = published_enablement(server.url)
    sign_in_as(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    page.click("text=Opportunities")
    page.click(f"text={TITLE}")
    page.click("#bid-link")
    expect(page.locator("h1")).to_have_text("Submit your bid")

    page.fill("#hourly_rate", "99.00")  # above the maximum: the live check says why at once
    page.locator("#hourly_rate").dispatch_event("change")
    expect(page.locator("#rate-check")).to_contain_text("The hourly rate must be £")
    page.fill("#hourly_rate", "17.50")
    page.locator("#hourly_rate").dispatch_event("change")
    expect(page.locator("#rate-check")).to_contain_text("£17.50 an hour is within the maximum of")
    page.check("#accepts_enablement_budget")
    page.click("#submit-bid")
    expect(page).to_have_url(re.compile(r"/my-bids$"))
    expect(page.locator("#receipt-banner")).to_contain_text("Version 1")
    row = page.locator(f"#bid-{call_off_id}")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Open for bids")

    page.click(f"#bid-{call_off_id} a")
    expect(page.locator("h1")).to_have_text("Change your bid")
    expect(page.locator("#hourly_rate")).to_have_value("17.50")
    page.fill("#hourly_rate", "17.60")
    page.click("#submit-bid")
    expect(page.locator("#receipt-banner")).to_contain_text("Version 2")
    expect(row).to_contain_text("Version 2")

    page.click(f"#bid-{call_off_id} a")
    page.click("#withdraw-bid")
    expect(page.locator("h1")).to_have_text("Are you sure you want to withdraw your bid?")
    expect(page.locator("#withdraw-check")).to_contain_text("Version 2")
    page.screenshot(path=str(tmp_path / "withdraw-check.png"), full_page=True)
    page.click("#confirm-withdraw")
    expect(page).to_have_url(re.compile(r"/my-bids$"))
    expect(page.locator("#receipt-banner")).to_contain_text("withdrawn")
    expect(row).to_contain_text("Withdrawn")


def test_a_commissioner_cancels_through_the_check_page(
    page: Any, server: Any, tmp_path: Path
) -> None:
    call_off_id = published_enablement(server.url, "Enablement at home in Ashford (cancelled)")
    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.goto(f"/call-offs/{call_off_id}")
    expect(page.locator("#call-off-status")).to_contain_text("Time left")
    page.click("#cancel")
    expect(page.locator("h1")).to_have_text("Are you sure you want to cancel this call-off?")
    expect(page.locator("#cancel-consequences")).to_contain_text("emailed your reason")
    page.click("#confirm-cancel")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a reason")
    page.fill("#reason", "The person moved into residential care")
    page.screenshot(path=str(tmp_path / "cancel-check.png"), full_page=True)
    page.click("#confirm-cancel")
    expect(page.locator("#success-banner")).to_contain_text("The call-off is cancelled")
    expect(page.locator("#status-tag")).to_have_text("Cancelled")
    expect(page.locator("#call-off-timing")).to_contain_text("Cancelled on")
    expect(page.locator("#call-off-status")).not_to_contain_text("Time left")
    expect(page.locator("#call-off-status")).not_to_contain_text("Bids are sealed")
    page.screenshot(path=str(tmp_path / "call-off-cancelled.png"), full_page=True)
