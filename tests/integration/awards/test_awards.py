"""Evaluation and award end to end through the API, on SQLite and PostgreSQL: each kind from
publication to conclusion, the gates re-checked at confirmation, departures, abnormally low rates,
no award, notices in order, the standstill and the archived award report."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from marketplace.archive.s3_store import s3_client
from marketplace.archive.service import document_content, read_document
from marketplace.archive.tables import Document
from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.conclusion import conclude_due_awards, send_award_notice
from marketplace.awards.engine.standstill import standstill_ends_at
from marketplace.awards.tables import Award
from marketplace.care.tables import AwardedCare
from marketplace.config import get_settings, reset_settings
from marketplace.notifications.relay import run_due_in_process
from marketplace.notifications.tables import OutboxEntry
from marketplace.tenders.tables import Package
from tests.call_off_fixtures import (
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    pilot_body,
    suffix_of,
)
from tests.factories import bearer, make_organisation, make_user, rate_provider
from tests.integration.archive.test_archive import backend, use_s3  # noqa: F401 (fixture)
from tests.integration.bids.test_bids import pass_the_deadline, published
from tests.support_mail import Sink


async def bid(client: Any, call_off_id: str, token: str, body: dict[str, Any]) -> None:
    response = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid", json=body, headers=bearer(token)
    )
    assert response.status_code == 201, response.text


async def close(call_off_id: str) -> None:
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1


async def status_of(client: Any, c: Any, call_off_id: str) -> str:
    response = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    return str(response.json()["status"])


async def evaluation(client: Any, c: Any, call_off_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/call-offs/{call_off_id}/evaluation", headers=bearer(c.token)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def by_provider(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [item] = [item for item in items if item["provider_name"] == name]
    return item


async def award(client: Any, c: Any, call_off_id: str, body: dict[str, Any] | None = None) -> Any:
    return await client.post(
        f"/api/v1/call-offs/{call_off_id}/award", json=body or {}, headers=bearer(c.token)
    )


def accepted(rate: int) -> dict[str, Any]:
    return {"hourly_rate_pence": rate, "accepts_enablement_budget": True}


async def test_an_enablement_request_is_awarded_to_the_lowest_compliant_rate(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    _, birch = await admitted_provider(c, "Birch Care")
    _, cedar = await admitted_provider(c, "Cedar Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await bid(client, call_off_id, birch, accepted(1850))
    await bid(
        client, call_off_id, cedar, {"hourly_rate_pence": 1800, "accepts_enablement_budget": False}
    )
    before = await client.get(
        f"/api/v1/call-offs/{call_off_id}/evaluation", headers=bearer(c.token)
    )
    assert before.status_code == 409, "nothing to evaluate before the bids are opened"
    await close(call_off_id)
    assert await status_of(client, c, call_off_id) == "evaluated"

    found = await evaluation(client, c, call_off_id)
    assert found["complete"] is True and found["compliant_bids"] == 2
    ranked = [(i["provider_name"], i["rank"], i["winner"]) for i in found["items"]]
    assert ranked == [
        ("Birch Care", 1, True),
        ("Oakleaf Home Care", 2, False),
        ("Cedar Care", None, False),
    ]
    cedar_item = by_provider(found["items"], "Cedar Care")
    assert "has not accepted the enablement budget" in cedar_item["reason"]
    assert (
        "£0.50/h above the winning rate of £18.50/h"
        in by_provider(found["items"], "Oakleaf Home Care")["reason"]
    )
    assert by_provider(found["items"], "Birch Care")["figures"]["weekly_cost_pence"] == 18500
    assert {f["name"] for f in found["items"][0]["quality"]} >= {"cqc_rating", "response_rate"}

    pending = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(oakleaf))
    assert pending.json()["outcome"] == "pending" and pending.json()["winning_figures"] is None
    await run_due_in_process()
    sink.messages.clear()

    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "awarded" and body["departed"] is False
    [line] = body["awards"]
    assert line["provider_name"] == "Birch Care" and line["hourly_rate_pence"] == 1850
    confirmed_at = datetime.fromisoformat(body["confirmed_at"])
    assert datetime.fromisoformat(body["standstill_ends_at"]) == standstill_ends_at(
        confirmed_at, 8, ZoneInfo("Europe/London")
    )
    again = await award(client, c, call_off_id)
    assert again.status_code == 409 and "awarded" in again.json()["detail"]

    await run_due_in_process()
    subjects = [m["Subject"] for m in sink.messages]
    summaries = [s for s in subjects if s.startswith("Assessment of your bid")]
    assert len(summaries) == 3, "every assessed bidder, the excluded one too"
    notices = [i for i, s in enumerate(subjects) if s.startswith("Award notice")]
    assert len(notices) == 1 and notices[0] > max(
        i for i, s in enumerate(subjects) if s.startswith("Assessment")
    ), "the award notice comes after every assessment summary"
    oakleaf_mail = next(
        m.get_payload(0).get_payload(decode=True).decode()
        for m in sink.messages
        if m["Subject"].startswith("Assessment") and "Unsuccessful" in m.as_string()
    )
    assert "Your rank: 2" in oakleaf_mail and "Winning hourly rate: £18.50/h" in oakleaf_mail

    outcome = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(oakleaf))
    assert outcome.json()["outcome"] == "unsuccessful" and outcome.json()["rank"] == 2
    assert outcome.json()["winning_figures"]["hourly_rate_pence"] == 1850
    assert outcome.json()["your_figures"]["hourly_rate_pence"] == 1900
    winner = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(birch))
    assert winner.json()["outcome"] == "awarded"
    excluded = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(cedar))
    assert excluded.json()["outcome"] == "excluded"

    link = await read_document(c.officer, body["report_document_id"])
    query = dict(part.split("=") for part in link.split("?", 1)[1].split("&"))
    report = await document_content(
        body["report_document_id"], int(query["expires"]), query["signature"]
    )
    rows = list(csv.DictReader(io.StringIO(report.content.decode())))
    assert [(r["provider"], r["rank"], r["awarded"]) for r in rows] == [
        ("Birch Care", "1", "yes"),
        ("Oakleaf Home Care", "2", "no"),
        ("Cedar Care", "", "no"),
    ]

    await Award.update(
        {Award.standstill_ends_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
    )
    assert await conclude_due_awards() == 1
    assert await status_of(client, c, call_off_id) == "concluded"
    care = await AwardedCare.select().first()
    assert care["hourly_rate_pence"] == 1850 and care["package"] == c.packages["1"]
    package = await Package.select(Package.status).where(Package.id == c.packages["1"]).first()
    assert package["status"] == "awarded"
    await run_due_in_process()
    assert any(m["Subject"].startswith("Award concluded") for m in sink.messages)
    assert await conclude_due_awards() == 0


async def test_a_cluster_goes_to_the_quickest_mobilisation_and_concludes_without_standstill(
    client: Any,
) -> None:
    c = await commissioning()
    _, slow = await admitted_provider(c, "Slow Start Care")
    _, quick = await admitted_provider(c, "Quick Start Care")
    _, late = await admitted_provider(c, "Too Late Care")
    call_off_id = await published(client, c, cluster_body(c, standstill_working_days=0))
    today = date.today()
    await bid(
        client,
        call_off_id,
        slow,
        {"hourly_rate_pence": 1900, "mobilisation_date": str(today + timedelta(days=5))},
    )
    await bid(
        client,
        call_off_id,
        quick,
        {"hourly_rate_pence": 2000, "mobilisation_date": str(today + timedelta(days=3))},
    )
    too_late = await client.put(
        f"/api/v1/call-offs/{call_off_id}/bid",
        json={"hourly_rate_pence": 1800, "mobilisation_date": str(today + timedelta(days=12))},
        headers=bearer(late),
    )
    assert too_late.status_code == 422, "a start after the latest start is refused at submission"
    assert [e["code"] for e in too_late.json()["errors"]] == ["mobilisation_after_latest_start"]
    await close(call_off_id)
    found = await evaluation(client, c, call_off_id)
    assert [i["provider_name"] for i in found["items"]] == ["Quick Start Care", "Slow Start Care"]
    assert "mobilises 2 days later than the winner" in found["items"][1]["reason"]

    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["awards"][0]["mobilisation_date"] == str(today + timedelta(days=3))
    await run_due_in_process()
    assert await status_of(client, c, call_off_id) == "concluded"
    cares = await AwardedCare.select(AwardedCare.promised_mobilisation_date)
    assert len(cares) == 3
    assert {care["promised_mobilisation_date"] for care in cares} == {today + timedelta(days=3)}


async def test_a_pilot_is_scored_and_assigned_one_area_per_provider(client: Any) -> None:
    c = await commissioning()
    s = suffix_of(c)
    ashford, canterbury = f"ASHFORD-{s}", f"CANTERBURY-{s}"
    _, alder = await admitted_provider(c, "Alder Care", areas=("ASHFORD", "CANTERBURY"))
    _, beech = await admitted_provider(c, "Beech Care", areas=("ASHFORD", "CANTERBURY"))
    _, cherry = await admitted_provider(c, "Cherry Care", areas=("ASHFORD",))
    call_off_id = await published(client, c, pilot_body(c))
    answers = {"q1": "Local recruitment", "q2": "Outcome stars"}

    def offer(code: str, rate: int) -> dict[str, Any]:
        return {"area_code": code, "hourly_rate_pence": rate, "answers": answers}

    await bid(
        client, call_off_id, alder, {"areas": [offer(ashford, 2000), offer(canterbury, 2100)]}
    )
    await bid(
        client, call_off_id, beech, {"areas": [offer(ashford, 1900), offer(canterbury, 2200)]}
    )
    await bid(client, call_off_id, cherry, {"areas": [offer(ashford, 2300)]})
    await close(call_off_id)
    found = await evaluation(client, c, call_off_id)
    assert found["complete"] is False
    assert all(i["rank"] is None for i in found["items"])
    early = await award(client, c, call_off_id)
    assert early.status_code == 409 and "scores" in early.json()["detail"]

    marks = {"Alder Care": 90, "Beech Care": 70, "Cherry Care": 40}
    for item in found["items"]:
        response = await client.put(
            f"/api/v1/call-offs/{call_off_id}/scores",
            json={
                "bid_id": item["bid_id"],
                "area_code": item["area_code"],
                "scores": {"q1": marks[item["provider_name"]], "q2": marks[item["provider_name"]]},
            },
            headers=bearer(c.token),
        )
        assert response.status_code == 200, response.text
    wrong = await client.put(
        f"/api/v1/call-offs/{call_off_id}/scores",
        json={"bid_id": found["items"][0]["bid_id"], "area_code": ashford, "scores": {"q1": 101}},
        headers=bearer(c.token),
    )
    assert wrong.status_code == 400 and "scores" in wrong.text
    missing = await client.put(
        f"/api/v1/call-offs/{call_off_id}/scores",
        json={"bid_id": found["items"][0]["bid_id"], "area_code": ashford, "scores": {"q1": 50}},
        headers=bearer(c.token),
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "scores.q2"

    scored = await evaluation(client, c, call_off_id)
    assert scored["complete"] is True
    winners = {(i["area_code"], i["provider_name"]) for i in scored["items"] if i["winner"]}
    # Alder in Ashford (92.00) + Beech in Canterbury (80.18) = 172.18 loses to
    # Alder in Canterbury (94.00) + Beech in Ashford (82.00) = 176.00.
    assert winners == {(canterbury, "Alder Care"), (ashford, "Beech Care")}
    alder_ashford = next(
        i
        for i in scored["items"]
        if i["area_code"] == ashford and i["provider_name"] == "Alder Care"
    )
    assert alder_ashford["figures"]["total_score"] == "92.00" and alder_ashford["rank"] == 1
    cherry_item = by_provider(scored["items"], "Cherry Care")
    assert cherry_item["compliant"] is False and "below the minimum of 50%" in cherry_item["reason"]

    bids_ids = await award(client, c, call_off_id, {"bid_ids": [alder_ashford["bid_id"]]})
    assert bids_ids.status_code == 422 and bids_ids.json()["errors"][0]["field"] == "bid_ids"
    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    lines = {(line["area_code"], line["provider_name"]) for line in confirmed.json()["awards"]}
    assert lines == winners
    # The assessment summaries name the areas as people know them, not by their codes.
    summaries = [
        json.loads(row["payload"])["context"]
        for row in await OutboxEntry.select(OutboxEntry.payload)
        if '"assessment_summary"' in row["payload"]
    ]
    assert {line["area_name"] for context in summaries for line in context["lines"]} == {
        "Ashford",
        "Canterbury",
    }
    outcome = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(alder))
    assert outcome.json()["outcome"] == "awarded"
    assert {a["area_code"]: a["outcome"] for a in outcome.json()["areas"]} == {
        ashford: "unsuccessful",
        canterbury: "awarded",
    }
    await Award.update(
        {Award.standstill_ends_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
    )
    assert await conclude_due_awards() == 1
    assert await status_of(client, c, call_off_id) == "concluded"
    # A pilot buys hours in areas, not packages: each area becomes care of its own.
    cares = await AwardedCare.select(
        AwardedCare.area.code.as_alias("area_code"),
        AwardedCare.package,
        AwardedCare.weekly_hours,
        AwardedCare.status,
    )
    assert {(care["area_code"], Decimal(care["weekly_hours"])) for care in cares} == {
        (ashford, Decimal(200)),
        (canterbury, Decimal(150)),
    }
    assert all(care["package"] is None and care["status"] == "awaiting_start" for care in cares)


async def test_a_winner_whose_rating_drops_before_confirmation_is_replaced_by_the_next_bid(
    client: Any,
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    birch_org, birch = await admitted_provider(c, "Birch Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await bid(client, call_off_id, birch, accepted(1850))
    await close(call_off_id)
    assert by_provider((await evaluation(client, c, call_off_id))["items"], "Birch Care")["winner"]
    await rate_provider(birch_org.id, "inadequate")

    refused = await award(client, c, call_off_id)
    assert refused.status_code == 409
    assert "Birch Care now fails the gates" in refused.json()["detail"]
    assert "Oakleaf Home Care" in refused.json()["detail"]
    assert await status_of(client, c, call_off_id) == "evaluated"
    found = await evaluation(client, c, call_off_id)
    assert by_provider(found["items"], "Oakleaf Home Care")["winner"] is True
    birch_item = by_provider(found["items"], "Birch Care")
    assert birch_item["compliant"] is False and "inadequate" in birch_item["reason"]

    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["awards"][0]["provider_name"] == "Oakleaf Home Care"


async def test_departing_from_the_computed_award_needs_a_reason_and_is_recorded(
    client: Any,
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    _, birch = await admitted_provider(c, "Birch Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await bid(client, call_off_id, birch, accepted(1850))
    await close(call_off_id)
    oakleaf_bid = by_provider(
        (await evaluation(client, c, call_off_id))["items"], "Oakleaf Home Care"
    )
    bare = await award(client, c, call_off_id, {"bid_ids": [oakleaf_bid["bid_id"]]})
    assert bare.status_code == 422 and bare.json()["errors"][0]["field"] == "reason"
    departed = await award(
        client,
        c,
        call_off_id,
        {"bid_ids": [oakleaf_bid["bid_id"]], "reason": "Birch Care has no carers who drive"},
    )
    assert departed.status_code == 200, departed.text
    assert departed.json()["departed"] is True
    assert departed.json()["awards"][0]["provider_name"] == "Oakleaf Home Care"
    event = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "confirm_award")
        .first()
    )
    assert "no carers who drive" in event["details"]


async def test_an_abnormally_low_winner_needs_the_commissioners_check(client: Any) -> None:
    c = await commissioning()
    tokens = [(await admitted_provider(c, name))[1] for name in ("Low", "Mid", "High")]
    call_off_id = await published(client, c, enablement_body(c))
    for token, rate in zip(tokens, (1000, 1900, 1950), strict=True):
        await bid(client, call_off_id, token, accepted(rate))
    await close(call_off_id)
    low = by_provider((await evaluation(client, c, call_off_id))["items"], "Low")
    assert low["winner"] and low["flags"] == ["abnormally_low"]
    unchecked = await award(client, c, call_off_id)
    assert unchecked.status_code == 422
    assert unchecked.json()["errors"][0]["field"] == "abnormally_low_checked"
    assert "£10.00/h is abnormally low" in unchecked.json()["detail"]
    checked = await award(client, c, call_off_id, {"abnormally_low_checked": True})
    assert checked.status_code == 200, checked.text


async def test_without_a_compliant_bid_the_packages_go_to_contingency(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Dear Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(
        client, call_off_id, token, {"hourly_rate_pence": 1900, "accepts_enablement_budget": False}
    )
    await close(call_off_id)
    assert await status_of(client, c, call_off_id) == "no_award"
    package = await Package.select().where(Package.id == c.packages["1"]).first()
    assert package["status"] == "waiting" and package["contingency_since"] is not None
    listed = await client.get(f"/api/v1/packages/{c.packages['1']}", headers=bearer(c.token))
    assert listed.json()["contingency_since"] is not None
    await run_due_in_process()
    told = [m for m in sink.messages if m["Subject"].startswith("Assessment of your bid")]
    assert len(told) == 1 and "No award was made" in told[0].as_string()
    outcome = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(token))
    assert outcome.json()["outcome"] == "excluded" and outcome.json()["status"] == "no_award"
    refused = await award(client, c, call_off_id)
    assert refused.status_code == 409


async def test_only_the_commissioners_staff_see_the_evaluation(client: Any) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await close(call_off_id)
    other = await commissioning("Dorset Council")
    outsider_org = await make_organisation("provider", name="Faraway Care")
    _, outsider = await make_user(outsider_org.id, "provider")
    _, opener = await make_user(c.commissioner.id, "opener")
    path = f"/api/v1/call-offs/{call_off_id}"
    assert (await client.get(f"{path}/evaluation", headers=bearer(oakleaf))).status_code == 403
    assert (await client.get(f"{path}/evaluation", headers=bearer(other.token))).status_code == 404
    assert (await client.get(f"{path}/evaluation", headers=bearer(opener))).status_code == 200
    assert (await client.get(f"{path}/award", headers=bearer(outsider))).status_code == 404
    assert (await client.post(f"{path}/award", json={}, headers=bearer(opener))).status_code == 403
    assert (
        await client.post(f"{path}/award", json={}, headers=bearer(other.token))
    ).status_code == 404
    assert (
        await client.post(f"{path}/award", json={"x": 1}, headers=bearer(c.token))
    ).status_code == 400
    ranking = await client.get("/api/v1/providers/ranking", headers=bearer(c.token))
    assert ranking.status_code == 200
    [entry] = ranking.json()
    assert entry["name"] == "Oakleaf Home Care" and entry["rank"] == 1
    assert [f["name"] for f in entry["factors"]] == [
        "cqc_rating",
        "response_rate",
        "hand_backs",
        "late_starts",
        "quality_monitoring",
        "tender_score",
        "turn_downs",
        "safeguarding",
        "complaints",
        "compliments",
    ]


async def test_what_an_award_rests_on_is_kept_for_the_retention_period_from_the_award(
    backend: str,  # noqa: F811
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Uploaded under a one-day lock, so that lengthening it at the award shows plainly.
    monkeypatch.setenv("MARKETPLACE_ARCHIVE_RETENTION_DAYS", "1")
    reset_settings()
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    call_off_id = created.json()["id"]
    specification = await client.post(
        f"/api/v1/call-offs/{call_off_id}/documents",
        files={"file": ("specification.txt", b"What the care must achieve\n", "text/plain")},
        headers=bearer(c.token),
    )
    assert specification.status_code == 201, specification.text
    published = await client.post(
        f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
    )
    assert published.status_code == 200
    await bid(client, call_off_id, oakleaf, accepted(1900))
    attached = await client.post(
        f"/api/v1/call-offs/{call_off_id}/bid/attachments",
        files={"file": ("plan.txt", b"Our mobilisation plan\n", "text/plain")},
        headers=bearer(oakleaf),
    )
    assert attached.status_code == 201
    await close(call_off_id)
    monkeypatch.setenv("MARKETPLACE_ARCHIVE_RETENTION_DAYS", "1096")
    reset_settings()
    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    kept_until = datetime.fromisoformat(confirmed.json()["confirmed_at"]) + timedelta(
        days=get_settings().archive_retention_days
    )
    documents = await Document.select()
    assert len(documents) == 3, "the specification, the sealed attachment and the award report"
    for document in documents:
        assert document["retain_until"] >= kept_until, document["filename"]
        if backend == "s3":
            head = s3_client(get_settings()).head_object(
                Bucket=get_settings().s3_bucket,
                Key=document["key"],
                VersionId=document["version_id"],
            )
            assert head["ObjectLockMode"] == "COMPLIANCE"
            assert head["ObjectLockRetainUntilDate"] >= kept_until - timedelta(seconds=1)


async def test_two_officers_confirming_at_once_make_one_award(client: Any) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    _, second_officer = await make_user(c.commissioner.id, "commissioner")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await close(call_off_id)
    answers = await asyncio.gather(
        *[
            client.post(f"/api/v1/call-offs/{call_off_id}/award", json={}, headers=bearer(token))
            for token in (c.token, second_officer)
        ]
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    assert await Award.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "confirm_award") == 1


async def test_the_standstill_counts_from_the_day_the_notice_is_sent(client: Any) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await close(call_off_id)
    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    first_end = datetime.fromisoformat(confirmed.json()["standstill_ends_at"])
    # The summaries were held up (the mail server was down): the notice goes out 5 days later.
    late = datetime.fromisoformat(confirmed.json()["confirmed_at"]) + timedelta(days=5)
    assert await send_award_notice(UUID(call_off_id), [], now=late) == "sent"
    moved = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(c.token))
    ends = datetime.fromisoformat(moved.json()["standstill_ends_at"])
    assert ends == standstill_ends_at(late, 8, ZoneInfo("Europe/London")) and ends > first_end
    rescheduled = await OutboxEntry.select(OutboxEntry.run_at).where(
        OutboxEntry.job == "conclude_call_off"
    )
    assert sorted(row["run_at"] for row in rescheduled) == [first_end, ends]
    assert await send_award_notice(UUID(call_off_id), [], now=late) == "already sent"


async def test_the_award_notice_waits_for_its_summaries_without_using_up_its_tries(
    client: Any, sink: Sink
) -> None:
    from marketplace.awards.jobs import SEND_AWARD_NOTICE
    from marketplace.notifications.relay import run_deadline_lane, run_mail_lane

    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await close(call_off_id)
    assert (await award(client, c, call_off_id)).status_code == 200
    notice_job = OutboxEntry.job == SEND_AWARD_NOTICE
    # The deadline lane runs ahead of the mail: the notice waits for the summaries, again and
    # again (more often than a failing job may try), and is never given up.
    for _ in range(get_settings().outbox_max_attempts + 2):
        await OutboxEntry.update({OutboxEntry.due_at: datetime.now(UTC)}).where(notice_job)
        await run_deadline_lane()
    [waiting] = await OutboxEntry.select().where(notice_job)
    assert waiting["status"] == "pending" and waiting["attempts"] == 0
    assert waiting["last_error"].startswith("waiting: ")
    assert (await Award.select(Award.notice_sent_at).first())["notice_sent_at"] is None
    # Once the summaries are sent, the notice follows in the same run of the embedded runner.
    await run_mail_lane()
    await run_due_in_process()
    assert (await Award.select(Award.notice_sent_at).first())["notice_sent_at"] is not None
    assert [m for m in sink.messages if m["Subject"].startswith("Award notice")]
