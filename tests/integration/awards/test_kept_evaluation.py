"""The evaluation keeps the quality scores and the time it decided with; when confirming the award
re-computes the ranking with another score, the evaluation page and API show both and why."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx

from marketplace.awards.engine.phrases import long_date
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_user
from tests.integration.awards.test_award_pages import post_form
from tests.integration.awards.test_awards import accepted, bid, close
from tests.integration.bids.test_bids import published
from tests.support import sign_in


async def _evaluation(client: httpx.AsyncClient, c: Any, call_off_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/call-offs/{call_off_id}/evaluation", headers=bearer(c.token)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_award_keeps_the_evaluated_scores_and_explains_a_quality_change(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    birch, birch_token = await admitted_provider(c, "Birch Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await bid(client, call_off_id, birch_token, accepted(1850))
    await close(call_off_id)
    before = await _evaluation(client, c, call_off_id)
    birch_before = next(i for i in before["items"] if i["provider_name"] == "Birch Care")
    evaluated_score = birch_before["figures"]["quality_score"]
    assert birch_before["evaluated_quality_score"] == evaluated_score
    assert birch_before["quality_change"] is None and before["reranked_at"] is None

    # A poor monitoring visit is recorded between the evaluation and the award.
    recorded = await client.post(
        "/api/v1/quality-records",
        json={
            "provider_id": str(birch.id),
            "kind": "monitoring_visit",
            "occurred_on": date.today().isoformat(),
            "score": 0,
            "summary": "Visit found missed calls",
        },
        headers=bearer(c.token),
    )
    assert recorded.status_code == 201, recorded.text

    user, _ = await make_user(c.commissioner.id, "commissioner")
    assert (await sign_in(client, user.email)).status_code == 303
    page = (await client.get(f"/call-offs/{call_off_id}/evaluation")).text
    checked = re.search(r'<input[^>]*name="choice"[^>]*value="([^"]+)"[^>]*checked', page)
    assert checked
    confirmed = await post_form(
        client,
        f"/call-offs/{call_off_id}/evaluation",
        f"/call-offs/{call_off_id}/award",
        {"choice": checked.group(1)},
    )
    assert confirmed.status_code == 303, confirmed.text

    after = await _evaluation(client, c, call_off_id)
    assert after["evaluated_at"] == before["evaluated_at"], "the evaluated time is kept"
    assert after["reranked_at"] is not None
    birch_after = next(i for i in after["items"] if i["provider_name"] == "Birch Care")
    award_score = birch_after["figures"]["quality_score"]
    assert award_score != evaluated_score
    assert birch_after["evaluated_quality_score"] == evaluated_score
    oakleaf_after = next(i for i in after["items"] if i["provider_name"] != "Birch Care")
    assert oakleaf_after["quality_change"] is None, "an unchanged score needs no explanation"

    page = (await client.get(f"/call-offs/{call_off_id}/evaluation")).text
    assert "Ranking re-computed at award" in page
    expected = (
        f"Quality score at evaluation {evaluated_score}, at award {award_score}: a quality "
        f"record (quality-monitoring visit) was added on {long_date(date.today())}"
    )
    assert expected in page
    assert "Quality monitoring" in birch_after["quality_change"]
