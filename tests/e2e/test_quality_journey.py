"""A commissioner records a monitoring visit with its report, sees it in the provider quality
ranking's breakdown, is told plainly when new weights do not add up to 100, and records the
panel's review: in a real browser, on the demo marketplace, with JavaScript and without it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from marketplace.demo.sign_ins import DEMO_SIGN_INS
from tests.e2e.conftest import BOTH_WAYS
from tests.e2e.test_call_off_journey import sign_in_as
from tests.sample_documents import MINIMAL_PDF

pytestmark = pytest.mark.e2e
DORSET = DEMO_SIGN_INS[3]


@BOTH_WAYS
def test_a_visit_counts_in_the_ranking_and_a_review_freezes_it(
    page: Any, tmp_path: Path, javascript: bool
) -> None:
    choice = 1 if javascript else 2  # a provider of its own for each way
    sign_in_as(page, DORSET.email, DORSET.password)
    page.get_by_role("link", name="Quality records", exact=True).click()
    page.click("#record-new")
    provider = page.locator("#provider_id option").nth(choice)
    name = provider.inner_text()
    page.select_option("#provider_id", index=choice)
    page.check("#kind")  # the first kind: a monitoring visit
    page.fill("#occurred_on", date.today().isoformat())
    page.fill("#score", "88")
    page.fill("#summary", "Spot check of three homes: care plans current.")
    report = tmp_path / "visit report.pdf"
    report.write_bytes(MINIMAL_PDF)
    page.set_input_files("#file", str(report))
    page.click("#record")
    expect(page.locator("#record")).to_contain_text("88 out of 100")
    expect(page.locator("#record")).to_contain_text("visit report.pdf")

    page.get_by_role("link", name="Ranking", exact=True).click()
    row = page.locator("#ranking tr", has_text=name)
    row.locator("summary").click()
    expect(row).to_contain_text("1 quality-monitoring visit in the last 6 months scored 88")
    # Until the first review (this journey's, walked one way or both), none is due.
    reviewed = not page.locator("#review-list", has_text="No review yet.").count()
    expect(page.locator("#next-review")).to_contain_text("Due on" if reviewed else "No review yet")

    page.click("#change-weights")
    for field in ("cqc_rating", "response_rate", "hand_backs", "late_starts"):
        page.fill(f"#{field}", "20")
    page.fill("#quality_monitoring", "15")
    page.click("#save-weights")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The weights add up to 95: they must add up to 100")
    summary.locator("a").first.click()
    page.fill("#quality_monitoring", "20")
    page.click("#save-weights")
    expect(page.locator("#weights-history")).to_contain_text("In force")

    page.get_by_role("link", name="Back to the ranking").click()
    page.fill("#members", "A. Brown, Operations\nC. Davis, Quality")
    page.click("#record-review")
    expect(page.locator("#review")).to_contain_text("A. Brown, Operations")
    expect(page.locator("#snapshot")).to_contain_text(name)
    page.get_by_role("link", name="The ranking now").click()
    expect(page.locator("#next-review")).to_contain_text("Due on")
