"""Quality records on SQLite and PostgreSQL: a commissioner's staff record monitoring visits (with
an archived report), substantiated safeguarding concerns, upheld complaints and compliments about
the providers they admitted; the provider reads its own and is emailed each; nobody else sees
them; every record is audited and recomputes the kept ranking."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import msgspec

from marketplace.audit.tables import AuditEvent
from marketplace.awards.tables import ProviderQuality
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, commissioning
from tests.factories import bearer, make_organisation, make_user
from tests.sample_documents import MINIMAL_PDF
from tests.support import csrf_token_in, sign_in
from tests.support_mail import Sink

TODAY = date.today()


def visit(provider_id: Any, score: int = 80, **fields: Any) -> dict[str, Any]:
    return {
        "provider_id": str(provider_id),
        "kind": "monitoring_visit",
        "occurred_on": (TODAY - timedelta(days=3)).isoformat(),
        "score": score,
        "summary": "Medication records complete; two late calls in the sample week.",
        **fields,
    }


async def post_record(client: Any, token: str, body: dict[str, Any]) -> Any:
    return await client.post("/api/v1/quality-records", json=body, headers=bearer(token))


async def kept_factors(commissioner_id: Any, provider_id: Any) -> dict[str, dict[str, Any]]:
    row = (
        await ProviderQuality.select()
        .where(
            (ProviderQuality.commissioner == commissioner_id)
            & (ProviderQuality.provider == provider_id)
        )
        .first()
    )
    assert row is not None, "the ranking was recomputed and kept"
    return {f["name"]: f for f in msgspec.json.decode(row["factors"])}


async def test_each_kind_of_record_is_kept_audited_emailed_and_ranked(
    client: httpx.AsyncClient, sink: Sink
) -> None:
    c = await commissioning()
    provider, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    created = await post_record(client, c.token, visit(provider.id, 70))
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["kind_words"], record["score"], record["report"]) == (
        "Quality-monitoring visit",
        70,
        None,
    )
    factors = await kept_factors(c.commissioner.id, provider.id)
    assert factors["quality_monitoring"]["score"] == "70.00"
    assert factors["quality_monitoring"]["recorded"] is True

    assert (await post_record(client, c.token, visit(provider.id, 91))).status_code == 201
    for kind in ("safeguarding_concern", "upheld_complaint", "compliment", "compliment"):
        body = {**visit(provider.id), "kind": kind}
        del body["score"]
        assert (await post_record(client, c.token, body)).status_code == 201
    factors = await kept_factors(c.commissioner.id, provider.id)
    assert factors["quality_monitoring"]["score"] == "80.50"  # the mean of 70 and 91
    assert factors["safeguarding"]["explanation"].startswith(
        "1 substantiated safeguarding concern in the last 6 months"
    )
    assert factors["complaints"]["score"] == "80.00"
    assert factors["compliments"]["score"] == "70.00"

    mine = await client.get("/api/v1/quality-records", headers=bearer(provider_token))
    assert mine.status_code == 200 and len(mine.json()["items"]) == 6
    only_visits = await client.get(
        "/api/v1/quality-records?kind=monitoring_visit", headers=bearer(c.token)
    )
    assert len(only_visits.json()["items"]) == 2
    events = await AuditEvent.select().where(AuditEvent.action == "record_quality")
    assert len(events) == 6 and {e["organisation_id"] for e in events} == {c.commissioner.id}

    await run_due_in_process()
    told = [m for m in sink.messages if "recorded by Kent County Council" in m["Subject"]]
    assert len(told) == 6
    assert {m["Subject"] for m in told} >= {
        "Quality-monitoring visit recorded by Kent County Council",
        "Upheld complaint recorded by Kent County Council",
    }


async def test_another_commissioners_records_do_not_exist_for_you(
    client: httpx.AsyncClient,
) -> None:
    kent = await commissioning()
    dorset = await commissioning("Dorset Council")
    provider, provider_token = await admitted_provider(kent, "Oakleaf Home Care")
    _, other_token = await admitted_provider(kent, "Birch Care")
    record = (await post_record(client, kent.token, visit(provider.id))).json()
    path = f"/api/v1/quality-records/{record['id']}"

    assert (await client.get(path, headers=bearer(kent.token))).status_code == 200
    assert (await client.get(path, headers=bearer(provider_token))).status_code == 200
    assert (await client.get(path, headers=bearer(dorset.token))).status_code == 404
    assert (await client.get(path, headers=bearer(other_token))).status_code == 404
    listed = await client.get("/api/v1/quality-records", headers=bearer(dorset.token))
    assert listed.json()["items"] == []
    withdraw = {"reason": "not ours"}
    by_dorset = await client.post(f"{path}/withdraw", json=withdraw, headers=bearer(dorset.token))
    assert by_dorset.status_code == 404
    report = {"file": ("visit.pdf", MINIMAL_PDF, "application/pdf")}
    by_dorset = await client.post(f"{path}/report", files=report, headers=bearer(dorset.token))
    assert by_dorset.status_code == 404
    assert (await post_record(client, provider_token, visit(provider.id))).status_code == 403
    # Dorset never admitted the provider: it cannot record anything about it.
    refused = await post_record(client, dorset.token, visit(provider.id))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "provider_id"


async def test_a_record_names_the_field_it_gets_wrong(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")

    async def error_of(body: dict[str, Any]) -> tuple[int, str]:
        response = await post_record(client, c.token, body)
        problem = response.json()
        return response.status_code, (problem.get("errors") or [{"field": problem["detail"]}])[0][
            "field"
        ]

    assert await error_of(visit(provider.id, score=None)) == (422, "score")
    assert (await error_of(visit(provider.id, score=101)))[0] == 400
    assert (await error_of(visit(provider.id, score=-1)))[0] == 400
    complaint = {**visit(provider.id), "kind": "upheld_complaint"}
    assert await error_of(complaint) == (422, "score")
    tomorrow = (TODAY + timedelta(days=2)).isoformat()
    assert await error_of(visit(provider.id, occurred_on=tomorrow)) == (422, "occurred_on")
    assert (await error_of(visit(provider.id, summary="")))[0] == 400
    assert (await error_of({**visit(provider.id), "kind": "rumour"}))[0] == 400
    assert (await error_of({**visit(provider.id), "colour": "red"}))[0] == 400
    # The boundaries are accepted.
    for score in (0, 100):
        assert (await post_record(client, c.token, visit(provider.id, score))).status_code == 201
    same_day = visit(provider.id, occurred_on=TODAY.isoformat())
    assert (await post_record(client, c.token, same_day)).status_code == 201


async def test_a_visits_report_is_archived_once_and_a_withdrawn_record_stops_counting(
    client: httpx.AsyncClient, sink: Sink
) -> None:
    c = await commissioning()
    provider, provider_token = await admitted_provider(c, "Oakleaf Home Care")
    record = (await post_record(client, c.token, visit(provider.id, 40))).json()
    path = f"/api/v1/quality-records/{record['id']}"
    files = {"file": ("visit report.pdf", MINIMAL_PDF, "application/pdf")}
    attached = await client.post(f"{path}/report", files=files, headers=bearer(c.token))
    assert attached.status_code == 201, attached.text
    report = attached.json()["report"]
    assert report["filename"] == "visit report.pdf" and len(report["sha256"]) == 64
    again = await client.post(f"{path}/report", files=files, headers=bearer(c.token))
    assert again.status_code == 409
    fetch = f"/api/v1/documents/{report['id']}"
    assert (await client.get(fetch, headers=bearer(c.token))).status_code == 303
    assert (await client.get(fetch, headers=bearer(provider_token))).status_code == 404
    assert (await kept_factors(c.commissioner.id, provider.id))["quality_monitoring"][
        "score"
    ] == "40.00"

    no_reason = await client.post(f"{path}/withdraw", json={"reason": ""}, headers=bearer(c.token))
    assert no_reason.status_code == 400
    withdrawn = await client.post(
        f"{path}/withdraw",
        json={"reason": "Entered against the wrong provider"},
        headers=bearer(c.token),
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    twice = await client.post(f"{path}/withdraw", json={"reason": "again"}, headers=bearer(c.token))
    assert twice.status_code == 409
    monitoring = (await kept_factors(c.commissioner.id, provider.id))["quality_monitoring"]
    assert monitoring["recorded"] is False and monitoring["score"] == "50.00"
    assert monitoring["explanation"].startswith("no records yet")
    assert await AuditEvent.exists().where(AuditEvent.action == "withdraw_quality_record")
    await run_due_in_process()
    assert any("withdrawn by" in m["Subject"] for m in sink.messages)


async def test_records_are_kept_and_read_through_the_pages(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    provider, _ = await admitted_provider(c, "Oakleaf Home Care")
    assert (await sign_in(client, c.officer.email)).status_code == 303
    form = await client.get(f"/quality-records/new?provider_id={provider.id}")
    assert form.status_code == 200 and "Oakleaf Home Care" in form.text
    token = csrf_token_in(form.text)
    fields = {
        "csrf_token": token,
        "provider_id": str(provider.id),
        "kind": "monitoring_visit",
        "occurred_on": TODAY.isoformat(),
        "score": "",
        "summary": "Spot check of three homes.",
    }
    missing = await client.post("/quality-records/new", data=fields)
    assert missing.status_code == 422 and 'href="#score"' in missing.text
    assert "govuk-error-summary" in missing.text
    recorded = await client.post(
        "/quality-records/new",
        data={**fields, "score": "85"},
        files={"file": ("visit.pdf", MINIMAL_PDF, "application/pdf")},
    )
    assert recorded.status_code == 303, recorded.text
    record_path = recorded.headers["location"]
    assert "?" not in record_path, "the banner is not in the address"
    shown = await client.get(recorded.headers["location"])
    assert "The quality record is added." in shown.text
    assert "85 out of 100" in shown.text and "visit.pdf" in shown.text
    listed = await client.get("/quality-records")
    assert "Quality-monitoring visit" in listed.text and "Oakleaf Home Care" in listed.text
    withdrawn = await client.post(
        record_path + "/withdraw",
        data={"csrf_token": csrf_token_in(shown.text), "reason": ""},
    )
    assert withdrawn.status_code == 400 and 'href="#reason"' in withdrawn.text

    provider_user, _ = await make_user(provider.id, "provider")
    client.cookies.clear()
    assert (await sign_in(client, provider_user.email)).status_code == 303
    own = await client.get("/quality-records")
    assert "Kent County Council" in own.text and "Quality-monitoring visit" in own.text
    assert (await client.get("/quality-records/new")).status_code == 403
    outsider = await make_organisation("provider", name="Faraway Care")
    outsider_user, _ = await make_user(outsider.id, "provider")
    client.cookies.clear()
    assert (await sign_in(client, outsider_user.email)).status_code == 303
    assert (await client.get(record_path)).status_code == 404
