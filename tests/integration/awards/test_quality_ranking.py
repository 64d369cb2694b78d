"""The provider quality ranking from recorded events only, on SQLite and PostgreSQL: each
commissioner's weights (versioned, adding up to 100), the factors that have no records, the tender
score at admission, invitations answered and declined once their deadline passed, the ranking
page, and the panel's reviews freezing dated snapshots."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from marketplace.admissions.applications import apply
from marketplace.admissions.decisions import decide
from marketplace.admissions.schemas import AdmissionCreate, AdmissionDecision
from marketplace.audit.tables import AuditEvent
from marketplace.awards.engine.quality import DEFAULT_QUALITY_WEIGHTS
from marketplace.awards.tables import ProviderQuality
from tests.call_off_fixtures import (
    admitted_provider,
    commissioning,
    enablement_body,
    suffix_of,
)
from tests.factories import bearer, make_organisation, make_user, principal_of
from tests.integration.awards.test_awards import accepted, bid, close, evaluation
from tests.integration.bids.test_bids import published
from tests.support import csrf_token_in, sign_in

EVEN = {
    "cqc_rating": 10,
    "response_rate": 10,
    "hand_backs": 10,
    "late_starts": 10,
    "quality_monitoring": 10,
    "tender_score": 10,
    "turn_downs": 10,
    "safeguarding": 10,
    "complaints": 10,
    "compliments": 10,
}


async def put_weights(client: Any, token: str, weights: dict[str, int], **extra: Any) -> Any:
    return await client.put(
        "/api/v1/quality-weights", json={"weights": weights, **extra}, headers=bearer(token)
    )


async def ranking(client: Any, token: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/v1/providers/ranking", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {entry["name"]: entry for entry in response.json()}


def factor(entry: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in entry["factors"] if f["name"] == name)


async def test_the_defaults_rank_as_before_and_say_which_factors_have_no_records(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care", cqc_rating="good")
    weights = await client.get("/api/v1/quality-weights", headers=bearer(c.token))
    assert weights.status_code == 200
    assert weights.json()["in_force"] == {
        "version": 0,
        "weights": dict(DEFAULT_QUALITY_WEIGHTS),
        "changed_at": None,
        "changed_by": None,
        "note": None,
    }
    assert weights.json()["history"] == []
    oakleaf = (await ranking(client, c.token))["Oakleaf Home Care"]
    # good 75; no invitation closed 50; hand-backs and late starts 100; no visit 50
    assert oakleaf["score"] == "72.50"  # (40 * 75 + 20 * 50 + 15 * 100 + 10 * 100 + 15 * 50) / 100
    unrecorded = {f["name"] for f in oakleaf["factors"] if not f["recorded"]}
    assert unrecorded == set(DEFAULT_QUALITY_WEIGHTS) - {"cqc_rating"}
    assert factor(oakleaf, "hand_backs")["explanation"] == (
        "no records yet (no awarded care recorded in the last 6 months), neutral value: 100.00"
    )


async def test_weights_that_do_not_add_up_to_100_are_refused_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    short = await put_weights(client, c.token, {**EVEN, "compliments": 7})
    assert short.status_code == 422
    assert short.json()["errors"] == [
        {
            "field": "weights",
            "code": "invalid",
            "message": "The weights add up to 97: they must add up to 100",
        }
    ]
    over = await put_weights(client, c.token, {**EVEN, "cqc_rating": 101})
    assert over.status_code == 400
    assert [(e["field"], e["code"]) for e in over.json()["errors"]] == [
        ("weights.cqc_rating", "too_large")
    ]
    assert over.json()["detail"] == "The weight of the CQC rating must be 100 or less."
    negative = await put_weights(client, c.token, {**EVEN, "turn_downs": -1})
    assert negative.status_code == 400
    assert [e["field"] for e in negative.json()["errors"]] == ["weights.turn_downs"]
    missing = dict(EVEN)
    del missing["safeguarding"]
    absent = await put_weights(client, c.token, missing)
    assert absent.status_code == 400 and "safeguarding" in absent.json()["detail"]
    unknown = await put_weights(client, c.token, {**EVEN, "price": 0})
    assert unknown.status_code == 400 and "price" in unknown.json()["detail"]
    fractional = await put_weights(client, c.token, {**EVEN, "cqc_rating": 10.5})
    assert fractional.status_code == 400
    assert (await client.get("/api/v1/quality-weights", headers=bearer(c.token))).json()[
        "history"
    ] == []


async def test_every_change_of_weights_is_a_version_with_who_and_when_and_reranks(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care", cqc_rating="outstanding")
    only_cqc = {**dict.fromkeys(EVEN, 0), "cqc_rating": 100}
    first = await put_weights(client, c.token, only_cqc, note="CQC alone for now")
    assert first.status_code == 200, first.text
    assert first.json()["in_force"]["version"] == 1
    assert first.json()["in_force"]["changed_by"] == c.officer.email
    kept = await ProviderQuality.select().where(ProviderQuality.provider == provider.id).first()
    assert str(kept["score"]) in ("100", "100.00"), "recomputed with the new weights"
    assert (await ranking(client, c.token))["Oakleaf Home Care"]["score"] == "100.00"

    second = await put_weights(client, c.token, EVEN)
    assert [v["version"] for v in second.json()["history"]] == [2, 1]
    assert second.json()["in_force"]["weights"] == EVEN
    assert second.json()["history"][1]["note"] == "CQC alone for now"
    assert (await ranking(client, c.token))["Oakleaf Home Care"]["score"] == "80.00"
    # outstanding 100, then 50, 100, 100, 50, 50, 100, 100, 100, 50: 800 / 10
    assert await AuditEvent.count().where(AuditEvent.action == "change_quality_weights") == 2

    other = await commissioning("Dorset Council")
    theirs = await client.get("/api/v1/quality-weights", headers=bearer(other.token))
    assert theirs.json()["in_force"]["version"] == 0, "weights are each commissioner's own"
    _, provider_token = await make_user(provider.id, "provider")
    assert (
        await client.get("/api/v1/quality-weights", headers=bearer(provider_token))
    ).status_code == 403
    assert (await put_weights(client, provider_token, EVEN)).status_code == 403


async def test_the_tender_score_is_recorded_when_approving(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    provider = await make_organisation("provider", name="Oakleaf Home Care")
    user, _ = await make_user(provider.id, "provider")
    applied = await apply(
        principal_of(user, provider),
        AdmissionCreate(
            lot_code="CSH", area_codes=[f"ASHFORD-{suffix_of(c)}"], accepts_maximum_prices=True
        ),
    )
    path = f"/api/v1/admissions/{applied.id}/decision"
    refused = await client.post(
        path,
        json={"decision": "reject", "reason": "no", "tender_score": 40},
        headers=bearer(c.token),
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "tender_score"
    out_of_range = await client.post(
        path, json={"decision": "approve", "tender_score": 101}, headers=bearer(c.token)
    )
    assert out_of_range.status_code == 400
    [error] = out_of_range.json()["errors"]
    assert (error["field"], error["code"]) == ("tender_score", "too_large")
    assert error["message"] == "The tender score must be 100 or less"
    approved = await client.post(
        path, json={"decision": "approve", "tender_score": 64}, headers=bearer(c.token)
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["tender_score"] == 64
    await put_weights(client, c.token, {**dict.fromkeys(EVEN, 0), "tender_score": 100})
    oakleaf = (await ranking(client, c.token))["Oakleaf Home Care"]
    assert oakleaf["score"] == "64.00"
    assert factor(oakleaf, "tender_score")["explanation"] == "tender evaluation score 64: 64.00"


async def test_answers_and_declines_count_once_the_deadline_has_passed(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    _, birch = await admitted_provider(c, "Birch Care")
    await admitted_provider(c, "Cedar Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    declined = await client.post(
        f"/api/v1/call-offs/{call_off_id}/decline",
        json={"reason": "no_capacity"},
        headers=bearer(birch),
    )
    assert declined.status_code == 201
    before = await ranking(client, c.token)
    assert all(not factor(e, "turn_downs")["recorded"] for e in before.values()), (
        "nothing of a live call-off's answers shows before its deadline"
    )
    assert {factor(e, "response_rate")["score"] for e in before.values()} == {"50.00"}

    await close(call_off_id)
    after = await ranking(client, c.token)
    assert factor(after["Oakleaf Home Care"], "response_rate")["score"] == "100.00"
    assert factor(after["Birch Care"], "response_rate")["score"] == "100.00"
    assert factor(after["Cedar Care"], "response_rate")["score"] == "0.00"
    assert factor(after["Birch Care"], "turn_downs")["explanation"] == (
        "declined 1 of 1 invitation in the last 6 months: 0.00"
    )
    assert factor(after["Oakleaf Home Care"], "turn_downs")["score"] == "100.00"

    found = await evaluation(client, c, call_off_id)
    [item] = found["items"]
    breakdown = {f["name"]: f for f in item["quality"]}
    assert breakdown["quality_monitoring"]["recorded"] is False
    assert sum(f["weight"] for f in item["quality"]) == 100
    assert (await sign_in(client, c.officer.email)).status_code == 303
    page = await client.get(f"/call-offs/{call_off_id}/evaluation")
    assert "Quality rank breakdown" in page.text and "No records yet" in page.text
    assert "Turn-downs</strong> (weight 0)" in page.text


async def test_a_review_freezes_the_ranking_and_sets_the_next_due_date(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care", cqc_rating="good")
    await admitted_provider(c, "Birch Care", cqc_rating="outstanding")
    none_yet = await client.get("/api/v1/providers/ranking/reviews", headers=bearer(c.token))
    assert none_yet.json() == {
        "next_review": {"due_on": None, "overdue": True, "words": "No review yet: one is due now"},
        "items": [],
    }
    reviewed_on = date.today() - timedelta(days=1)
    body = {
        "reviewed_on": reviewed_on.isoformat(),
        "members": ["A. Brown, Operations", "C. Davis, Brokerage", "E. Ford, Quality"],
        "note": "Birch stays first.",
    }
    created = await client.post(
        "/api/v1/providers/ranking/reviews", json=body, headers=bearer(c.token)
    )
    assert created.status_code == 201, created.text
    review = created.json()
    assert [(e["rank"], e["name"], e["score"]) for e in review["entries"]] == [
        (1, "Birch Care", "82.50"),
        (2, "Oakleaf Home Care", "72.50"),
    ]
    assert review["weights_version"] == 0 and len(review["entries"][0]["factors"]) == 10

    # Later changes do not move the snapshot.
    await put_weights(client, c.token, {**dict.fromkeys(EVEN, 0), "compliments": 100})
    frozen = await client.get(
        f"/api/v1/providers/ranking/reviews/{review['id']}", headers=bearer(c.token)
    )
    assert frozen.json()["entries"] == review["entries"]
    listed = (await client.get("/api/v1/providers/ranking/reviews", headers=bearer(c.token))).json()
    assert listed["items"][0]["providers"] == 2
    due = listed["next_review"]
    assert due["overdue"] is False and due["due_on"] > reviewed_on.isoformat()
    assert await AuditEvent.exists().where(AuditEvent.action == "record_ranking_review")

    other = await commissioning("Dorset Council")
    path = f"/api/v1/providers/ranking/reviews/{review['id']}"
    assert (await client.get(path, headers=bearer(other.token))).status_code == 404
    future = {**body, "reviewed_on": (date.today() + timedelta(days=2)).isoformat()}
    ahead = await client.post(
        "/api/v1/providers/ranking/reviews", json=future, headers=bearer(c.token)
    )
    assert ahead.status_code == 422 and ahead.json()["errors"][0]["field"] == "reviewed_on"
    nobody = await client.post(
        "/api/v1/providers/ranking/reviews", json={**body, "members": []}, headers=bearer(c.token)
    )
    assert nobody.status_code == 400 and "members" in nobody.json()["detail"]


async def test_the_ranking_page_shows_the_breakdown_the_weights_and_the_reviews(
    client: httpx.AsyncClient,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care", cqc_rating="good")
    assert (await sign_in(client, c.officer.email)).status_code == 303
    page = await client.get("/providers/ranking")
    assert page.status_code == 200
    assert "Oakleaf Home Care" in page.text and "72.50" in page.text
    assert "No records yet" in page.text and "No review yet: one is due now" in page.text
    assert "The defaults: you have not changed them." in page.text

    weights_page = await client.get("/providers/ranking/weights")
    token = csrf_token_in(weights_page.text)
    wrong = await client.post(
        "/providers/ranking/weights", data={"csrf_token": token, **{k: "9" for k in EVEN}}
    )
    assert wrong.status_code == 422
    assert "govuk-error-summary" in wrong.text and 'href="#weights"' in wrong.text
    assert "The weights add up to 90: they must add up to 100" in wrong.text
    not_a_number = await client.post(
        "/providers/ranking/weights",
        data={"csrf_token": token, **{k: str(v) for k, v in EVEN.items()}, "complaints": "x"},
    )
    assert not_a_number.status_code == 400 and 'href="#complaints"' in not_a_number.text
    saved = await client.post(
        "/providers/ranking/weights",
        data={"csrf_token": token, **{k: str(v) for k, v in EVEN.items()}, "note": "Even"},
    )
    assert saved.status_code == 303
    history = await client.get("/providers/ranking/weights")
    assert 'id="weights-history"' in history.text and "In force" in history.text

    review = await client.post(
        "/providers/ranking/reviews",
        data={
            "csrf_token": token,
            "reviewed_on": date.today().isoformat(),
            "members": "A. Brown, Operations\nC. Davis, Brokerage",
            "note": "",
        },
    )
    assert review.status_code == 303
    snapshot = await client.get(review.headers["location"])
    assert "A. Brown, Operations" in snapshot.text and "Oakleaf Home Care" in snapshot.text
    ranked = await client.get("/providers/ranking")
    assert "Due on" in ranked.text and "The ranking as reviewed" in ranked.text
    blank = await client.post(
        "/providers/ranking/reviews",
        data={"csrf_token": token, "reviewed_on": date.today().isoformat(), "members": ""},
    )
    assert blank.status_code == 400 and 'href="#members"' in blank.text


async def test_a_tender_score_recorded_through_the_service_reranks(db: str) -> None:
    c = await commissioning()
    provider = await make_organisation("provider", name="Oakleaf Home Care")
    user, _ = await make_user(provider.id, "provider")
    applied = await apply(
        principal_of(user, provider),
        AdmissionCreate(
            lot_code="CSH", area_codes=[f"ASHFORD-{suffix_of(c)}"], accepts_maximum_prices=True
        ),
    )
    await decide(c.officer, applied.id, AdmissionDecision(decision="approve", tender_score=88))
    kept = await ProviderQuality.select().where(ProviderQuality.provider == provider.id).first()
    assert kept is not None and "tender evaluation score 88" in kept["factors"]
