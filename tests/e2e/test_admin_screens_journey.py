"""The screens that used to exist only in the API, in a real browser on the demo marketplace: a
provider applies to a lot with evidence and reads its messages; the commissioner decides the
application with a tender score, blocks and unblocks a provider, reads a provider's ranking
breakdown and the audit log with its chain check; the admin creates an organisation, adds a
user and deactivates them: with JavaScript and without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_SIGN_INS
from tests.e2e.conftest import BOTH_WAYS
from tests.e2e.test_call_off_journey import sign_in_as
from tests.sample_documents import MINIMAL_PDF

pytestmark = pytest.mark.e2e
ADMIN, KENT, PROVIDER = DEMO_SIGN_INS[0], DEMO_SIGN_INS[1], DEMO_SIGN_INS[4]


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@BOTH_WAYS
def test_admission_ranking_audit_accounts_and_messages_screens(
    page: Any, tmp_path: Path, javascript: bool
) -> None:
    # Each way applies to a lot of its own and makes an organisation and user of its own.
    lot = "Roaming Nights" if javascript else "Complex Care"
    council = "Somerset Council (journey)" if javascript else "Wiltshire Council (journey)"
    broker = "broker@somerset.example" if javascript else "broker@wiltshire.example"
    sign_in_as(page, PROVIDER.email, PROVIDER.password)
    page.get_by_role("link", name="Admissions", exact=True).click()
    page.click("#apply")
    page.click("#submit-application")
    summary = page.locator(".govuk-error-summary")
    expect(summary.locator("li")).to_have_count(3)
    _shot(page, tmp_path, "1-apply-errors")
    page.get_by_label(lot).check()
    page.locator("input[name=area_codes]").first.check()
    page.locator("input[name=accepts_maximum_prices]").check()
    page.click("#submit-application")
    expect(page.locator("#done-banner")).to_be_visible()
    evidence = tmp_path / "insurance certificate.pdf"
    evidence.write_bytes(MINIMAL_PDF)
    page.set_input_files("#file", str(evidence))
    page.click("#add-evidence")
    expect(page.locator("#evidence")).to_contain_text("insurance certificate.pdf")
    _shot(page, tmp_path, "2-application-provider")
    application = page.url
    page.get_by_role("link", name="Messages", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Invitation to bid")
    _shot(page, tmp_path, "3-messages")
    page.locator("#messages a").first.click()
    expect(page.locator("#message-text")).to_be_visible()
    _shot(page, tmp_path, "4-message")
    page.click("#sign-out")

    sign_in_as(page, KENT.email, KENT.password)
    page.get_by_role("link", name="Admissions", exact=True).click()
    expect(page.locator("#admissions")).to_contain_text("Oakleaf Home Care")
    _shot(page, tmp_path, "5-admissions-waiting")
    page.goto(application)
    page.click("#record-decision")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether to approve")
    page.check("#decision")
    page.fill("#tender_score", "70")
    page.click("#record-decision")
    expect(page.locator("#admission")).to_contain_text("70 out of 100")
    _shot(page, tmp_path, "6-application-decided")

    page.goto("/blocks")
    page.select_option("#provider_id", label="Oakleaf Home Care (demo)")
    page.fill("#reason", "Safeguarding inquiry open")
    page.click("#block")
    expect(page.locator("#done-banner")).to_contain_text("blocked")
    _shot(page, tmp_path, "7-blocks")
    page.locator("button[id^=lift-]").first.click()
    expect(page.locator("#done-banner")).to_contain_text("lifted")

    page.get_by_role("link", name="Ranking", exact=True).click()
    page.locator("a", has_text="score is made up").first.click()
    expect(page.locator("#breakdown tbody tr")).to_have_count(10)
    expect(page.locator("#workings")).to_contain_text("Worked out as")
    _shot(page, tmp_path, "8-ranking-breakdown")

    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.locator("#events")).to_contain_text("Application decided")
    page.select_option("#action", label="Provider blocked")
    page.click("#filter")
    expect(page.locator("#events")).to_contain_text("Safeguarding inquiry open")
    _shot(page, tmp_path, "9-audit-log")
    page.click("#verify")
    expect(page.locator("#verification")).to_have_attribute("data-state", "ok")
    _shot(page, tmp_path, "10-audit-verification")
    page.click("#sign-out")

    sign_in_as(page, ADMIN.email, ADMIN.password)
    page.get_by_role("link", name="Organisations and users", exact=True).click()
    expect(page.locator("#organisations")).to_contain_text("Kent County Council (demo)")
    _shot(page, tmp_path, "11-organisations")
    page.click("#create-organisation")
    page.check("#kind")  # a commissioner
    page.fill("#name", council)
    page.click("#save-organisation")
    expect(page.locator("#done-banner")).to_be_visible()
    page.fill("#email", broker)
    page.check("#role")
    page.fill("#password", "a first password for the journey")
    page.click("#add-user")
    expect(page.locator("#users")).to_contain_text(broker)
    page.locator("button[id^=deactivate-]").first.click()
    expect(page.locator("#users [data-field=state]").first).to_have_text("Deactivated")
    _shot(page, tmp_path, "12-organisation-users")
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.locator("#events")).to_contain_text("User deactivated")
