"""An officer with only the opener role: signs in, finds a closed call-off among the bids to open
on their home page's work queue, approves opening its bids (the second of its two officers, so
the bids open and are evaluated), reads the bids, and is refused the award with a page in words:
in a real browser, on the demo marketplace, with JavaScript and without it.

A call-off with the demo's quorum of one officer never rests closed (the close opens its bids at
once), so each of these call-offs asks two: another opener, made through the admin API, has
approved already."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER, DEMO_SIGN_INS
from tests.e2e.conftest import BOTH_WAYS
from tests.e2e.test_award_journey import call, pass_the_deadline, token_for
from tests.e2e.test_call_off_journey import sign_in_as

pytestmark = pytest.mark.e2e
ADMIN, OPENER = DEMO_SIGN_INS[0], DEMO_SIGN_INS[2]
TITLE = "Enablement at home in Ashford (opener journey)"
OTHER_OPENER_EMAIL = "second.opener@kent.opener-journey.example.org"
OTHER_OPENER_PASSWORD = "another officer's long password"
# The in-process upkeep closes overdue call-offs every 10 s.
CLOSED_WITHIN_SECONDS = 40


def other_opener(url: str) -> str:
    """A second opener at Kent, made through the admin API: their API token."""
    admin = token_for(url, ADMIN.email, ADMIN.password)
    organisations = call(url, "GET", "/api/v1/organisations/", token=admin)
    items = organisations["items"] if isinstance(organisations, dict) else organisations
    kent = next(o for o in items if o["name"] == OPENER.organisation)
    call(
        url,
        "POST",
        f"/api/v1/organisations/{kent['id']}/users",
        {"email": OTHER_OPENER_EMAIL, "password": OTHER_OPENER_PASSWORD, "role": "opener"},
        admin,
    )
    return token_for(url, OTHER_OPENER_EMAIL, OTHER_OPENER_PASSWORD)


def published_for_two_openers(url: str, commissioner: str, title: str) -> str:
    packages = call(url, "GET", "/api/v1/packages?status=waiting&limit=200", token=commissioner)
    package = next(p for p in packages["items"] if p["area_code"] == "KENT-ASHFORD")
    call_off = call(
        url,
        "POST",
        "/api/v1/call-offs",
        {
            "kind": "enablement",
            "title": title,
            "lot_code": "CSH",
            "package_ids": [package["id"]],
            "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "opening_quorum": 2,
            "enablement": {"budget_pence": 150000, "weeks": 6, "outcomes": ["Cook a meal"]},
        },
        commissioner,
    )
    call_off_id = str(call_off["id"])
    call(url, "POST", f"/api/v1/call-offs/{call_off_id}/publish", {}, commissioner)
    return call_off_id


@pytest.fixture(scope="module")
def closed_call_offs(server: Any) -> dict[bool, tuple[str, str]]:
    """For each way the journey is walked, a call-off the demo provider bid for, closed at its
    deadline and approved for opening by one of its two officers: its id and title."""
    url = server.url
    commissioner = token_for(url, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    provider = token_for(url, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    officer = other_opener(url)
    call_offs = {}
    for javascript in (True, False):
        title = TITLE if javascript else f"{TITLE} without JavaScript"
        call_off_id = published_for_two_openers(url, commissioner, title)
        call(
            url,
            "PUT",
            f"/api/v1/call-offs/{call_off_id}/bid",
            {"hourly_rate_pence": 1800, "accepts_enablement_budget": True},
            provider,
        )
        pass_the_deadline(server, call_off_id)
        call_offs[javascript] = (call_off_id, title)
    deadline = time.monotonic() + CLOSED_WITHIN_SECONDS
    for call_off_id, _ in call_offs.values():
        path = f"/api/v1/call-offs/{call_off_id}"
        while call(url, "GET", path, token=commissioner)["status"] != "closed":
            if time.monotonic() > deadline:
                pytest.fail(f"not closed {CLOSED_WITHIN_SECONDS} s after the deadline")
            time.sleep(0.5)
        state = call(url, "POST", f"{path}/open", {}, officer)
        assert not state["opened"], state
    return call_offs


@BOTH_WAYS
def test_an_opener_opens_the_bids_from_the_work_queue_and_cannot_award(
    page: Any, javascript: bool, closed_call_offs: dict[bool, tuple[str, str]]
) -> None:
    call_off_id, title = closed_call_offs[javascript]
    sign_in_as(page, OPENER.email, OPENER.password)
    expect(page.locator("h1")).to_have_text("Commissioner home")
    expect(page.locator("#count-bids-to-open [data-count]")).not_to_have_text("0")
    page.locator("#queue-bids-to-open").get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/call-offs/{call_off_id}$"))
    expect(page.locator("#status-tag")).to_have_text("Closed")
    expect(page.locator("#awaiting-opening")).to_contain_text("2 different authorised officers")

    page.click("#approve-opening")
    expect(page).to_have_url(re.compile(rf"/call-offs/{call_off_id}$"))
    expect(page.locator("#success-banner")).to_be_visible()
    expect(page.locator("#status-tag")).to_have_text("Evaluated")
    page.click("#see-evaluation")
    expect(page.locator("h1")).to_have_text("Evaluation")
    expect(page.locator("#evaluation-table tbody tr")).to_have_count(1)
    expect(page.locator("#evaluation-table")).to_contain_text(str(DEMO_PROVIDER.organisation))
    expect(page.locator("#check-award")).to_have_count(0)

    # The award's own form is not on the page; posted anyway, it is refused in words.
    with page.expect_navigation():
        page.evaluate(
            """(action) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                form.append(document.querySelector("input[name=csrf_token]").cloneNode());
                document.body.append(form);
                form.submit();
            }""",
            f"/call-offs/{call_off_id}/award/check",
        )
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text("Only commissioners award call-offs")
    page.get_by_role("link", name="Go to the home page").click()
    opened = page.locator("#queue-bids-to-open").get_by_role("link", name=title, exact=True)
    expect(opened).to_have_count(0)
