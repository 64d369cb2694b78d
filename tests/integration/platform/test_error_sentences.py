"""One error vocabulary: every form, sent empty and sent wrong through the whole app, shows every
field's error at once, each a sentence for people; a bid that can never be compliant is refused
at submission, on the page and in the API, and nothing of it is kept (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import httpx

from marketplace.bids.tables import Bid
from marketplace.notifications.tables import OutboxEntry
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    pilot_body,
)
from tests.factories import bearer, make_user
from tests.integration.bids.test_bids import published
from tests.support import csrf_token_in, sign_in

INTERNAL = re.compile(
    r"Expected|msgspec|`|\bpence\b|\bseconds\b|\d{4}-\d{2}-\d{2}T|[a-z]_[a-z]|Invalid"
)
SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)
LINK = re.compile(r'<a href="#([^"]+)">(.*?)</a>', re.S)


def shown_errors(page: str) -> dict[str, str]:
    """The error summary's messages by the field each links to."""
    summary = SUMMARY.search(page)
    assert summary, "the page shows the GOV.UK error summary"
    return {field: html.unescape(text).strip() for field, text in LINK.findall(summary.group(0))}


def assert_sentences(errors: dict[str, str]) -> None:
    assert errors, "at least one error is shown"
    for field, message in errors.items():
        assert not INTERNAL.search(message), f"{field}: {message!r} is not written for people"
        assert message[:1].isupper(), f"{field}: {message!r} is not a sentence"


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    token = csrf_token_in((await client.get(page)).text)
    return await client.post(action, data={"csrf_token": token, **data})


async def test_every_commissioner_form_says_every_error_at_once_in_sentences(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    assert (await sign_in(client, c.officer.email)).status_code == 303
    empty_enablement = await post_form(
        client, "/call-offs/new?kind=enablement", "/call-offs/new", {"kind": "enablement"}
    )
    errors = shown_errors(empty_enablement.text)
    assert_sentences(errors)
    assert {"title", "lot_code", "deadline", "budget", "weeks"} <= set(errors)
    wrong_pilot = await post_form(
        client,
        "/call-offs/new?kind=pilot",
        "/call-offs/new",
        {
            "kind": "pilot",
            "title": "Pilot",
            "lot_code": "NOPE",
            "deadline": "soon",
            "area_code_0": "ASHFORD",
            "area_hours_0": "lots",
            "question_0": "Why?",
            "question_weight_0": "heavy",
            "quality_weight": "101",
            "price_weight": "-1",
        },
    )
    errors = shown_errors(wrong_pilot.text)
    assert_sentences(errors)
    assert {"deadline", "question_weight_0", "price_weight"} <= set(errors)
    empty_cluster = await post_form(
        client, "/call-offs/new?kind=cluster", "/call-offs/new", {"kind": "cluster"}
    )
    assert_sentences(shown_errors(empty_cluster.text))

    for data in ({}, {"weekly_hours": "many", "postcode": "?", "reference": "R" * 300}):
        package = await post_form(client, "/waiting-list/new", "/waiting-list/new", data)
        assert_sentences(shown_errors(package.text))
    bundles = await client.get("/waiting-list/bundles?max_radius_km=far&max_weekly_hours=x")
    assert_sentences(shown_errors(bundles.text))

    for data in ({}, {"provider_id": "x", "kind": "gossip", "occurred_on": "2026-13-45"}):
        record = await post_form(client, "/quality-records/new", "/quality-records/new", data)
        assert_sentences(shown_errors(record.text))

    weights = await post_form(
        client, "/providers/ranking", "/providers/ranking/weights", {"cqc_rating": "lots"}
    )
    assert_sentences(shown_errors(weights.text))
    place = f"/contingency/packages/{c.packages['4']}/place"
    wrong_place = {"hourly_rate": "abc", "weekly_hours": "x", "start_date": "2026-02-31"}
    for data in ({}, wrong_place):
        placed = await post_form(client, place, place, data)
        assert_sentences(shown_errors(placed.text))

    drafted = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    call_off = f"/call-offs/{drafted.json()['id']}"
    for data in ({"deadline": "soon"}, {"deadline": "2020-01-01T09:00"}):
        moved = await post_form(client, call_off, f"{call_off}/deadline", data)
        assert_sentences(shown_errors(moved.text))
    cancelled = await post_form(client, call_off, f"{call_off}/cancel", {})
    assert_sentences(shown_errors(cancelled.text))

    for data in ({}, {"reviewed_on": "31/02/2026", "members": ""}):
        review = await post_form(client, "/providers/ranking", "/providers/ranking/reviews", data)
        errors = shown_errors(review.text)
        assert_sentences(errors)
        assert {"reviewed_on", "members"} <= set(errors)


async def test_the_bid_form_says_every_error_at_once_in_sentences(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care", areas=("ASHFORD", "CANTERBURY"))
    enablement = await published(client, c, enablement_body(c))
    cluster = await published(
        client, c, cluster_body(c, package_ids=[str(c.packages["2"]), str(c.packages["3"])])
    )
    pilot = await published(client, c, pilot_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303

    async def bid(call_off_id: str, data: dict[str, Any]) -> httpx.Response:
        page = f"/opportunities/{call_off_id}/bid"
        return await post_form(client, page, page, data)

    empty = shown_errors((await bid(enablement, {})).text)
    assert_sentences(empty)
    assert set(empty) == {"hourly_rate", "accepts_enablement_budget"}
    empty = shown_errors((await bid(cluster, {})).text)
    assert_sentences(empty)
    assert set(empty) == {"hourly_rate", "mobilisation_date"}
    wrong = {
        "hourly_rate": "twenty",
        "mobilisation_date-day": "31",
        "mobilisation_date-month": "2",
        "mobilisation_date-year": "2027",
    }
    assert_sentences(shown_errors((await bid(cluster, wrong)).text))
    assert_sentences(shown_errors((await bid(pilot, {})).text))
    areas = {"areas": ["x"], "area_rate_0": "1.999", "area_rate_1": "abc"}
    assert_sentences(shown_errors((await bid(pilot, areas)).text))
    for data in ({}, {"reason": "bored"}):
        opportunity = f"/opportunities/{enablement}"
        declined = await post_form(client, opportunity, f"{opportunity}/decline", data)
        assert_sentences(shown_errors(declined.text))
    assert await Bid.count() == 0


async def test_a_bid_above_the_maximum_is_refused_on_the_page_with_nothing_kept(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    user, _ = await make_user(provider.id, "provider")
    assert (await sign_in(client, user.email)).status_code == 303
    page = f"/opportunities/{call_off_id}/bid"
    response = await post_form(
        client, page, page, {"hourly_rate": "30.00", "accepts_enablement_budget": "yes"}
    )
    errors = shown_errors(response.text)
    assert_sentences(errors)
    assert "£24.00 or less" in errors["hourly_rate"] and "£30.00" in errors["hourly_rate"]
    assert 'id="hourly_rate-error"' in response.text, "the error is shown on the field too"
    assert await Bid.count() == 0
    assert not await OutboxEntry.exists().where(OutboxEntry.payload.like("%bid_receipt%"))


async def test_a_bid_that_can_never_be_compliant_is_refused_by_the_api_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care", areas=("ASHFORD", "CANTERBURY"))
    enablement = await published(client, c, enablement_body(c))
    cluster = await published(
        client, c, cluster_body(c, package_ids=[str(c.packages["2"]), str(c.packages["3"])])
    )
    pilot = await published(client, c, pilot_body(c, envelope_weekly_pence=100_000))

    async def put(call_off_id: str, body: dict[str, Any]) -> httpx.Response:
        return await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=body, headers=bearer(token)
        )

    above = await put(enablement, {"hourly_rate_pence": 3000, "accepts_enablement_budget": True})
    assert above.status_code == 422
    assert above.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in above.json()["errors"]] == [
        ("hourly_rate_pence", "above_max_rate"),
        ("hourly_rate_pence", "outside_envelope"),
    ]
    assert "£24.00" in above.json()["errors"][0]["message"]
    today = date.today()
    for offered, code in (
        (date(2020, 3, 2), "mobilisation_in_past"),
        (today - timedelta(days=1), "mobilisation_in_past"),
        (today + timedelta(days=11), "mobilisation_after_latest_start"),
    ):
        late = await put(cluster, {"hourly_rate_pence": 1900, "mobilisation_date": str(offered)})
        assert late.status_code == 422, late.text
        assert [(e["field"], e["code"]) for e in late.json()["errors"]] == [
            ("mobilisation_date", code)
        ]
        assert not INTERNAL.search(late.json()["errors"][0]["message"])
    elsewhere = await put(
        pilot,
        {"areas": [{"area_code": "DOVER", "hourly_rate_pence": 1900, "answers": {}}]},
    )
    assert elsewhere.status_code == 422
    assert "areas[0].area_code" in [e["field"] for e in elsewhere.json()["errors"]]
    assert await Bid.count() == 0
    assert not await OutboxEntry.exists().where(OutboxEntry.payload.like("%bid_receipt%"))
    fine = await put(cluster, {"hourly_rate_pence": 1900, "mobilisation_date": str(today)})
    assert fine.status_code == 201, fine.text


async def test_the_api_says_what_msgspec_refuses_in_sentences_with_codes(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    response = await client.post(
        "/api/v1/call-offs",
        json={**enablement_body(c), "enablement": {"budget_pence": 0, "weeks": 9, "outcomes": []}},
        headers=bearer(c.token),
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"] and all(
        {"field", "code", "message"} <= set(e) for e in problem["errors"]
    )
    for error in problem["errors"]:
        assert not INTERNAL.search(error["message"]), error
    assert not INTERNAL.search(problem["detail"])


def errors_by_field(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    for error in problem["errors"]:
        assert {"field", "code", "message"} <= set(error)
        assert not INTERNAL.search(error["message"]), error
        assert error["message"][:1].isupper(), error
    assert not INTERNAL.search(problem["detail"])
    return {error["field"]: error["code"] for error in problem["errors"]}


async def test_a_bid_body_with_several_wrong_fields_is_refused_naming_every_one(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    cluster = await published(client, c, cluster_body(c))
    wrong = {
        "hourly_rate_pence": "2500",  # a string is not a number, however it reads
        "mobilisation_date": 20261201,
        "notes": ["two", "carers"],
        "colour": "red",
    }
    response = await client.put(
        f"/api/v1/call-offs/{cluster}/bid", json=wrong, headers=bearer(token)
    )
    assert errors_by_field(response) == {
        "hourly_rate_pence": "not_a_number",
        "mobilisation_date": "not_a_date",
        "notes": "wrong_type",
        "colour": "unknown_field",
    }
    assert await Bid.count() == 0
    whole = {"hourly_rate_pence": 1900.0, "mobilisation_date": str(date.today())}
    accepted = await client.put(
        f"/api/v1/call-offs/{cluster}/bid", json=whole, headers=bearer(token)
    )
    assert accepted.status_code == 201, "a whole number written with a fraction is still taken"


async def test_a_call_off_body_with_several_wrong_fields_is_refused_naming_every_one(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    body = {
        **enablement_body(c),
        "max_hourly_rate_pence": "2400",
        "deadline": "next Tuesday",
        "min_bids": 0,
        "enablement": {"budget_pence": "100", "weeks": 9, "outcomes": []},
    }
    response = await client.post("/api/v1/call-offs", json=body, headers=bearer(c.token))
    fields = errors_by_field(response)
    assert set(fields) == {
        "max_hourly_rate_pence",
        "deadline",
        "min_bids",
        "enablement.budget_pence",
        "enablement.weeks",
        "enablement.outcomes",
    }
    assert fields["max_hourly_rate_pence"] == "not_a_number"
    listed = await client.get("/api/v1/call-offs", headers=bearer(c.token))
    assert listed.json()["items"] == [], "nothing is drafted"
