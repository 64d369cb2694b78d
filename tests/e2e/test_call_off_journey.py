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
    page.fill("#title", TITLE + " (first draft)")
    page.select_option("#lot_code", "CSH")  # the lot the demo providers are admitted to
    ashford = page.locator("#package_id option", has_text="Ashford").first
    page.select_option("#package_id", ashford.get_attribute("value"))
    page.fill("#budget", "1500")
    page.fill("#outcomes", "Wash and dress independently")
    page.click("#save-draft")
    expect(page).to_have_url(re.compile(r"/call-offs/[0-9a-f-]{36}$"))
    expect(page.locator("#success-banner")).to_contain_text("saved as a draft")
    expect(page.locator("#status-tag")).to_have_text("Draft")
    expect(page.locator("main")).not_to_contain_text("KENT-ASHFORD")
    # The draft is edited in its form, then given a document, before it is published.
    page.click("#edit-draft")
    expect(page.locator("#title")).to_have_value(TITLE + " (first draft)")
    page.fill("#title", TITLE)
    page.screenshot(path=str(tmp_path / "edit-draft.png"), full_page=True)
    page.click("#save-draft")
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#success-banner")).to_contain_text("saved with your changes")
    specification = tmp_path / "Service specification.txt"
    specification.write_text("Support to wash and dress independently, six weeks.\n")
    page.set_input_files("#file", str(specification))
    page.click("#upload-document")
    expect(page.locator("#document-list")).to_contain_text("Service specification.txt")
    page.screenshot(path=str(tmp_path / "documents.png"), full_page=True)
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


def test_a_cluster_is_drafted_from_the_package_picker(
    page: Any, server: Any, tmp_path: Path
) -> None:
    sign_in_as(page, DEMO_COMMISSIONER.email, DEMO_COMMISSIONER.password)
    page.goto("/call-offs/new?kind=cluster")
    expect(page.locator("#package-picker")).to_contain_text("matching package")
    assert page.locator("#picker-packages input[type=checkbox]").count() <= 20
    page.select_option("#picker_area_code", label="Ashford")
    page.click("#picker-filter")
    expect(page.locator("#package-picker")).to_contain_text("Page 1 of")
    boxes = page.locator("#picker-packages input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    if page.locator("#picker-next").count():
        page.click("#picker-next")
        expect(page.locator("#package-picker")).to_contain_text("Page 2 of")
    else:
        page.click("#picker-filter")
    expect(page.locator("#chosen-packages")).to_contain_text("2 packages")
    page.screenshot(path=str(tmp_path / "picker.png"), full_page=True)
    page.fill("#title", "Ashford cluster (picker journey)")
    page.select_option("#lot_code", "CSH")
    page.fill("#latest_start", "2027-01-29")
    page.click("#save-draft")
    expect(page).to_have_url(re.compile(r"/call-offs/[0-9a-f-]{36}$"))
    expect(page.locator("#status-tag")).to_have_text("Draft")
    expect(page.locator("main")).to_contain_text("Ashford")
    page.screenshot(path=str(tmp_path / "cluster-draft.png"), full_page=True)
    # The waiting list links each package to its own page, which names its area.
    page.goto("/waiting-list")
    page.locator("#packages tbody a").first.click()
    expect(page.locator("#package-summary")).to_contain_text("Postcode district")
    expect(page.locator("main")).not_to_contain_text("KENT-ASHFORD")
    page.screenshot(path=str(tmp_path / "package.png"), full_page=True)
