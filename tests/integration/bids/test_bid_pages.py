"""The provider's bid pages through the whole ASGI app, on SQLite and PostgreSQL: submit, check a
rate inline, replace and withdraw an enablement bid, and see each receipt on "my bids"."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx

from marketplace.accounts.tables import Organisation, User
from marketplace.bids.keys import data_keys_of
from marketplace.bids.sealing import receipt_key
from marketplace.bids.tables import Bid
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    pilot_body,
)
from tests.factories import make_organisation, make_user
from tests.integration.bids.test_bids import published
from tests.support import csrf_token_in, sign_in

FORM = {"hourly_rate": "19.25", "accepts_enablement_budget": "yes", "notes": "Two carers"}


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
    assert f'href="/opportunities/{call_off_id}/bid">Submit a bid<' in opportunity.text

    submitted = await post_bid(client, call_off_id, FORM)
    assert submitted.status_code == 303
    assert submitted.headers["location"] == "/my-bids"
    receipt = await client.get(submitted.headers["location"])
    assert "Your bid for Enablement at home, Ashford was received" in receipt.text
    [bid] = await Bid.select(Bid.id, Bid.digest)
    assert bid["digest"] in receipt.text and "Digest (HMAC-SHA256)" in receipt.text
    data_key = (await data_keys_of([UUID(call_off_id)]))[UUID(call_off_id)]
    key = receipt_key(data_key, bid["id"], 1).hex()
    assert f'id="receipt-key">{key}<' in receipt.text, "the bidder is given its receipt's key"
    again = await client.get(submitted.headers["location"])
    assert "was received" not in again.text, "the receipt banner is shown once"
    assert "Version 1" in row_of(receipt.text, call_off_id)
    assert "Open for bids" in row_of(receipt.text, call_off_id)

    form = await client.get(f"/opportunities/{call_off_id}/bid")
    assert "Change your bid" in form.text and f'id="receipt-key">{key}<' in form.text
    assert 'value="19.25"' in form.text and "Two carers" in form.text
    assert "Change your bid" in (await client.get(f"/opportunities/{call_off_id}")).text

    replaced = await post_bid(client, call_off_id, {**FORM, "hourly_rate": "19.40"})
    assert replaced.status_code == 303
    row = row_of((await client.get("/my-bids")).text, call_off_id)
    assert "Version 2" in row and "Submitted" in row

    withdrawn = await post_bid(client, call_off_id, {}, "/withdraw")
    assert withdrawn.status_code == 303
    assert withdrawn.headers["location"] == "/my-bids"
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
    # Every field's error at once: the unanswered budget question too.
    assert 'href="#accepts_enablement_budget"' in summary.group(0)
    assert await Bid.count() == 0


async def test_a_missing_answer_is_named_on_its_field(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    response = await post_bid(client, call_off_id, {"hourly_rate": "19.25"})
    assert response.status_code == 400
    assert "Say whether you accept the enablement budget" in response.text
    assert 'href="#accepts_enablement_budget"' in response.text
    assert await Bid.count() == 0


async def test_the_rate_check_is_a_fragment_for_htmx_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    token = csrf_token_in((await client.get(f"/opportunities/{call_off_id}/bid")).text)
    check = f"/opportunities/{call_off_id}/bid/check"
    within = await client.post(
        check, data={"csrf_token": token, "hourly_rate": "19.25"}, headers={"HX-Request": "true"}
    )
    assert within.status_code == 200
    assert "<html" not in within.text
    assert within.headers["vary"] == "HX-Request"
    assert "£19.25 an hour is within the maximum of £24.00 and the envelope" in within.text
    above = await client.post(
        check, data={"csrf_token": token, "hourly_rate": "25"}, headers={"HX-Request": "true"}
    )
    assert "The hourly rate must be £24.00 or less: £25.00 is above" in above.text
    whole = await client.post(check, data={"csrf_token": token, "hourly_rate": "19.25"})
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


async def sign_in_to_bid(client: httpx.AsyncClient, body: Any, areas: tuple[str, ...]) -> str:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care", areas=areas)
    call_off_id = await published(client, c, body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    return call_off_id


async def own_content(call_off_id: str) -> Any:
    from marketplace.bids.service import own_bid
    from tests.factories import principal_of

    bid = await Bid.select(Bid.provider).first()
    user = await User.objects().where(User.organisation == bid["provider"]).first()
    organisation = await Organisation.objects().where(Organisation.id == bid["provider"]).first()
    return (await own_bid(principal_of(user, organisation), call_off_id)).content


async def test_a_cluster_bid_needs_its_mobilisation_date(client: httpx.AsyncClient) -> None:
    call_off_id = await sign_in_to_bid(client, cluster_body, ("ASHFORD",))
    form = await client.get(f"/opportunities/{call_off_id}/bid")
    assert "Mobilisation date" in form.text and "on or before" in form.text
    assert "accepts_enablement_budget" not in form.text
    missing = await post_bid(client, call_off_id, {"hourly_rate": "19.25"})
    assert missing.status_code == 400
    assert 'href="#mobilisation_date"' in missing.text
    start = date.today() + timedelta(days=5)
    sent = await post_bid(
        client,
        call_off_id,
        {
            "hourly_rate": "19.25",
            "mobilisation_date-day": str(start.day),
            "mobilisation_date-month": str(start.month),
            "mobilisation_date-year": str(start.year),
        },
    )
    assert sent.status_code == 303, sent.text
    content = await own_content(call_off_id)
    assert content.hourly_rate_pence == 1925 and content.mobilisation_date == start


async def test_a_pilot_bid_is_made_area_by_area_with_an_inline_check_for_each_rate(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await sign_in_to_bid(client, pilot_body, ("ASHFORD", "CANTERBURY"))
    page = await client.get(f"/opportunities/{call_off_id}/bid")
    assert 'id="rate-check-area_rate_0"' in page.text and 'id="rate-check-area_rate_1"' in page.text
    assert "/bid/check?field=area_rate_1" in page.text
    token = csrf_token_in(page.text)
    check = await client.post(
        f"/opportunities/{call_off_id}/bid/check?field=area_rate_1",
        data={"csrf_token": token, "area_rate_1": "26"},
        headers={"HX-Request": "true"},
    )
    assert check.status_code == 200 and "<html" not in check.text
    assert 'id="rate-check-area_rate_1"' in check.text
    assert "The hourly rate in CANTERBURY" in check.text and "£24.00 or less" in check.text
    odd = await client.post(
        f"/opportunities/{call_off_id}/bid/check?field=notes",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert odd.status_code == 400

    missing = await post_bid(
        client,
        call_off_id,
        {
            "areas": "ASHFORD-" + call_off_suffix(page.text),
            "area_rate_0": "21.00",
            "area_answer_0_q1": "Local job fairs",
        },
    )
    assert missing.status_code == 400
    assert 'href="#area_answer_0_q2"' in missing.text
    assert await Bid.count() == 0
    sent = await post_bid(
        client,
        call_off_id,
        {
            "areas": "CANTERBURY-" + call_off_suffix(page.text),
            "area_rate_1": "22.40",
            "area_answer_1_q1": "Local job fairs",
            "area_answer_1_q2": "Goal attainment scaling",
        },
    )
    assert sent.status_code == 303, sent.text
    [area] = (await own_content(call_off_id)).areas
    assert area.area_code.startswith("CANTERBURY-") and area.hourly_rate_pence == 2240
    assert area.answers == {"q1": "Local job fairs", "q2": "Goal attainment scaling"}


def call_off_suffix(page: str) -> str:
    match = re.search(r'name="areas" type="checkbox" value="ASHFORD-([^"]+)"', page)
    assert match, "the form offers the areas"
    return match.group(1)


async def test_attachments_are_added_read_and_removed_through_the_bid_page(
    client: httpx.AsyncClient,
) -> None:
    call_off_id = await bid_as_provider(client)
    assert (await post_bid(client, call_off_id, FORM)).status_code == 303
    page = await client.get(f"/opportunities/{call_off_id}/bid")
    assert 'id="attach-form"' in page.text and 'enctype="multipart/form-data"' in page.text
    token = csrf_token_in(page.text)
    nothing = await client.post(
        f"/opportunities/{call_off_id}/bid/attachments",
        data={"csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert nothing.status_code == 400 and 'href="#file"' in nothing.text
    added = await client.post(
        f"/opportunities/{call_off_id}/bid/attachments",
        data={"csrf_token": token},
        files={"file": ("method statement.txt", b"Our method\n", "text/plain")},
    )
    assert added.status_code == 303
    page = await client.get(f"/opportunities/{call_off_id}/bid")
    match = re.search(
        r'href="(/opportunities/[^"]+/bid/attachments/([^"]+))">method statement', page.text
    )
    assert match, "the page lists the attachment"
    assert (await client.get(match.group(1))).content == b"Our method\n"
    removed = await client.post(
        f"/opportunities/{call_off_id}/bid/attachments/{match.group(2)}/remove",
        data={"csrf_token": csrf_token_in(page.text)},
    )
    assert removed.status_code == 303
    assert "method statement" not in (await client.get(f"/opportunities/{call_off_id}/bid")).text


async def test_the_live_check_of_the_mobilisation_date_says_what_the_submission_refuses(
    client: httpx.AsyncClient,
) -> None:
    """The check as the provider types the date (htmx) and the API's refusal of a bid with that
    date give the same verdict in the same words: gone by, after the latest start, or fine."""
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, cluster_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    csrf = csrf_token_in((await client.get(f"/opportunities/{call_off_id}/bid")).text)
    check = f"/opportunities/{call_off_id}/bid/check?field=mobilisation_date"
    today = date.today()
    for offered, code in (
        (date(2020, 3, 2), "mobilisation_in_past"),
        (today - timedelta(days=1), "mobilisation_in_past"),
        (today + timedelta(days=11), "mobilisation_after_latest_start"),
    ):
        parts = {"day": offered.day, "month": offered.month, "year": offered.year}
        typed = {f"mobilisation_date-{part}": str(n) for part, n in parts.items()}
        checked = await client.post(
            check, data={"csrf_token": csrf, **typed}, headers={"HX-Request": "true"}
        )
        assert checked.status_code == 200 and "<html" not in checked.text
        assert 'id="rate-check-mobilisation_date"' in checked.text
        assert "govuk-error-message" in checked.text
        refused = await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid",
            json={"hourly_rate_pence": 1900, "mobilisation_date": offered.isoformat()},
            headers={"Authorization": f"Bearer {token}", "Cookie": ""},
        )
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["code"] == code
        assert error["message"] in checked.text, "the check says what the submission refuses"
    typed = {
        "mobilisation_date-day": str(today.day),
        "mobilisation_date-month": str(today.month),
        "mobilisation_date-year": str(today.year),
    }
    fine = await client.post(
        check, data={"csrf_token": csrf, **typed}, headers={"HX-Request": "true"}
    )
    assert "govuk-error-message" not in fine.text and "You can start on" in fine.text
    partly = await client.post(
        check,
        data={"csrf_token": csrf, "mobilisation_date-day": "3"},
        headers={"HX-Request": "true"},
    )
    assert partly.status_code == 200 and "rate-check-message" not in partly.text
    whole = await client.post(
        f"/opportunities/{call_off_id}/bid/check?field=mobilisation_date",
        data={"csrf_token": csrf, **typed},
    )
    assert "<html" in whole.text and "You can start on" in whole.text
    assert await Bid.count() == 0
    accepted = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={"hourly_rate_pence": 1900, "mobilisation_date": today.isoformat()},
        headers={"Authorization": f"Bearer {token}", "Cookie": ""},
    )
    assert accepted.status_code == 201, accepted.text
