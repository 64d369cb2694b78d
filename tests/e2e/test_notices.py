"""The public notices page: without signing in, from the footer's link, checked by axe-core
(conftest.AccessibilityCheck) like every page a journey shows."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_anyone_reads_the_published_notices_without_signing_in(page: Any) -> None:
    page.goto("/status")
    page.get_by_role("link", name="Published notices").click()
    expect(page.locator("h1")).to_have_text("Published notices")
    assert page.url.endswith("/notices")
    # The demo publishes a call-off: it is listed with its publication notice.
    expect(page.get_by_role("cell", name="Call-off published").first).to_be_visible()
    expect(page.get_by_role("link", name="all releases")).to_have_attribute(
        "href", "/api/v1/ocds/releases"
    )
