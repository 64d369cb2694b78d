"""The marketplace is a council service, not a GOV.UK one: no page carries the crown, the Royal
Arms, "© Crown copyright" or the GDS Transport typeface, and the favicon is the marketplace's own.
(conftest.AccessibilityCheck also checks every page any journey shows for the same markers, and
runs axe-core on it.)"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_SIGN_INS, DemoSignIn
from tests.e2e.conftest import CROWN_MARKERS, REPO, AccessibilityCheck
from tests.e2e.test_call_off_journey import sign_in_as

pytestmark = pytest.mark.e2e
FAVICON = REPO / "marketplace" / "web" / "static" / "favicon.svg"
# The first demo sign-in of each role: admin, commissioner (Kent), opener, provider.
ROLES = {sign_in.role: sign_in for sign_in in reversed(DEMO_SIGN_INS)}


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (test server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def assert_unbranded(page: Any) -> None:
    html = page.content()
    found = [marker for marker in CROWN_MARKERS if marker in html]
    assert not found, f"{page.url} carries GOV.UK's own brand: {found}"


def navigation_links(page: Any) -> list[str]:
    links = page.locator(".govuk-service-navigation__link")
    return [str(links.nth(index).get_attribute("href")) for index in range(links.count())]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_page_of_a_role_carries_the_crown(page: Any, role: str) -> None:
    who: DemoSignIn = ROLES[role]
    page.goto("/sign-in")
    assert_unbranded(page)
    sign_in_as(page, who.email, who.password)
    assert_unbranded(page)
    links = navigation_links(page)
    assert len(links) >= 2, links
    for href in [*links, "/status"]:
        page.goto(href)
        expect(page.locator("h1").first).to_be_visible()
        assert_unbranded(page)
    expect(page.locator(".govuk-footer")).not_to_contain_text("Crown copyright")


def test_the_stylesheets_use_a_system_font_and_no_govuk_image(page: Any, server: Any) -> None:
    page.goto("/sign-in")
    hrefs = page.eval_on_selector_all("link[rel=stylesheet]", "links => links.map(l => l.href)")
    assert any(re.search(r"/static/govuk-frontend\.[0-9a-f]{12}\.min\.css$", h) for h in hrefs)
    for href in hrefs:
        status, css = fetch(href)
        assert status == 200, href
        text = css.decode()
        assert "GDS Transport" not in text, href
        assert "govuk-crest" not in text and "/assets/" not in text, href
    font = page.eval_on_selector("h1", "h1 => getComputedStyle(h1).fontFamily")
    assert font.startswith("system-ui"), font


def test_the_favicon_is_the_marketplaces_own(page: Any, server: Any) -> None:
    page.goto("/sign-in")
    icons = page.eval_on_selector_all("link[rel~=icon]", "links => links.map(l => l.href)")
    assert len(icons) == 1, icons
    status, body = fetch(icons[0])
    assert status == 200
    assert body == FAVICON.read_bytes()
    assert page.locator("link[rel=apple-touch-icon], link[rel=mask-icon]").count() == 0
    # GOV.UK's crown icons and fonts are not served at all.
    for path in ("/assets/images/favicon.ico", "/assets/images/govuk-crest.svg"):
        assert fetch(f"{server.url}{path}")[0] == 404, path


def test_the_service_status_link_opens_a_page_in_words(page: Any) -> None:
    page.goto("/sign-in")
    page.get_by_role("link", name="Service status").click()
    expect(page.locator("h1")).to_have_text("Service status")
    expect(page.locator("#status-summary")).to_contain_text(
        re.compile(r"^The service is working|^Every part of the service is working\.")
    )
    expect(page.locator("#status-database")).to_have_text("Working")
    for dependency in ("redis", "s3", "smtp"):
        expect(page.locator(f"#status-{dependency}")).to_have_text(
            re.compile(r"^\s*(Working|Not set up)\s*$")
        )


def test_the_accessibility_check_reports_a_violation(page: Any) -> None:
    """The check the journeys rely on does find a WCAG failure: an image with no text
    alternative and a form field with no label."""
    page.goto("/sign-in")
    check = AccessibilityCheck.__new__(AccessibilityCheck)
    check.page, check.checked, check.running = page, [], False
    page.evaluate(
        """() => {
            document.querySelector("main").insertAdjacentHTML(
                "beforeend", '<img src="/static/none.png"><input type="text" id="unlabelled">');
            window.__axeChecked = false;
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        check.check()
    assert "image-alt" in str(failure.value)
    assert "#unlabelled" in str(failure.value)
    page.evaluate(
        "() => document.querySelectorAll('main img, #unlabelled').forEach(e => e.remove())"
    )


def test_each_chart_has_a_table_with_its_figures(page: Any) -> None:
    """The evaluation's, the framework share's, the spend page's and the commissioner home's
    Chart.js charts are images to assistive technology, named, and each page gives the same
    figures as a table (axe-core checks the home with its chart drawn and its table open)."""
    sign_in_as(page, ROLES["commissioner"].email, ROLES["commissioner"].password)
    expect(page.locator("#spend-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#spend-chart")).to_have_attribute("aria-label", re.compile("table"))
    expect(page.locator("#spend-headline #spend-weekly")).to_have_text(
        re.compile(r"^£[\d,]+\.\d\d$")
    )
    page.locator("#spend-by-month-details summary").click()
    expect(page.locator("#spend-by-month tbody tr")).to_have_count(12)
    # Opening the table is no navigation: ask for the home to be checked again as it is now.
    page.evaluate("() => { window.__axeChecked = false }")
    page.accessibility_check.changed = True
    page.accessibility_check.check()
    assert page.accessibility_check.checked[-1].rstrip("/") == page.url.rstrip("/")
    page.goto("/framework-share")
    expect(page.locator("#share-chart")).to_have_attribute("role", "img")
    expect(page.locator("#share-chart")).to_have_attribute("aria-label", re.compile("table"))
    expect(page.locator("#share-by-month tbody tr").first).to_be_visible()

    page.goto("/spend")
    expect(page.locator("#spend-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#spend-chart")).to_have_attribute("role", "img")
    expect(page.locator("#spend-chart")).to_have_attribute("aria-label", re.compile("table"))
    expect(page.locator("#spend-by-month tbody tr")).to_have_count(12)

    page.goto("/call-offs")
    page.get_by_role("link", name=re.compile(r"demo: bids opened")).first.click()
    page.click("#see-evaluation")
    expect(page.locator("#rates-chart")).to_have_attribute("role", "img")
    expect(page.locator("#rates-chart")).to_have_attribute("aria-label", re.compile("table"))
    expect(page.locator("#evaluation-summary")).to_contain_text("Maximum rate")
    rows = page.locator("#evaluation-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("£")
