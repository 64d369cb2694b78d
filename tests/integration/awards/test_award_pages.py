"""The award pages through the whole ASGI app, on SQLite and PostgreSQL: the evaluation with its
chart data and award form, a departure refused without a reason, pilot scoring, the standstill
fragment, the award report, opening by two officers, and the provider's outcome."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.tables import Award
from marketplace.web.banners import SUCCESS_MESSAGES
from tests.call_off_fixtures import (
    admitted_provider,
    commissioning,
    enablement_body,
    pilot_body,
    suffix_of,
)
from tests.factories import make_user
from tests.integration.awards.test_awards import accepted, bid, close
from tests.integration.bids.test_bids import pass_the_deadline, published
from tests.support import csrf_token_in, sign_in


async def evaluated_enablement(client: httpx.AsyncClient, **fields: Any) -> tuple[Any, str, str]:
    """Two bids (Birch at £18.50 wins, Oakleaf at £19.00), closed and evaluated; the
    commissioner signed in. Returns the commissioning, the call-off and Oakleaf's token."""
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    _, birch = await admitted_provider(c, "Birch Care")
    call_off_id = await published(client, c, enablement_body(c, **fields))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await bid(client, call_off_id, birch, accepted(1850))
    await close(call_off_id)
    user, _ = await make_user(c.commissioner.id, "commissioner")
    assert (await sign_in(client, user.email)).status_code == 303
    return c, call_off_id, oakleaf


async def post_form(client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any]) -> Any:
    token = csrf_token_in((await client.get(page)).text)
    return await client.post(action, data={"csrf_token": token, **data})


async def test_the_evaluation_page_shows_the_ranking_and_confirms_the_award(
    client: httpx.AsyncClient,
) -> None:
    _, call_off_id, _ = await evaluated_enablement(client)
    call_off = await client.get(f"/call-offs/{call_off_id}")
    assert 'id="see-evaluation"' in call_off.text

    page = await client.get(f"/call-offs/{call_off_id}/evaluation")
    assert page.status_code == 200
    rows = re.findall(
        r'<tr class="govuk-table__row" id="assessment-[^"]+" data-rank="(\d*)"', page.text
    )
    assert rows == ["1", "2"]
    assert "Birch Care" in page.text and "Winner" in page.text
    assert "£0.50/h above the winning rate of £18.50/h" in page.text
    chart = json.loads(
        re.search(
            r'<script type="application/json" id="chart-data">(.*?)</script>', page.text, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert chart["rates"] == [1850, 1900] and chart["max_rate"] == 2400
    assert chart["envelope_rate"] == 1950
    assert re.search(r'<script src="/static/chart\.[0-9a-f]{12}\.umd\.min\.js"', page.text)
    assert 'id="check-award"' in page.text
    checked = re.search(r'<input[^>]*name="choice"[^>]*value="([^"]+)"[^>]*checked', page.text)
    assert checked, "the computed winner is chosen"

    check = await post_form(
        client,
        f"/call-offs/{call_off_id}/evaluation",
        f"/call-offs/{call_off_id}/award/check",
        {"choice": checked.group(1)},
    )
    assert check.status_code == 200 and "Birch Care" in check.text
    assert "No: the computed winner is awarded" in check.text
    assert await Award.count() == 0, "the check page writes nothing"
    answers = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    assert answers["choice"] == checked.group(1)
    confirmed = await client.post(f"/call-offs/{call_off_id}/award", data=answers)
    assert confirmed.status_code == 303, confirmed.text
    assert confirmed.headers["location"].endswith("/evaluation#award")
    page = await client.get(f"/call-offs/{call_off_id}/evaluation")
    assert 'id="award-summary"' in page.text and 'id="standstill-ends"' in page.text
    assert 'hx-get="/call-offs/' in page.text and "every 60s" in page.text
    fragment = await client.get(
        f"/call-offs/{call_off_id}/award/standstill", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'id="standstill"' in fragment.text
    report = await client.get(f"/call-offs/{call_off_id}/award/report")
    assert report.status_code == 200 and "Evaluation and decision" in report.text
    digest = (await Award.select(Award.report_sha256).first())["report_sha256"]
    assert digest in report.text


async def test_a_departure_without_a_reason_comes_back_on_its_field(
    client: httpx.AsyncClient,
) -> None:
    _, call_off_id, _ = await evaluated_enablement(client)
    page = (await client.get(f"/call-offs/{call_off_id}/evaluation")).text
    options = re.findall(r'name="choice"[^>]*value="([^"]+)"', page)
    unchecked = [o for o in options if not re.search(rf'value="{o}"[^>]*checked', page)]
    refused = await post_form(
        client,
        f"/call-offs/{call_off_id}/evaluation",
        f"/call-offs/{call_off_id}/award",
        {"choice": unchecked[0]},
    )
    assert refused.status_code == 422
    assert 'href="#reason"' in refused.text
    assert await Award.count() == 0


async def test_an_opener_approves_opening_from_the_call_off_page(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c, opening_quorum=2))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    first, _ = await make_user(c.commissioner.id, "opener")
    second, _ = await make_user(c.commissioner.id, "opener")
    for officer, code in ((first, "opening-approved"), (second, "bids-opened")):
        client.cookies.clear()
        assert (await sign_in(client, officer.email)).status_code == 303
        page = await client.get(f"/call-offs/{call_off_id}")
        assert 'id="awaiting-opening"' in page.text and 'id="approve-opening"' in page.text
        approved = await post_form(
            client, f"/call-offs/{call_off_id}", f"/call-offs/{call_off_id}/open", {}
        )
        assert approved.status_code == 303, approved.text
        assert approved.headers["location"] == f"/call-offs/{call_off_id}"
        shown = (await client.get(approved.headers["location"])).text
        assert 'id="success-banner"' in shown and SUCCESS_MESSAGES[code] in shown
    page = await client.get(f"/call-offs/{call_off_id}")
    assert 'id="see-evaluation"' in page.text
    again = await post_form(
        client, f"/call-offs/{call_off_id}", f"/call-offs/{call_off_id}/open", {}
    )
    assert again.status_code == 409 and "already open" in again.text
    # The opener reads the evaluation, with no award form, and neither checks nor confirms one.
    evaluation = await client.get(f"/call-offs/{call_off_id}/evaluation")
    assert evaluation.status_code == 200 and 'id="check-award"' not in evaluation.text
    for action in ("award/check", "award"):
        refused = await post_form(
            client, f"/call-offs/{call_off_id}", f"/call-offs/{call_off_id}/{action}", {}
        )
        assert refused.status_code == 403, refused.text
        assert "Only commissioners award call-offs" in refused.text
    assert await Award.count() == 0


async def test_pilot_answers_are_scored_on_their_own_page(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    s = suffix_of(c)
    _, alder = await admitted_provider(c, "Alder Care", areas=("ASHFORD",))
    call_off_id = await published(client, c, pilot_body(c))
    await bid(
        client,
        call_off_id,
        alder,
        {
            "areas": [
                {
                    "area_code": f"ASHFORD-{s}",
                    "hourly_rate_pence": 2000,
                    "answers": {"q1": "Job fairs in Ashford", "q2": "Goal attainment"},
                }
            ]
        },
    )
    await close(call_off_id)
    user, _ = await make_user(c.commissioner.id, "commissioner")
    assert (await sign_in(client, user.email)).status_code == 303
    page = await client.get(f"/call-offs/{call_off_id}/evaluation")
    assert 'id="awaiting-scores"' in page.text and 'id="check-award"' not in page.text
    link = re.search(r'href="(/call-offs/[^"]+/scores/[^"]+)"', page.text)
    assert link, "each offer has a scoring link"
    scoring = await client.get(link.group(1))
    assert "Job fairs in Ashford" in scoring.text
    bad = await post_form(
        client, link.group(1), link.group(1), {"score_q1": "eighty", "score_q2": "70"}
    )
    assert bad.status_code == 400 and 'href="#score_q1"' in bad.text
    missing = await post_form(client, link.group(1), link.group(1), {"score_q1": "80"})
    assert missing.status_code == 422 and 'href="#score_q2"' in missing.text
    saved = await post_form(
        client, link.group(1), link.group(1), {"score_q1": "80", "score_q2": "70"}
    )
    assert saved.status_code == 303
    page = await client.get(f"/call-offs/{call_off_id}/evaluation")
    assert 'id="awaiting-scores"' not in page.text and 'id="check-award"' in page.text
    assert "Quality: 76.00%" in page.text


async def test_a_provider_reads_its_outcome_after_the_award(client: httpx.AsyncClient) -> None:
    c, call_off_id, _ = await evaluated_enablement(client)
    confirmed = await client.post(
        f"/api/v1/call-offs/{call_off_id}/award",
        json={},
        headers={"Authorization": f"Bearer {c.token}"},
    )
    assert confirmed.status_code == 200, confirmed.text
    from marketplace.accounts.tables import Organisation

    oakleaf = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == "Oakleaf Home Care")
        .first()
    )
    user, _ = await make_user(oakleaf["id"], "provider")
    client.cookies.clear()
    assert (await sign_in(client, user.email)).status_code == 303
    mine = await client.get("/my-bids")
    assert f'href="/my-bids/{call_off_id}/outcome"' in mine.text
    assert "Awarded: standstill" in mine.text
    outcome = await client.get(f"/my-bids/{call_off_id}/outcome")
    assert outcome.status_code == 200
    assert '<span id="outcome">Unsuccessful</span>' in outcome.text
    assert "Winning hourly rate" in outcome.text and "£18.50/h" in outcome.text
    assert "Your rank" in outcome.text and 'id="standstill"' in outcome.text
