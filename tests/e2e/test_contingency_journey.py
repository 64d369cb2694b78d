"""Contingency: an urgent package whose call-off ends without an award appears in the
commissioner's contingency queue, becomes due (overdue), is offered wider (the wider-sourcing
form) and is then placed off framework; it leaves the queue, appears among the placements, and
the framework-share headline on the home page moves; and a package offered wider to a guest
supplier the commissioner registers, which bids through the link in its invitation: in a real
browser, on the demo marketplace, with JavaScript and without it (each on packages of its own)."""

from __future__ import annotations

import mailbox
import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from time import monotonic, sleep
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_COMMISSIONER
from marketplace.working_days import is_working_day
from tests.conftest import run_in_own_loop, service_url
from tests.e2e.conftest import BOTH_WAYS, E2E_DATABASE, checked_page
from tests.e2e.test_award_journey import call, pass_the_deadline, token_for
from tests.e2e.test_call_off_journey import sign_in_as
from tests.e2e.test_care_journey import concluded_for_the_demo_provider, wait_for_status

pytestmark = pytest.mark.e2e
LONDON = ZoneInfo("Europe/London")
TITLE = "Hospital discharge in Ashford (contingency journey)"
WEEKLY_HOURS = Decimal("7.50")
# The urgent time scale is 2 working days (the default, which the demo keeps): the package is due
# on the 2nd working day after its first offer and overdue from the next. Its first offer is
# moved back 5 working days, so it is overdue whatever today is (weekend or bank holiday).
WORKING_DAYS_BACK = 5
URGENT_WORKING_DAYS = 2


def working_days_before(day: date, count: int) -> date:
    """The `count`-th working day before `day` (England and Wales: weekends, bank holidays)."""
    while count:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def working_days_after(first: date, today: date) -> int:
    """The working days after `first` up to `today` (fewer than counted back on a weekend)."""
    return sum(
        is_working_day(first + timedelta(days=n)) for n in range(1, (today - first).days + 1)
    )


def nth_working_day_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def urgent_package(url: str, token: str, reference: str) -> dict[str, Any]:
    """A new urgent (hospital discharge) package on the demo commissioner's waiting list, at the
    postcode of one of its Ashford packages."""
    waiting = call(url, "GET", "/api/v1/packages?status=waiting&limit=200", token=token)
    ashford = next(p for p in waiting["items"] if p["area_code"] == "KENT-ASHFORD")
    return call(
        url,
        "POST",
        "/api/v1/packages",
        {
            "reference": reference,
            "postcode": ashford["postcode"],
            "weekly_hours": str(WEEKLY_HOURS),
            "service_level": "standard",
            "urgency": "urgent",
            "urgency_reason": "hospital_discharge",
            "start_by": (datetime.now(LONDON).date() + timedelta(days=7)).isoformat(),
            "area_code": "KENT-ASHFORD",
        },
        token,
    )


def published_without_bids(server: Any, token: str, package_id: str) -> str:
    """An enablement request for the package, published, past its deadline with no bid: the
    upkeep closes it, opens and evaluates nothing, and it ends `no_award`."""
    url = server.url
    call_off = call(
        url,
        "POST",
        "/api/v1/call-offs",
        {
            "kind": "enablement",
            "title": TITLE,
            "lot_code": "CSH",
            "package_ids": [package_id],
            "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "enablement": {"budget_pence": 150000, "weeks": 6, "outcomes": ["Cook a meal"]},
        },
        token,
    )
    call_off_id = str(call_off["id"])
    call(url, "POST", f"/api/v1/call-offs/{call_off_id}/publish", {}, token)
    pass_the_deadline(server, call_off_id)
    return call_off_id


@pytest.fixture(scope="module")
def no_award_packages(server: Any) -> dict[tuple[str, bool], tuple[str, str]]:
    """An urgent package whose only call-off ended without an award, for each journey here
    ("CONT", "GUEST") and each way it is walked (with JavaScript or without): its reference and
    id. The call-offs pass their deadlines together, so one pass of the upkeep ends them all."""
    url = server.url
    token = token_for(url, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    if (
        Decimal(
            call(url, "GET", "/api/v1/framework-share", token=token)["overall"]["framework_hours"]
        )
        == 0
    ):
        # One award (concluded) gives the share framework hours to start from, before this
        # journey's packages are created; the care journey's, when it ran first, already did.
        concluded_for_the_demo_provider(server)
    packages, call_offs = {}, []
    for journey in ("CONT", "GUEST"):
        for javascript in (True, False):
            reference = f"{journey}-E2E-{server.engine.upper()}{'' if javascript else '-NOJS'}"
            package_id = str(urgent_package(url, token, reference)["id"])
            call_offs.append(published_without_bids(server, token, package_id))
            packages[(journey, javascript)] = (reference, package_id)
    for call_off_id in call_offs:
        wait_for_status(url, call_off_id, token, "no_award")
    return packages


def move_first_offer(server: Any, package_id: str, first_offered: datetime) -> None:
    """Set the package's first offer (the start of its contingency clock) in the server's
    database: no API moves it, and the clock counts whole working days from it, so without this
    the package would only come due two working days from now."""
    if server.engine == "sqlite":
        # As in pass_the_deadline: Piccolo keeps a timestamptz as str() of the UTC datetime.
        connection = sqlite3.connect(server.log.parent / "marketplace.sqlite", timeout=30)
        try:
            with connection:
                changed = connection.execute(
                    "UPDATE package SET first_offered_at = ? WHERE id = ? "
                    "AND first_offered_at IS NOT NULL",
                    (str(first_offered), package_id),
                ).rowcount
        finally:
            connection.close()
    else:
        database_url = service_url("DATABASE_URL").rsplit("/", 1)[0] + f"/{E2E_DATABASE}"
        changed = run_in_own_loop(
            _postgres_first_offer(database_url, UUID(package_id), first_offered)
        )
    assert changed == 1, f"package {package_id} had no first offer to move"


async def _postgres_first_offer(database_url: str, package_id: UUID, moment: datetime) -> int:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        status = await connection.execute(
            "UPDATE package SET first_offered_at = $1 "
            "WHERE id = $2 AND first_offered_at IS NOT NULL",
            moment,
            package_id,
        )
    finally:
        await connection.close()
    return int(status.split()[-1])


def headline_percent(framework: Decimal, off_framework: Decimal) -> str:
    """The share as the home page words it: a percentage rounded half-up to two places."""
    total = Fraction(framework) + Fraction(off_framework)
    if total == 0:
        return "No hours placed"
    scaled = Fraction(framework) / total * 10000
    hundredths = int(scaled + Fraction(1, 2))  # floor(x + 1/2): half-up, x >= 0
    return f"{Decimal(hundredths).scaleb(-2)}% of hours placed"


@BOTH_WAYS
def test_a_no_award_urgent_package_comes_due_and_is_placed_off_framework(
    page: Any,
    server: Any,
    tmp_path: Any,
    javascript: bool,
    no_award_packages: dict[tuple[str, bool], tuple[str, str]],
) -> None:
    url = server.url
    token = token_for(url, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    reference, package_id = no_award_packages[("CONT", javascript)]
    returned = call(url, "GET", f"/api/v1/packages/{package_id}", token=token)
    assert (returned["status"], returned["contingency_reason"]) == ("waiting", "no_award")
    today = datetime.now(LONDON).date()
    first_offered_on = working_days_before(today, WORKING_DAYS_BACK)
    move_first_offer(
        server, package_id, datetime.combine(first_offered_on, time(12), LONDON).astimezone(UTC)
    )
    due_on = nth_working_day_after(first_offered_on, URGENT_WORKING_DAYS)
    share = call(url, "GET", "/api/v1/framework-share", token=token)["overall"]
    framework, off_framework = (
        Decimal(share["framework_hours"]),
        Decimal(share["off_framework_hours"]),
    )
    assert framework > 0, "no framework hours: the share could not move from 100%"

    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.goto("/")
    headline = page.locator("#framework-share-headline")
    expect(headline).to_contain_text(headline_percent(framework, off_framework))
    before = headline.inner_text()

    page.get_by_role("link", name="Contingency", exact=True).click()
    expect(page).to_have_url(re.compile(r"/contingency/?$"))
    row = page.locator(f"[id='package-{reference}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("Hospital discharge")
    expect(row).to_contain_text("No award")
    elapsed = working_days_after(first_offered_on, today)
    expect(row).to_contain_text(f"{elapsed} of {URGENT_WORKING_DAYS}")
    expect(row.locator(".countdown")).to_contain_text(due_on.strftime("%a %-d %b %Y"))
    expect(row.locator(".countdown")).to_contain_text("Overdue")
    expect(row).to_contain_text(f"{TITLE} (no award)")
    page.screenshot(path=str(tmp_path / "contingency-queue.png"), full_page=True)

    # Offered wider: the enablement request form, with this package and wider sourcing chosen.
    row.locator("a.wider-sourcing").click()
    expect(page).to_have_url(re.compile(rf"/call-offs/new\?.*package_id={package_id}"))
    expect(page.locator("input[name=sourcing][value=wider]")).to_be_checked()
    expect(page.locator("input[name=sourcing][value=framework]")).not_to_be_checked()
    expect(page.locator("#package_id")).to_have_value(package_id)
    page.screenshot(path=str(tmp_path / "wider-form.png"), full_page=True)
    page.go_back()

    # Placed off framework: the clock is due, so no override reason is needed.
    page.locator(f"[id='place-{reference}']").click()
    expect(page.locator("h1")).to_have_text(f"Place {reference} off framework")
    expect(page.locator("#lot_code")).to_have_value("CSH")
    page.fill("#supplier_name", "Stour Valley Home Care (not on the framework)")
    page.fill("#hourly_rate", "24.50")
    page.fill("#weekly_hours", str(WEEKLY_HOURS))
    page.fill("#start_date", today.isoformat())
    page.fill("#reason", "No framework provider took the hospital discharge")
    page.click("#place")
    expect(page).to_have_url(re.compile(rf"/contingency#placement-{reference}$"))
    expect(page.locator("#success-banner")).to_contain_text("The placement is recorded")
    expect(page.locator(f"[id='package-{reference}']")).to_have_count(0)
    placed = page.locator(f"[id='placement-{reference}']")
    expect(placed).to_have_count(1)
    expect(placed).to_contain_text("Stour Valley Home Care (not on the framework)")
    expect(placed).to_contain_text("£24.50")
    expect(placed).to_contain_text(str(WEEKLY_HOURS))
    expect(placed).to_contain_text("No framework provider took the hospital discharge")
    expect(placed).not_to_contain_text("Placed before due")
    page.screenshot(path=str(tmp_path / "contingency-placed.png"), full_page=True)

    page.goto("/")
    after_words = headline_percent(framework, off_framework + WEEKLY_HOURS)
    expect(headline).to_contain_text(after_words)
    assert headline.inner_text() != before
    headline.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/framework-share/?$"))
    expect(page.locator("#share-headline")).to_contain_text(after_words)
    page.screenshot(path=str(tmp_path / "framework-share.png"), full_page=True)


def guest_link_in_maildir(server: Any, to: str) -> str:
    """The link in the guest supplier's invitation, from the server's local maildir (the outbox
    is delivered by the web process itself in the embedded default)."""
    box = mailbox.Maildir(server.log.parent / "var" / "mail", create=True)
    deadline = monotonic() + 60
    while monotonic() < deadline:
        for message in list(box):
            if message["To"] == to and str(message["Subject"]).startswith(
                "Invitation to bid as a guest supplier"
            ):
                body = message.get_payload(0).get_payload(decode=True).decode()
                match = re.search(r"https?://[^/\s]+(/guest/[A-Za-z0-9_-]+)", body)
                assert match, body
                return match.group(1)
        sleep(0.5)
    pytest.fail(f"no guest invitation was delivered to {to}")


@BOTH_WAYS
def test_a_package_offered_wider_to_a_guest_supplier_gets_its_sealed_bid(
    page: Any,
    browser: Any,
    server: Any,
    tmp_path: Any,
    javascript: bool,
    no_award_packages: dict[tuple[str, bool], tuple[str, str]],
) -> None:
    url = server.url
    token = token_for(url, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    _, package_id = no_award_packages[("GUEST", javascript)]
    way = "js" if javascript else "no-js"
    contact = f"bids-{server.engine}-{way}@harbour.example"
    guest_name = "Harbour Home Care" if javascript else "Quayside Home Care"

    # The commissioner registers the guest supplier, then finds it offered on the wider form.
    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.goto("/guest-suppliers")
    page.fill("#name", f"{guest_name} (not on the framework)")
    page.fill("#cqc_location_id", "1-1234567890" if javascript else "1-1234567891")
    page.fill("#contact_email", contact)
    page.click("#register-guest")
    expect(page.locator("#registered")).to_contain_text(guest_name)
    [guest] = [
        g
        for g in call(url, "GET", "/api/v1/guest-suppliers", token=token)
        if g["contact_email"] == contact
    ]
    page.goto(f"/call-offs/new?kind=enablement&package_id={package_id}&sourcing=wider")
    choice = page.locator(f"input[name=invitee_ids][value='{guest['id']}']")
    expect(choice).to_have_count(1)
    choice.check()
    page.screenshot(path=str(tmp_path / "wider-form-with-guest.png"), full_page=True)

    call_off = call(
        url,
        "POST",
        "/api/v1/call-offs",
        {
            "kind": "enablement",
            "title": f"{TITLE}, offered to a guest",
            "lot_code": "CSH",
            "package_ids": [package_id],
            "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "sourcing": "wider",
            "invitee_ids": [guest["id"]],
            "enablement": {"budget_pence": 150000, "weeks": 6, "outcomes": ["Cook a meal"]},
        },
        token,
    )
    call(url, "POST", f"/api/v1/call-offs/{call_off['id']}/publish", {}, token)

    # The guest opens its link in a browser of its own (no account), bids and sees its receipt;
    # axe-core checks its pages as it does the commissioner's.
    link = guest_link_in_maildir(server, contact)
    with checked_page(browser, server, javascript=javascript) as guest_page:
        guest_page.goto(link)
        expect(guest_page).to_have_url(re.compile(r"/guest/call-off$"))
        expect(guest_page.locator("#guest-supplier")).to_contain_text(guest_name)
        guest_page.fill("#hourly_rate", "19.80")
        guest_page.check("#accepts_enablement_budget")
        guest_page.click("#submit-bid")
        expect(guest_page.locator("#receipt-panel")).to_contain_text("Bid received")
        expect(guest_page.locator("#receipt")).to_contain_text("Digest (HMAC-SHA256)")
        guest_page.screenshot(path=str(tmp_path / "guest-receipt.png"), full_page=True)
        guest_page.goto("/opportunities")
        expect(guest_page).to_have_url(re.compile(r"/sign-in"))
        guest_page.accessibility_check.check()
    shown = call(url, "GET", f"/api/v1/call-offs/{call_off['id']}", token=token)
    assert shown["bid_count"] == 1 and shown["invited_provider_count"] == 1
