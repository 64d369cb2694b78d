"""The commissioner's console and the provider's feed in the browser, through the whole ASGI app,
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.call_off_fixtures import Commissioning, admitted_provider, commissioning, suffix_of
from tests.factories import make_user
from tests.support import csrf_token_in, sign_in


def london_in(days: float) -> str:
    when = datetime.now(UTC) + timedelta(days=days)
    return when.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


async def as_commissioner(client: httpx.AsyncClient) -> Commissioning:
    c = await commissioning()
    response = await sign_in(client, c.officer.email)
    assert response.status_code == 303
    return c


async def post_form(
    client: httpx.AsyncClient, form_path: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    token = csrf_token_in((await client.get(form_path)).text)
    return await client.post(action, data={"csrf_token": token, **data})


def enablement_form(c: Commissioning, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "enablement",
        "title": "Enablement at home, Ashford",
        "lot_code": "CSH",
        "deadline": london_in(3),
        "package_id": str(c.packages["1"]),
        "budget": "1500.00",
        "weeks": "6",
        "outcomes": "Wash and dress independently\nMake a hot meal",
        **overrides,
    }


async def create_through_form(client: httpx.AsyncClient, data: dict[str, Any]) -> str:
    response = await post_form(
        client, f"/call-offs/new?kind={data['kind']}", "/call-offs/new", data
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/call-offs/[0-9a-f-]{36}", location), "the banner is not in the address"
    assert "The call-off is saved as a draft" in (await client.get(location)).text
    return location


def error_summary(page: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert match, "the page shows the error summary"
    return match.group(0)


async def test_each_kind_is_drafted_through_its_form(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    s = suffix_of(c)
    enablement = await create_through_form(client, enablement_form(c))
    cluster = await create_through_form(
        client,
        {
            "kind": "cluster",
            "title": "Ashford run",
            "lot_code": "CSH",
            "deadline": london_in(3),
            "package_ids": [str(c.packages["2"]), str(c.packages["3"])],
            "latest_start": (datetime.now(UTC).date() + timedelta(days=10)).isoformat(),
        },
    )
    pilot = await create_through_form(
        client,
        {
            "kind": "pilot",
            "title": "Outcomes pilot",
            "lot_code": "CSH",
            "deadline": london_in(3),
            "area_code_0": f"ASHFORD-{s}",
            "area_hours_0": "200.00",
            "area_code_1": f"CANTERBURY-{s}",
            "area_hours_1": "150",
            "question_0": "How will you recruit locally?",
            "question_weight_0": "60",
            "question_1": "How will you measure outcomes?",
            "question_weight_1": "40",
            "quality_weight": "60",
            "price_weight": "40",
        },
    )
    page = (await client.get(enablement)).text
    assert "Enablement at home, Ashford" in page and "Draft" in page
    assert 'id="envelope-workings"' in page and "£19.50" in page
    assert "Ashford run" in (await client.get(cluster)).text
    assert "Ashford, Canterbury" in (await client.get(pilot)).text
    listing = (await client.get("/call-offs")).text
    for title in ("Enablement at home, Ashford", "Ashford run", "Outcomes pilot"):
        assert title in listing


async def test_a_past_deadline_is_named_in_the_error_summary(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    response = await post_form(
        client,
        "/call-offs/new?kind=enablement",
        "/call-offs/new",
        enablement_form(c, deadline=london_in(-1), budget="lots"),
    )
    assert response.status_code == 400
    summary = error_summary(response.text)
    assert 'href="#budget"' in summary and "Enter the budget in pounds" in summary
    assert 'href="#deadline"' not in summary  # read, but only the service rules on it
    response = await post_form(
        client,
        "/call-offs/new?kind=enablement",
        "/call-offs/new",
        enablement_form(c, deadline=london_in(-1)),
    )
    assert response.status_code == 422
    summary = error_summary(response.text)
    assert 'href="#deadline"' in summary and "The deadline must be at least" in summary
    assert 'value="Enablement at home, Ashford"' in response.text  # the form keeps what was typed
    assert response.text.count("<title>Error: ") == 1


async def test_a_cluster_of_one_package_is_refused_naming_the_packages(
    client: httpx.AsyncClient,
) -> None:
    c = await as_commissioner(client)
    response = await post_form(
        client,
        "/call-offs/new?kind=cluster",
        "/call-offs/new",
        {
            "kind": "cluster",
            "title": "Too small",
            "lot_code": "CSH",
            "deadline": london_in(3),
            "package_ids": str(c.packages["1"]),
            "latest_start": (datetime.now(UTC).date() + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert 'href="#package_ids"' in error_summary(response.text)


async def test_publishing_through_the_page_invites_and_the_status_panel_polls(
    client: httpx.AsyncClient,
) -> None:
    c = await as_commissioner(client)
    await admitted_provider(c, "Ashford Carers")
    location = await create_through_form(client, enablement_form(c))
    response = await post_form(client, location, f"{location}/publish", {})
    assert response.status_code == 303
    page = await client.get(location)
    assert "Ashford Carers" in page.text and page.headers["vary"] == "HX-Request"
    assert re.search(r'id="invited-count">1<', page.text)
    assert f'hx-get="{location}/status"' in page.text

    fragment = await client.get(f"{location}/status", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="call-off-status"' in fragment.text
    assert "Published" in fragment.text and 'hx-trigger="every 5s"' in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    assert re.search(r'id="bid-count">0<', fragment.text), "the response count, nothing more"
    whole = await client.get(f"{location}/status")
    assert "<html" in whole.text and whole.headers["vary"] == "HX-Request"

    again = await post_form(client, location, f"{location}/publish", {})
    assert again.status_code == 409
    assert "A published call-off cannot be published" in error_summary(again.text)


async def test_publishing_with_no_eligible_provider_shows_why(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    location = await create_through_form(client, enablement_form(c))
    response = await post_form(client, location, f"{location}/publish", {})
    assert response.status_code == 422
    assert "No provider is eligible" in error_summary(response.text)


async def test_cancel_needs_a_reason(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    location = await create_through_form(client, enablement_form(c))
    response = await post_form(client, location, f"{location}/cancel", {"reason": " "})
    assert response.status_code == 400
    assert 'href="#reason"' in error_summary(response.text)
    response = await post_form(client, location, f"{location}/cancel", {"reason": "Family care"})
    assert response.status_code == 303
    page = (await client.get(location)).text
    assert "Cancelled" in page and "Family care" in page and "hx-trigger" not in page


async def test_the_feed_shows_invited_call_offs_only(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    invited, _ = await admitted_provider(c, "Ashford Carers")
    elsewhere, _ = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    location = await create_through_form(client, enablement_form(c))
    await post_form(client, location, f"{location}/publish", {})
    call_off_id = location.rsplit("/", 1)[1]
    await create_through_form(
        client, enablement_form(c, title="Still a draft", package_id=str(c.packages["3"]))
    )

    provider_user, _ = await make_user(invited.id, "provider")
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as other:
        await sign_in(other, provider_user.email)
        feed = await other.get("/opportunities")
        assert feed.status_code == 200
        assert "Enablement at home, Ashford" in feed.text and "Still a draft" not in feed.text
        assert "£24.00" in feed.text and "10.00" in feed.text
        assert "P-" not in feed.text and "TN23" not in feed.text  # no references, no postcodes
        detail = await other.get(f"/opportunities/{call_off_id}")
        assert detail.status_code == 200 and "Wash and dress independently" in detail.text
        assert (await other.get("/call-offs")).status_code == 403

    outsider_user, _ = await make_user(elsewhere.id, "provider")
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as other:
        await sign_in(other, outsider_user.email)
        feed = await other.get("/opportunities")
        assert "Enablement at home, Ashford" not in feed.text
        assert "not invited to any open call-offs" in feed.text
        assert (await other.get(f"/opportunities/{call_off_id}")).status_code == 404


async def test_another_commissioner_cannot_see_the_call_off(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    location = await create_through_form(client, enablement_form(c))
    other = await commissioning("Dorset Council")
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as browser:
        await sign_in(browser, other.officer.email)
        assert (await browser.get(location)).status_code == 404
        assert (
            await browser.get(f"{location}/status", headers={"HX-Request": "true"})
        ).status_code == 404


async def test_the_waiting_list_filters_by_area_urgency_and_service_level(
    client: httpx.AsyncClient,
) -> None:
    c = await as_commissioner(client)
    s = suffix_of(c)
    everything = (await client.get("/waiting-list")).text
    assert all(f"P-{s}-{n}" in everything for n in "1234")
    in_canterbury = (
        await client.get("/waiting-list", params={"area_code": f"CANTERBURY-{s}"})
    ).text
    assert f"P-{s}-4" in in_canterbury and f"P-{s}-1" not in in_canterbury
    urgent = (await client.get("/waiting-list", params={"urgency": "urgent"})).text
    assert f"P-{s}-2" in urgent and f"P-{s}-1" not in urgent
    complex_ = (await client.get("/waiting-list", params={"service_level": "complex"})).text
    assert f"P-{s}-2" in complex_ and f"P-{s}-3" not in complex_
    none = await client.get("/waiting-list", params={"service_level": "highly_complex"})
    assert "No waiting packages match." in none.text


async def test_a_package_is_added_through_the_form(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    s = suffix_of(c)
    form = {
        "reference": "NEW-0001",
        "area_code": f"ASHFORD-{s}",
        "postcode": "tn23 1aa",
        "weekly_hours": "10.5",
        "service_level": "standard",
        "urgency": "standard",
        "urgency_reason": "",
        "start_by": (datetime.now(UTC).date() + timedelta(days=7)).isoformat(),
    }
    page = (await client.get("/waiting-list/new")).text
    assert "a pseudonymous reference only: never a name or address" in page.lower()
    response = await post_form(client, "/waiting-list/new", "/waiting-list/new", form)
    assert response.status_code == 303
    listing = (await client.get(response.headers["location"])).text
    assert "Package NEW-0001 is on your waiting list." in listing and "10.50" in listing

    refused = await post_form(
        client, "/waiting-list/new", "/waiting-list/new", {**form, "reference": "Jane Smith"}
    )
    assert refused.status_code == 400
    assert 'href="#reference"' in error_summary(refused.text)
    assert 'value="Jane Smith"' in refused.text
    urgent = await post_form(
        client,
        "/waiting-list/new",
        "/waiting-list/new",
        {**form, "reference": "NEW-2", "urgency": "urgent"},
    )
    assert urgent.status_code == 422
    assert 'href="#urgency_reason"' in error_summary(urgent.text)


async def test_bundles_are_suggested_with_a_map_and_a_link_to_the_cluster_form(
    client: httpx.AsyncClient,
) -> None:
    c = await as_commissioner(client)
    s = suffix_of(c)
    page = await client.get(
        "/waiting-list/bundles",
        params={"area_code": f"ASHFORD-{s}", "max_radius_km": "20", "max_weekly_hours": "60"},
    )
    assert page.status_code == 200
    assert page.text.count('class="bundle-map"') == 1 and '<title id="bundle-1-title">' in page.text
    assert page.text.count('fill="#1d70b8"') == 3  # one circle a package
    assert "packages within" in page.text  # the explanation sentence
    link = re.search(r'href="(/call-offs/new\?kind=cluster[^"]+)"', page.text)
    assert link
    form = (await client.get(link.group(1).replace("&amp;", "&"))).text
    assert form.count("checked") == 3 + 1  # the bundle's packages, and who is invited
    assert 'value="framework" checked' in form
    bad = await client.get(
        "/waiting-list/bundles", params={"max_radius_km": "0", "max_weekly_hours": "60"}
    )
    assert bad.status_code == 400 and 'href="#max_radius_km"' in error_summary(bad.text)
