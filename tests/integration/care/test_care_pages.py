"""The care pages through the whole ASGI app, on SQLite and PostgreSQL: the provider's "My care"
(record the start, vary the hours, hand back, with the GOV.UK error summary when a form is
refused) and the commissioner's care list, care page (decide a change, correct the start, record
enablement outcomes, end the care), tolerance use and enablement bars."""

from __future__ import annotations

import re
from typing import Any

import httpx

from marketplace.admissions.enablement_bars import bar_from_enablement
from marketplace.db import write_transaction
from tests.call_off_fixtures import admitted_provider, commissioning
from tests.care_fixtures import (
    backdate,
    care_ids,
    concluded_cluster,
    concluded_enablement,
    days_ago,
    started,
)
from tests.factories import make_user
from tests.support import csrf_token_in, sign_in


async def post_form(client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any]) -> Any:
    token = csrf_token_in((await client.get(page)).text)
    return await client.post(action, data={"csrf_token": token, **data})


async def signed_in(client: httpx.AsyncClient, organisation_id: Any, role: str) -> None:
    user, _ = await make_user(organisation_id, role)
    assert (await sign_in(client, user.email)).status_code == 303


def error_summary(page: str) -> list[tuple[str, str]]:
    """(href, text) of each link of the GOV.UK error summary."""
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [
        (href, text.strip())
        for href, text in re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)
    ]


async def test_the_provider_records_the_start_varies_the_hours_and_hands_back_in_pages(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    care_id, _ = await care_ids(await concluded_cluster(client, c, token))
    await backdate(care_id, awarded_days_ago=3)
    await signed_in(client, provider.id, "provider")

    listing = await client.get("/my-care")
    assert listing.status_code == 200 and f'id="care-{care_id}"' in listing.text
    assert 'href="/my-care"' in (await client.get("/")).text
    page = f"/my-care/{care_id}"
    future = await post_form(client, page, f"{page}/start", {"actual_start": days_ago(-1)})
    assert future.status_code == 422
    assert error_summary(future.text) == [
        ("#start-actual_start", "The actual start cannot be in the future")
    ]
    assert 'id="start-actual_start"' in future.text
    empty = await post_form(client, page, f"{page}/start", {"actual_start": ""})
    assert error_summary(empty.text) == [("#start-actual_start", "Enter the actual start")]
    done = await post_form(client, page, f"{page}/start", {"actual_start": days_ago(2)})
    assert done.status_code == 303 and done.headers["location"] == page
    shown = await client.get(done.headers["location"])
    assert "The actual start is recorded." in shown.text
    assert 'id="vary-form"' in shown.text and 'id="start-form"' not in shown.text
    assert '<span id="actual-start">' in shown.text and "&lt;span" not in shown.text

    varied = await post_form(
        client,
        page,
        f"{page}/variations",
        {"weekly_hours": "14.00", "effective_from": days_ago(1), "reason": "Second visit"},
    )
    assert varied.status_code == 303
    shown = await client.get(page)
    assert '<span id="weekly-hours">14.00</span>' in shown.text
    beyond = await post_form(
        client,
        page,
        f"{page}/variations",
        {"weekly_hours": "16.00", "effective_from": days_ago(0), "reason": "Night call"},
    )
    assert beyond.status_code == 303
    assert "Waiting for the commissioner" in (await client.get(page)).text

    no_reason = await post_form(
        client, page, f"{page}/hand-back", {"last_care_date": days_ago(0), "reason": ""}
    )
    assert no_reason.status_code == 400
    assert error_summary(no_reason.text) == [("#hand-back-reason", "Enter the reason")]
    handed = await post_form(
        client, page, f"{page}/hand-back", {"last_care_date": days_ago(0), "reason": "No staff"}
    )
    assert handed.status_code == 303
    shown = await client.get(page)
    assert 'id="care-status">Handed back<' in shown.text
    assert 'data-action="hand_back_care"' in shown.text
    assert "Lapsed" in shown.text, "the pending request lapses with the hand-back"
    assert (await client.get("/care")).status_code == 403


async def test_the_commissioner_decides_corrects_and_ends_care_in_pages(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    care_id, other = await care_ids(await concluded_cluster(client, c, token))
    await backdate(care_id, awarded_days_ago=4, promised=None)
    await started(client, token, care_id, days=3)
    request = await client.post(
        f"/api/v1/care/{care_id}/variations",
        json={"weekly_hours": "16.00", "effective_from": days_ago(1), "reason": "Night call"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert request.json()["status"] == "requested"
    await signed_in(client, c.commissioner.id, "commissioner")

    listing = await client.get("/care", params={"status": "active"})
    assert f'id="care-{care_id}"' in listing.text and f'id="care-{other}"' not in listing.text
    page = f"/care/{care_id}"
    decide = f"{page}/variations/{request.json()['id']}/decision"
    unexplained = await post_form(client, page, decide, {"decision": "refuse"})
    assert unexplained.status_code == 422
    assert error_summary(unexplained.text) == [("#decide-reason", "Enter the reason")]
    approved = await post_form(client, page, decide, {"decision": "approve", "reason": "Agreed"})
    assert approved.status_code == 303
    assert '<span id="weekly-hours">16.00</span>' in (await client.get(page)).text

    corrected = await post_form(
        client,
        page,
        f"{page}/start-correction",
        {"actual_start": days_ago(2), "reason": "The log shows the second day"},
    )
    assert corrected.status_code == 303
    tolerance = await client.get("/care/tolerance")
    assert tolerance.status_code == 200 and f'id="package-{care_id}"' in tolerance.text
    ended = await post_form(
        client, page, f"{page}/end", {"last_care_date": days_ago(0), "reason": "Moved away"}
    )
    assert ended.status_code == 303
    shown = await client.get(page)
    assert 'id="care-status">Ended<' in shown.text
    assert [a for a in re.findall(r'data-action="([a-z_]+)"', shown.text)] == [
        "begin_care",
        "record_care_start",
        "request_care_hours",
        "approve_care_hours",
        "correct_care_start",
        "end_care",
    ]

    elsewhere = await commissioning("Dorset Council")
    client.cookies.clear()
    await signed_in(client, elsewhere.commissioner.id, "commissioner")
    assert (await client.get(page)).status_code == 404


async def test_enablement_outcomes_and_the_bars_in_pages(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    [care_id] = await care_ids(await concluded_enablement(client, c, token, "1"))
    await backdate(care_id, awarded_days_ago=14)
    await started(client, token, care_id, days=13)
    await signed_in(client, c.commissioner.id, "commissioner")
    page = f"/care/{care_id}"
    assert 'id="outcomes-form"' in (await client.get(page)).text
    partial = await post_form(client, page, f"{page}/enablement-outcomes", {"outcome_1": "met"})
    assert partial.status_code == 400
    assert error_summary(partial.text) == [
        ("#outcomes-outcomes", "Say whether each outcome was met")
    ]
    recorded = await post_form(
        client, page, f"{page}/enablement-outcomes", {"outcome_1": "met", "outcome_2": "not_met"}
    )
    assert recorded.status_code == 303
    shown = await client.get(page)
    assert "the enablement budget is not payable" in shown.text

    async with write_transaction():
        bar_id = await bar_from_enablement(c.commissioner.id, provider.id, 3, 12)
    bars = await client.get("/enablement-bars")
    assert f'id="bar-{bar_id}"' in bars.text and "Barred" in bars.text
    refused = await post_form(client, "/enablement-bars", f"/enablement-bars/{bar_id}/lift", {})
    assert refused.status_code == 422
    assert error_summary(refused.text) == [(f"#lift-{bar_id}-reason", "The reason is empty")]
    lifted = await post_form(
        client, "/enablement-bars", f"/enablement-bars/{bar_id}/lift", {"reason": "Panel review"}
    )
    assert lifted.status_code == 303 and lifted.headers["location"] == "/enablement-bars"
    assert "Lifted" in (await client.get(lifted.headers["location"])).text
