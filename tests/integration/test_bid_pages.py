"""The provider's bid pages through the whole ASGI app, on SQLite and PostgreSQL: submit, check a
rate inline, replace and withdraw an enablement bid, and see each receipt on "my bids"."""

from __future__ import annotations

import re
from typing import Any

import httpx

from marketplace.bids.tables import Bid
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import make_organisation, make_user
from tests.integration.test_bids import published
from tests.support import csrf_token_in, sign_in

FORM = {"hourly_rate": "21.50", "accepts_enablement_budget": "yes", "notes": "Two carers"}


async def bid_as_provider(client: httpx.AsyncClient) -> str:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    return call_off_id


async def post_bid(
    client: httpx.AsyncClient, call_off_id: str, data: dict[str, Any], action: str = ""
) -> httpx.Response:
    token = csrf_token_in((await client.get(f"/opportunities/{call_off_id}/bid")).text)
    return await client.post(
        f"/opportunities/{call_off_id}/bid{action}", data={"csrf_token": token, **data}
    )


def row_of(page: str, call_off_id: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" id="bid-{call_off_id}">.*?</tr>', page, re.S)
    assert match, "my bids lists the bid"
    return match.group(0)


async def test_a_bid_is_submitted_replaced_and_withdrawn_through_the_pages(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    opportunity = await client.get(f"/opportunities/{call_off_id}")
    assert f'href="/opportunities/{call_off_id}/bid">Bid<' in opportunity.text

    submitted = await post_bid(client, call_off_id, FORM)
    assert submitted.status_code == 303
    assert submitted.headers["location"] == f"/my-bids?submitted={call_off_id}"
    receipt = await client.get(submitted.headers["location"])
    assert "Your bid for Enablement at home, Ashford was received" in receipt.text
    digest = (await Bid.select(Bid.digest).first())["digest"]
    assert digest in receipt.text
    assert "Version 1" in row_of(receipt.text, call_off_id)
    assert "Open for bids" in row_of(receipt.text, call_off_id)

    form = await client.get(f"/opportunities/{call_off_id}/bid")
    assert "Change your bid" in form.text
    assert 'value="21.50"' in form.text and "Two carers" in form.text
    assert "Change your bid" in (await client.get(f"/opportunities/{call_off_id}")).text

    replaced = await post_bid(client, call_off_id, {**FORM, "hourly_rate": "22"})
    assert replaced.status_code == 303
    row = row_of((await client.get("/my-bids")).text, call_off_id)
    assert "Version 2" in row and "Submitted" in row

    withdrawn = await post_bid(client, call_off_id, {}, "/withdraw")
    assert withdrawn.status_code == 303
    assert withdrawn.headers["location"] == f"/my-bids?withdrawn={call_off_id}"
    page = (await client.get(withdrawn.headers["location"])).text
    assert "was withdrawn" in page
    assert "Withdrawn" in row_of(page, call_off_id)


async def test_a_rate_with_more_than_two_decimals_is_refused_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    response = await post_bid(
        client, call_off_id, {"hourly_rate": "21.505", "accepts_enablement_budget": ""}
    )
    assert response.status_code == 400
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', response.text, re.S)
    assert summary, "the page shows the error summary"
    assert 'href="#hourly_rate"' in summary.group(0)
    assert "at most 2 decimal places" in summary.group(0)
    assert 'href="#accepts_enablement_budget"' not in summary.group(0)  # not reached the service
    assert await Bid.count() == 0


async def test_a_missing_answer_comes_back_from_the_service_on_its_field(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    response = await post_bid(client, call_off_id, {"hourly_rate": "21.50"})
    assert response.status_code == 422
    assert 'href="#accepts_enablement_budget"' in response.text
    assert await Bid.count() == 0


async def test_the_rate_check_is_a_fragment_for_htmx_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    token = csrf_token_in((await client.get(f"/opportunities/{call_off_id}/bid")).text)
    check = f"/opportunities/{call_off_id}/bid/check"
    within = await client.post(
        check, data={"csrf_token": token, "hourly_rate": "21.50"}, headers={"HX-Request": "true"}
    )
    assert within.status_code == 200
    assert "<html" not in within.text
    assert within.headers["vary"] == "HX-Request"
    assert "£21.50 an hour is within the maximum of £24.00" in within.text
    above = await client.post(
        check, data={"csrf_token": token, "hourly_rate": "25"}, headers={"HX-Request": "true"}
    )
    assert "£25.00 an hour is above the maximum of £24.00" in above.text
    whole = await client.post(check, data={"csrf_token": token, "hourly_rate": "21.50"})
    assert "<html" in whole.text and "within the maximum" in whole.text
    assert await Bid.count() == 0


async def test_an_uninvited_provider_gets_not_found(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    stranger = await make_organisation("provider", name="Elsewhere Care")
    user, _ = await make_user(stranger.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    assert (await client.get(f"/opportunities/{call_off_id}/bid")).status_code == 404
    assert (await client.get("/my-bids")).status_code == 200
