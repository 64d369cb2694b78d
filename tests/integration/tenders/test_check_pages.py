"""Check pages before publish, cancel, award and withdraw, the success banner after each action,
and wording that follows the call-off's status, through the whole ASGI app on SQLite and
PostgreSQL. A check page writes nothing: only its button's POST acts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.tables import Award
from marketplace.bids.tables import Bid
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_user
from tests.integration.awards.test_award_pages import evaluated_enablement
from tests.integration.awards.test_awards import accepted, bid
from tests.integration.bids.test_bids import pass_the_deadline, published
from tests.support import csrf_token_in, sign_in


def banner(page: str) -> str | None:
    match = re.search(
        r'<div class="govuk-notification-banner govuk-notification-banner--success"'
        r"[^>]*>(.*?)</div>\s*</div>",
        page,
        re.S,
    )
    if match is None:
        return None
    assert 'role="alert"' in match.group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


async def status_of(call_off_id: str) -> str:
    row = await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first()
    assert row is not None
    return str(row["status"])


def today_words() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).strftime("%-d %B %Y")


async def draft(client: httpx.AsyncClient) -> tuple[object, str]:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    assert created.status_code == 201, created.text
    assert (await sign_in(client, c.officer.email)).status_code == 303
    return c, created.json()["id"]


async def test_publishing_goes_through_a_check_page_that_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    _, call_off_id = await draft(client)
    page = (await client.get(f"/call-offs/{call_off_id}")).text
    assert f'href="/call-offs/{call_off_id}/publish"' in page, "Publish is a link to the check"

    check = await client.get(f"/call-offs/{call_off_id}/publish")
    assert check.status_code == 200
    assert "Check the call-off before you publish it" in check.text
    assert "Providers admitted to the lot in its areas: 1 provider today" in check.text
    assert "Every eligible provider is invited and emailed" in check.text
    assert f'<form method="post" action="/call-offs/{call_off_id}/publish">' in check.text
    assert await status_of(call_off_id) == "draft", "the check page writes nothing"

    published_ = await client.post(
        f"/call-offs/{call_off_id}/publish", data={"csrf_token": csrf_token_in(check.text)}
    )
    assert published_.status_code == 303
    assert published_.headers["location"] == f"/call-offs/{call_off_id}"
    assert await status_of(call_off_id) == "published"
    shown = (await client.get(published_.headers["location"])).text
    assert banner(shown) == (
        "Success The call-off is published: every eligible provider is invited and emailed."
    )
    assert banner((await client.get(f"/call-offs/{call_off_id}")).text) is None
    again = await client.get(f"/call-offs/{call_off_id}/publish")
    assert again.status_code == 303 and again.headers["location"] == f"/call-offs/{call_off_id}"


async def test_cancelling_asks_for_a_reason_on_its_check_page_then_says_when(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, token, accepted(1900))
    assert (await sign_in(client, c.officer.email)).status_code == 303
    page = (await client.get(f"/call-offs/{call_off_id}")).text
    assert "Time left" in page and "Bids are sealed" in page
    assert f'href="/call-offs/{call_off_id}/cancel"' in page

    check = await client.get(f"/call-offs/{call_off_id}/cancel")
    assert check.status_code == 200
    consequences = re.search(r'id="cancel-consequences">(.*?)</ul>', check.text, re.S)
    assert consequences is not None
    assert "The 1 invited provider is emailed your reason" in consequences.group(1)
    assert "The 1 bid received is never opened" in consequences.group(1)
    token_ = csrf_token_in(check.text)
    refused = await client.post(f"/call-offs/{call_off_id}/cancel", data={"csrf_token": token_})
    assert refused.status_code == 400
    assert 'href="#reason"' in refused.text and "Are you sure you want to cancel" in refused.text
    assert await status_of(call_off_id) == "published"

    cancelled = await client.post(
        f"/call-offs/{call_off_id}/cancel",
        data={"csrf_token": token_, "reason": "The person moved into residential care"},
    )
    assert cancelled.status_code == 303
    shown = (await client.get(cancelled.headers["location"])).text
    assert "The call-off is cancelled" in (banner(shown) or "")
    assert "Time left" not in shown
    assert f"Cancelled on {today_words()}" in shown
    assert "Bids are sealed" not in shown and "its bids are never opened" in shown

    # The invited provider reads the same: no time left, and its bid page is read-only.
    user, _ = await make_user(provider.id, "provider")
    client.cookies.clear()
    assert (await sign_in(client, user.email)).status_code == 303
    opportunity = (await client.get(f"/opportunities/{call_off_id}")).text
    assert "Time left" not in opportunity and f"Cancelled on {today_words()}" in opportunity
    form = (await client.get(f"/opportunities/{call_off_id}/bid")).text
    assert re.search(r'<h1 class="govuk-heading-l" id="bid">Your bid</h1>', form)
    assert "Change your bid" not in form and "sealed until the call-off is opened" not in form
    assert 'id="submit-bid"' not in form


async def test_withdrawing_goes_through_a_check_page_and_closed_bids_read_as_read_only(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    form = (await client.get(f"/opportunities/{call_off_id}/bid")).text
    assert re.search(r'id="bid">Submit your bid</h1>', form)

    await bid(client, call_off_id, token, accepted(1900))
    form = (await client.get(f"/opportunities/{call_off_id}/bid")).text
    assert re.search(r'id="bid">Change your bid</h1>', form)
    assert f'href="/opportunities/{call_off_id}/bid/withdraw"' in form
    check = await client.get(f"/opportunities/{call_off_id}/bid/withdraw")
    assert check.status_code == 200
    assert "Are you sure you want to withdraw your bid?" in check.text
    digest = (await Bid.select(Bid.digest).first())["digest"]
    assert digest in check.text and "You can submit a new bid until the deadline" in check.text
    assert (await Bid.select(Bid.status).first())["status"] == "submitted"
    withdrawn = await client.post(
        f"/opportunities/{call_off_id}/bid/withdraw",
        data={"csrf_token": csrf_token_in(check.text)},
    )
    assert withdrawn.status_code == 303
    assert (await Bid.select(Bid.status).first())["status"] == "withdrawn"
    shown = (await client.get(withdrawn.headers["location"])).text
    assert "was withdrawn" in (banner(shown) or "")
    nothing = await client.get(f"/opportunities/{call_off_id}/bid/withdraw")
    assert nothing.status_code == 303, "no live bid: nothing to withdraw"

    await bid(client, call_off_id, token, accepted(1850))
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    form = (await client.get(f"/opportunities/{call_off_id}/bid")).text
    assert re.search(r'id="bid">Your bid</h1>', form) and 'id="submit-bid"' not in form
    assert "Closed for bids on" in form and "Time left" not in form
    opportunity = (await client.get(f"/opportunities/{call_off_id}")).text
    assert "Time left" not in opportunity and "Closed for bids on" in opportunity


async def test_the_award_check_refuses_a_departure_without_a_reason_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    _, call_off_id, _ = await evaluated_enablement(client)
    page = (await client.get(f"/call-offs/{call_off_id}/evaluation")).text
    assert f'action="/call-offs/{call_off_id}/award/check"' in page
    options = re.findall(r'name="choice"[^>]*value="([^"]+)"', page)
    unchecked = [o for o in options if not re.search(rf'value="{o}"[^>]*checked', page)]
    token = csrf_token_in(page)
    refused = await client.post(
        f"/call-offs/{call_off_id}/award/check", data={"csrf_token": token, "choice": unchecked[0]}
    )
    assert refused.status_code == 422 and 'href="#reason"' in refused.text

    check = await client.post(
        f"/call-offs/{call_off_id}/award/check",
        data={"csrf_token": token, "choice": unchecked[0], "reason": "Continuity of carers"},
    )
    assert check.status_code == 200
    assert "Yes: Continuity of carers" in check.text and "Oakleaf Home Care" in check.text
    assert "The standstill of 8 working days starts" in check.text
    assert await Award.count() == 0 and await status_of(call_off_id) == "evaluated"
    answers = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    confirmed = await client.post(f"/call-offs/{call_off_id}/award", data=answers)
    assert confirmed.status_code == 303 and await Award.count() == 1
    shown = (await client.get(confirmed.headers["location"])).text
    assert "The award is confirmed" in (banner(shown) or "")
    # After the opening the panel no longer says the bids are sealed.
    panel = (await client.get(f"/call-offs/{call_off_id}")).text
    assert "Bids are sealed" not in panel and "The bids were opened after the deadline" in panel
    assert "Time left" not in re.sub(r'id="standstill.*', "", panel, flags=re.S)


async def test_banners_show_only_fixed_sentences_for_known_codes(
    client: httpx.AsyncClient,
) -> None:
    _, call_off_id = await draft(client)
    unknown = await client.get(f"/call-offs/{call_off_id}?done=%3Cscript%3Ealert(1)%3C/script%3E")
    assert banner(unknown.text) is None and "alert(1)" not in unknown.text
    page = (await client.get(f"/call-offs/{call_off_id}")).text
    changed = await client.post(
        f"/call-offs/{call_off_id}/deadline",
        data={"csrf_token": csrf_token_in(page), "deadline": "2099-01-05T12:00"},
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == f"/call-offs/{call_off_id}"
    assert "The deadline is changed" in (
        banner((await client.get(changed.headers["location"])).text) or ""
    )
    assert banner((await client.get(changed.headers["location"])).text) is None, "shown once"
    shared = await client.get(f"/call-offs/{call_off_id}?done=deadline-changed")
    assert banner(shared.text) is None, "a code in the address shows nothing"


async def test_declining_shows_its_banner(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    home = (await client.get("/")).text
    assert f'href="/opportunities/{call_off_id}"' in home, "a new invitation on the home page"
    page = (await client.get(f"/opportunities/{call_off_id}")).text
    declined = await client.post(
        f"/opportunities/{call_off_id}/decline",
        data={"csrf_token": csrf_token_in(page), "reason": "no_capacity"},
    )
    assert declined.status_code == 303
    shown = (await client.get(declined.headers["location"])).text
    assert "You declined the call-off" in (banner(shown) or "")
    home = (await client.get("/")).text
    assert f'href="/opportunities/{call_off_id}"' not in home, "declining answers the invitation"
