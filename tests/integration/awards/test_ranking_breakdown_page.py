"""One provider's quality ranking breakdown page: every factor with what it looks at, what was
recorded, its score, weight and points, and the sum that makes the score; only for the
commissioner that ranks the provider."""

from __future__ import annotations

import re

import httpx

from tests.call_off_fixtures import admitted_provider, commissioning
from tests.factories import make_organisation, make_user
from tests.support import sign_in


async def test_a_providers_breakdown_shows_how_its_score_is_made_up(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care", cqc_rating="good")
    await sign_in(client, c.officer.email)
    ranking = await client.get("/providers/ranking")
    link = f"/providers/ranking/providers/{provider.id}"
    assert link in ranking.text
    page = await client.get(link)
    assert page.status_code == 200
    assert "Ranked 1 of 1 with a score of <strong>72.50</strong>" in page.text
    assert len(re.findall(r'data-factor="', page.text)) == 10
    assert "CQC rating good" in page.text and "No records yet" in page.text
    # 40 x 75 / 100 = 30.00 points from the rating; the sum is written out.
    cqc_row = page.text.split('data-factor="cqc_rating"')[1].split("</tr>")[0]
    assert ">30.00<" in cqc_row
    assert "(40 \u00d7 75.00 + 20 \u00d7 50.00 + 15 \u00d7 100.00" in page.text
    assert "= 72.50" in page.text


async def test_another_commissioners_provider_has_no_breakdown_and_providers_are_refused(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")
    other = await make_organisation("commissioner", name="Dorset")
    officer, _ = await make_user(other.id, "commissioner")
    await sign_in(client, officer.email)
    assert (await client.get(f"/providers/ranking/providers/{provider.id}")).status_code == 404
    client.cookies.clear()
    staff, _ = await make_user(provider.id, "provider")
    await sign_in(client, staff.email)
    assert (await client.get(f"/providers/ranking/providers/{provider.id}")).status_code == 403
