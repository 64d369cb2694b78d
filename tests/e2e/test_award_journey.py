"""From evaluation to award: two providers bid for an enablement request, the deadline passes and
the bids are opened and evaluated; the commissioner reads the evaluation (table, reasons, chart)
and confirms the computed award, and the losing provider reads its outcome: in a real browser,
on the demo marketplace, with JavaScript and without it (each on a call-off of its own, both past
their deadline together so that one pass of the upkeep evaluates both)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER, DEMO_SIGN_INS
from tests.conftest import run_in_own_loop, service_url
from tests.e2e.conftest import BOTH_WAYS, E2E_DATABASE
from tests.e2e.test_bid_journey import published_enablement
from tests.e2e.test_call_off_journey import sign_in_as

pytestmark = pytest.mark.e2e
TITLE = "Enablement at home in Ashford (award journey)"
# The call-off is in KENT-ASHFORD, where Oakleaf (the demo provider) and Blean Woods are both admitted.
WINNER_ORGANISATION = "Blean Woods Care (demo)"
WINNER_EMAIL = "bidder@blean-woods.award-journey.example.org"
WINNER_PASSWORD = "a winning bidder's long password"
WINNING_RATE_PENCE = 1750  # Blean Woods
LOSING_RATE_PENCE = 1800  # Oakleaf, the demo provider
# The in-process upkeep closes (and, with a quorum of one, opens) overdue call-offs every 10 s.
EVALUATED_WITHIN_SECONDS = 40


def call(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """One JSON API request; its decoded answer (an HTTP error fails with the problem's text)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (our own test server)
        f"{url}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        pytest.fail(f"{method} {path} answered {exc.code}: {exc.read().decode(errors='replace')}")


def token_for(url: str, email: str, password: str) -> str:
    answer = call(url, "POST", "/api/v1/auth/tokens", {"email": email, "password": password})
    return str(answer["token"])


def winning_bidder(url: str) -> None:
    """A user for Blean Woods Care, a demo agency admitted in Ashford, made through the admin API."""
    admin = DEMO_SIGN_INS[0]
    token = token_for(url, admin.email, admin.password)
    admissions = call(url, "GET", "/api/v1/admissions?status=approved&limit=200", token=token)
    provider_id = next(
        a["provider_id"] for a in admissions["items"] if a["provider_name"] == WINNER_ORGANISATION
    )
    call(
        url,
        "POST",
        f"/api/v1/organisations/{provider_id}/users",
        {"email": WINNER_EMAIL, "password": WINNER_PASSWORD, "role": "provider"},
        token,
    )


def bid(url: str, call_off_id: str, email: str, password: str, rate_pence: int) -> None:
    call(
        url,
        "PUT",
        f"/api/v1/call-offs/{call_off_id}/bid",
        {"hourly_rate_pence": rate_pence, "accepts_enablement_budget": True},
        token_for(url, email, password),
    )


def pass_the_deadline(server: Any, call_off_id: str) -> None:
    """Move the published call-off's deadline a second into the past, in the server's database.

    No API moves a published deadline earlier, and the server refuses deadlines less than
    MARKETPLACE_MIN_DEADLINE_SECONDS (an hour) ahead; the server's own upkeep then closes the
    call-off, opens its bids (quorum of one) and evaluates them, as it would at a real deadline.
    """
    past = datetime.now(UTC) - timedelta(seconds=1)
    if server.engine == "sqlite":
        # The server's SQLite file sits beside its log (tests/e2e/conftest.py), and Piccolo keeps
        # a timestamptz as str() of the UTC datetime, which is what is compared as text.
        connection = sqlite3.connect(server.log.parent / "marketplace.sqlite", timeout=30)
        try:
            with connection:
                changed = connection.execute(
                    "UPDATE call_off SET deadline = ? WHERE id = ? AND status = 'published'",
                    (str(past), call_off_id),
                ).rowcount
        finally:
            connection.close()
    else:
        database_url = service_url("DATABASE_URL").rsplit("/", 1)[0] + f"/{E2E_DATABASE}"
        changed = run_in_own_loop(_postgres_deadline(database_url, UUID(call_off_id), past))
    assert changed == 1, f"call-off {call_off_id} was not published with a deadline to move"


async def _postgres_deadline(database_url: str, call_off_id: UUID, deadline: datetime) -> int:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        status = await connection.execute(
            "UPDATE call_off SET deadline = $1 WHERE id = $2 AND status = 'published'",
            deadline,
            call_off_id,
        )
    finally:
        await connection.close()
    return int(status.split()[-1])


def wait_until_evaluated(page: Any, call_off_id: str) -> None:
    """Reload the commissioner's call-off page until the evaluation is offered."""
    link = page.locator("#see-evaluation")
    deadline = time.monotonic() + EVALUATED_WITHIN_SECONDS
    while True:
        page.goto(f"/call-offs/{call_off_id}")
        if link.count():
            return
        if time.monotonic() > deadline:
            status = page.locator("#status-tag").inner_text()
            pytest.fail(f"not evaluated {EVALUATED_WITHIN_SECONDS} s after the deadline: {status}")
        page.wait_for_timeout(500)


def a_poor_visit_for_the_winner(url: str, call_off_id: str) -> None:
    """A quality record between evaluation and award: the award's re-ranking changes the
    winner's quality score, and the evaluation page must say so."""
    token = token_for(url, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    evaluation = call(url, "GET", f"/api/v1/call-offs/{call_off_id}/evaluation", token=token)
    winner = next(i for i in evaluation["items"] if i["provider_name"] == WINNER_ORGANISATION)
    call(
        url,
        "POST",
        "/api/v1/quality-records",
        {
            "provider_id": winner["provider_id"],
            "kind": "monitoring_visit",
            "occurred_on": datetime.now(UTC).date().isoformat(),
            "score": 0,
            "summary": "Missed calls found at the visit",
        },
        token,
    )


@pytest.fixture(scope="module")
def call_offs_past_their_deadline(server: Any) -> dict[bool, str]:
    """A call-off for each way the journey is walked (with JavaScript or without), both bid for
    by the two providers and past their deadline together."""
    winning_bidder(server.url)
    call_offs = {}
    for javascript in (True, False):
        title = TITLE if javascript else f"{TITLE} without JavaScript"
        call_off_id = published_enablement(server.url, title)
        provider = (DEMO_PROVIDER.email, DEMO_PROVIDER.password)
        bid(server.url, call_off_id, *provider, LOSING_RATE_PENCE)
        bid(server.url, call_off_id, WINNER_EMAIL, WINNER_PASSWORD, WINNING_RATE_PENCE)
        call_offs[javascript] = call_off_id
    for call_off_id in call_offs.values():
        pass_the_deadline(server, call_off_id)
    return call_offs


@BOTH_WAYS
def test_the_commissioner_awards_and_the_loser_reads_its_outcome(
    page: Any,
    server: Any,
    tmp_path: Any,
    javascript: bool,
    call_offs_past_their_deadline: dict[bool, str],
) -> None:
    call_off_id = call_offs_past_their_deadline[javascript]

    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    wait_until_evaluated(page, call_off_id)
    expect(page.locator("#status-tag")).to_have_text("Evaluated")
    page.click("#see-evaluation")
    expect(page).to_have_url(re.compile(rf"/call-offs/{call_off_id}/evaluation$"))
    expect(page.locator("h1")).to_have_text("Evaluation")
    expect(page.locator("#evaluation-summary")).to_contain_text("Compliant bids")

    rows = page.locator("#evaluation-table tbody tr")
    expect(rows).to_have_count(2)
    first, second = page.locator("tr[data-rank='1']"), page.locator("tr[data-rank='2']")
    expect(first).to_contain_text(WINNER_ORGANISATION)
    expect(first).to_contain_text("Winner")
    expect(first).to_contain_text("£17.50/h")
    expect(first.locator("[data-field=reason]")).to_contain_text(
        "Lowest ongoing-support rate of £17.50/h among 2 compliant bids"
    )
    expect(second).to_contain_text(str(DEMO_PROVIDER.organisation))
    expect(second).not_to_contain_text("Winner")
    expect(second).not_to_contain_text("Excluded")
    expect(second.locator("[data-field=reason]")).to_have_text(
        "£0.50/h above the winning rate of £17.50/h"
    )
    if javascript:
        expect(page.locator("#rates-chart")).to_have_attribute("data-rendered", "true")
    else:  # the chart's words in its place, and the table has the figures
        expect(page.get_by_text("The table below gives each bid's rate.")).to_be_visible()

    winner_bid = (first.get_attribute("id") or "").removeprefix("assessment-")
    choice = page.locator(f"input[name=choice][value='{winner_bid}']")
    expect(choice).to_be_checked()  # the computed winner is chosen
    page.click("#check-award")
    expect(page.locator("h1")).to_have_text("Check the award before you confirm it")
    expect(page.locator("#award-check")).to_contain_text(WINNER_ORGANISATION)
    page.screenshot(path=str(tmp_path / "award-check.png"), full_page=True)
    a_poor_visit_for_the_winner(server.url, call_off_id)
    page.click("#confirm-award")
    expect(page).to_have_url(re.compile(rf"/call-offs/{call_off_id}/evaluation#award$"))
    expect(page.locator("#success-banner")).to_contain_text("The award is confirmed")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#evaluation-summary")).to_contain_text("Ranking re-computed at award")
    expect(first.locator("[data-field=quality-change]")).to_contain_text(
        "a quality record (quality-monitoring visit) was added on"
    )
    page.screenshot(path=str(tmp_path / "evaluation-after-award.png"), full_page=True)
    expect(page.locator("#award-summary")).to_contain_text(WINNER_ORGANISATION)
    departed = page.locator("#award-summary .govuk-summary-list__row", has_text="Departs from")
    expect(departed.locator(".govuk-summary-list__value")).to_have_text("No")
    expect(page.locator("#standstill-ends")).not_to_be_empty()
    expect(page.locator("#status-tag")).to_have_text("Awarded")
    expect(page.locator("#award-form")).to_have_count(0)
    page.goto(f"/call-offs/{call_off_id}")
    expect(page.locator("#status-tag")).to_have_text("Awarded")
    page.click("#sign-out")

    sign_in_as(page, DEMO_PROVIDER.email, DEMO_PROVIDER.password)
    page.goto("/my-bids")
    row = page.locator(f"#bid-{call_off_id}")
    expect(row.locator("[data-field=outcome]")).to_contain_text("Your outcome")
    row.get_by_role("link", name=re.compile("^Your outcome")).click()
    expect(page).to_have_url(re.compile(rf"/my-bids/{call_off_id}/outcome/?$"))
    expect(page.locator("#outcome")).to_have_text("Unsuccessful")
    summary = page.locator(".app-outcome")
    expect(summary.locator(".govuk-summary-list__row", has_text="Your rank")).to_contain_text("2")
    expect(
        summary.locator(".govuk-summary-list__row", has_text="Your hourly rate")
    ).to_contain_text("£18.00/h")
    expect(
        summary.locator(".govuk-summary-list__row", has_text="Winning hourly rate")
    ).to_contain_text("£17.50/h")
    expect(summary).to_contain_text("above the winning rate of £17.50/h")
    expect(page.locator("#standstill")).to_contain_text("The standstill period ends at")
