"""After the award: the demo provider wins an enablement request (set up through the API, with a
standstill of 0 so it concludes at once), then in a real browser records the actual start, varies
the weekly hours within the tolerance and hands the care back; the commissioner finds the package
back on the waiting list, marked handed back, and the hand-back in the provider's quality
breakdown on the ranking page: with JavaScript and without it, each on a package of its own."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER
from tests.e2e.conftest import BOTH_WAYS
from tests.e2e.test_award_journey import call, pass_the_deadline, token_for
from tests.e2e.test_call_off_journey import sign_in_as

pytestmark = pytest.mark.e2e
TITLE = "Enablement at home in Ashford (care journey)"
# The in-process upkeep closes, opens and evaluates overdue call-offs every 10 s, and runs the
# conclusion job as soon as the award notice has gone.
WITHIN_SECONDS = 60


def wait_for_status(url: str, call_off_id: str, token: str, status: str) -> None:
    deadline = time.monotonic() + WITHIN_SECONDS
    while (found := call(url, "GET", f"/api/v1/call-offs/{call_off_id}", token=token))[
        "status"
    ] != status:
        if time.monotonic() > deadline:
            pytest.fail(
                f"the call-off is {found['status']}, not {status}, after {WITHIN_SECONDS} s"
            )
        time.sleep(0.5)


def concluded_for_the_demo_provider(server: Any, count: int = 1) -> list[str]:
    """`count` Ashford enablement requests the demo provider alone bids for, awarded and
    concluded, each for a package of its own: the references of their packages. They pass their
    deadlines together, so one pass of the upkeep evaluates them all."""
    url = server.url
    commissioner = token_for(url, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    provider = token_for(url, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    packages = call(url, "GET", "/api/v1/packages?status=waiting&limit=200", token=commissioner)
    ashford = [p for p in packages["items"] if p["area_code"] == "KENT-ASHFORD"][:count]
    assert len(ashford) == count, "too few waiting Ashford packages in the demo"
    today = datetime.now(ZoneInfo("Europe/London")).date()
    call_off_ids = []
    for package in ashford:
        call_off = call(
            url,
            "POST",
            "/api/v1/call-offs",
            {
                "kind": "enablement",
                "title": TITLE,
                "lot_code": "CSH",
                "package_ids": [package["id"]],
                "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
                "standstill_working_days": 0,
                "enablement": {"budget_pence": 150000, "weeks": 6, "outcomes": ["Cook a meal"]},
            },
            commissioner,
        )
        call_off_id = str(call_off["id"])
        call(url, "POST", f"/api/v1/call-offs/{call_off_id}/publish", {}, commissioner)
        call(
            url,
            "PUT",
            f"/api/v1/call-offs/{call_off_id}/bid",
            {
                "hourly_rate_pence": 1800,
                "accepts_enablement_budget": True,
                "mobilisation_date": today.isoformat(),
            },
            provider,
        )
        call_off_ids.append(call_off_id)
    for call_off_id in call_off_ids:
        pass_the_deadline(server, call_off_id)
    for call_off_id in call_off_ids:
        wait_for_status(url, call_off_id, commissioner, "evaluated")
        call(url, "POST", f"/api/v1/call-offs/{call_off_id}/award", {}, commissioner)
    for call_off_id in call_off_ids:
        wait_for_status(url, call_off_id, commissioner, "concluded")
    return [str(package["reference"]) for package in ashford]


@pytest.fixture(scope="module")
def concluded_care(server: Any) -> dict[bool, str]:
    """A package's care for each way the journey is walked (with JavaScript or without)."""
    with_javascript, without = concluded_for_the_demo_provider(server, 2)
    return {True: with_javascript, False: without}


@BOTH_WAYS
def test_the_provider_starts_varies_and_hands_back_and_the_package_waits_again(
    page: Any, tmp_path: Any, javascript: bool, concluded_care: dict[bool, str]
) -> None:
    reference = concluded_care[javascript]
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()

    sign_in_as(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    page.get_by_role("link", name="My care", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/my-care/?$"))
    row = page.locator("#my-care tr", has_text=reference)
    expect(row.locator("[data-field=status]")).to_have_text("Awaiting start")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(reference)
    expect(page.locator("#care-status")).to_have_text("Awaiting start")

    page.fill("#start-actual_start", today)
    page.click("#record-start")
    expect(page.locator("#done-banner")).to_contain_text("The actual start is recorded.")
    expect(page.locator("#care-status")).to_have_text("Active")
    expect(page.locator("#actual-start #on-time")).to_have_text("On time")

    awarded = Decimal(page.locator("#weekly-hours").inner_text())
    more = awarded + Decimal("2.00")
    page.fill("#vary-weekly_hours", str(more))
    page.fill("#vary-effective_from", today)
    page.fill("#vary-reason", "A second visit at lunchtime after the review")
    page.click("#record-variation")
    expect(page.locator("#done-banner")).to_contain_text("The change of weekly hours is recorded.")
    expect(page.locator("#weekly-hours")).to_have_text(str(more))
    expect(page.locator("#tolerance-used")).to_have_text("2.00")
    expect(page.locator("#variations [data-field=status]")).to_have_text(
        "Applied (within the tolerance)"
    )

    page.click("#hand-back")  # nothing filled in: the error summary says what is missing
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reason")
    page.fill("#hand-back-last_care_date", today)
    page.fill("#hand-back-reason", "We can no longer staff the lunchtime calls")
    page.click("#hand-back")
    expect(page.locator("#done-banner")).to_contain_text("The care is handed back.")
    expect(page.locator("#care-status")).to_have_text("Handed back")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(4)
    page.screenshot(path=str(tmp_path / "provider-care.png"), full_page=True)
    expect(timeline.last).to_contain_text("The package is back on the waiting list")
    page.click("#sign-out")

    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.get_by_role("link", name="Waiting list", exact=True).click()
    page.select_option("#area_code", "KENT-ASHFORD")
    page.click("#filter")
    returned = page.locator("#packages tr", has=page.locator(f"[id='package-{reference}']"))
    expect(returned).to_have_count(1)
    expect(returned.locator("[data-field=handed-back]")).to_have_text("Handed back")

    page.get_by_role("link", name="Care", exact=True).click()
    row = page.locator("#care tr", has_text=reference)
    expect(row.locator("[data-field=status]")).to_have_text("Handed back")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("#timeline li").last).to_contain_text(
        "We can no longer staff the lunchtime calls"
    )
    page.screenshot(path=str(tmp_path / "commissioner-care.png"), full_page=True)

    page.get_by_role("link", name="Ranking", exact=True).click()
    oakleaf = page.locator("#ranking tr", has_text="Oakleaf Home Care (demo)")
    oakleaf.locator("summary").click()
    # This journey's hand-back counts (with the other way's, when that one ran too).
    expect(oakleaf.locator("[data-factor=hand_backs]")).to_contain_text(
        re.compile(r"\b[1-9]\d* of [1-9]\d* packages? handed back")
    )
    page.screenshot(path=str(tmp_path / "ranking.png"), full_page=True)
