"""Enablement outcomes and the enablement bar through the API, on SQLite and PostgreSQL
(Cornwall's enablement model): outcomes are recorded from the last day of the enablement period,
the budget is payable only when every outcome was met, and the third failed enablement in 12
months bars the provider from that commissioner's enablement requests (a gate of enablement
call-offs only) until a commissioner lifts the bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from marketplace.admissions.eligibility import provider_gate_failures
from marketplace.care.tables import AwardedCare
from marketplace.config import reset_settings
from marketplace.notifications.relay import run_due_in_process
from marketplace.reference.queries import lot_id, own_area_ids
from tests.call_off_fixtures import (
    admitted_provider,
    commissioning,
    enablement_body,
    suffix_of,
)
from tests.care_fixtures import (
    backdate,
    care_ids,
    concluded_cluster,
    concluded_enablement,
    days_ago,
    plain_text,
    started,
    today,
)
from tests.factories import bearer
from tests.integration.bids.test_bids import published
from tests.support_mail import Sink

MET = {"outcome": "Wash and dress independently", "met": True}
MEAL_MET = {"outcome": "Make a hot meal", "met": True}
MEAL_NOT_MET = {"outcome": "Make a hot meal", "met": False}


async def outcomes(client: Any, token: str, care_id: UUID, *given: dict[str, Any]) -> Any:
    return await client.put(
        f"/api/v1/care/{care_id}/enablement-outcomes",
        json={"outcomes": list(given)},
        headers=bearer(token),
    )


async def enablement_started(client: Any, c: Any, token: str, package: str, days: int = 13) -> UUID:
    """An enablement of two weeks for the package, started `days` ago (13: it ends today)."""
    [care_id] = await care_ids(await concluded_enablement(client, c, token, package))
    await backdate(care_id, awarded_days_ago=days + 1)
    await started(client, token, care_id, days=days)
    return care_id


async def failed(client: Any, c: Any, token: str, package: str) -> dict[str, Any]:
    care_id = await enablement_started(client, c, token, package)
    answer = await outcomes(client, c.token, care_id, MET, MEAL_NOT_MET)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_outcomes_are_recorded_from_the_last_day_of_the_period_and_all_met_is_payable(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    care_id = await enablement_started(client, c, token, "1", days=12)
    care = (await client.get(f"/api/v1/care/{care_id}", headers=bearer(token))).json()
    assert care["enablement"]["ends_on"] == str(today() + timedelta(days=1))
    assert care["enablement"]["budget_pence"] == 150000 and care["enablement"]["weeks"] == 2
    assert [o["met"] for o in care["enablement"]["outcomes"]] == [None, None]
    early = await outcomes(client, c.token, care_id, MET, MEAL_MET)
    assert early.status_code == 409 and "ends on" in early.json()["detail"]

    await client.post(
        f"/api/v1/care/{care_id}/start-correction",
        json={"actual_start": days_ago(13), "reason": "The first visit was a day earlier"},
        headers=bearer(c.token),
    )
    by_provider = await outcomes(client, token, care_id, MET, MEAL_MET)
    assert by_provider.status_code == 403
    unknown = await outcomes(client, c.token, care_id, MET, {"outcome": "Drive", "met": True})
    assert unknown.status_code == 422
    assert {e["field"] for e in unknown.json()["errors"]} == {"outcomes[1].outcome", "outcomes"}
    twice = await outcomes(client, c.token, care_id, MET, MET)
    assert (
        twice.status_code == 422
        and twice.json()["errors"][0]["message"] == "The outcome is given twice"
    )

    sink.messages.clear()
    answer = await outcomes(client, c.token, care_id, MEAL_MET, MET)
    assert answer.status_code == 200, answer.text
    enablement = answer.json()["enablement"]
    assert enablement["result"] == "met" and enablement["budget_payable"] is True
    assert [o["met"] for o in enablement["outcomes"]] == [True, True]
    assert answer.json()["status"] == "active", "care continues at the ongoing rate"
    sentence = answer.json()["timeline"][-1]["sentence"]
    assert "2 of 2 met" in sentence and "£1,500.00 is payable" in sentence
    assert "ongoing rate of £19.00/h" in sentence
    again = await outcomes(client, c.token, care_id, MET, MEAL_MET)
    assert again.status_code == 409
    await run_due_in_process()
    [mail] = [m for m in sink.messages if m["Subject"].startswith("Enablement outcomes")]
    assert "/my-care/" in plain_text(mail)

    cluster_care = (await care_ids(await concluded_cluster(client, c, token, ("2", "3"))))[0]
    not_enablement = await outcomes(client, c.token, cluster_care, MET)
    assert not_enablement.status_code == 409


async def test_the_third_failed_enablement_bars_the_provider_from_enablement_requests_only(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    oakleaf, token = await admitted_provider(c, "Oakleaf Home Care", ("ASHFORD", "CANTERBURY"))
    await admitted_provider(c, "Birch Care")
    first = await failed(client, c, token, "1")
    assert first["enablement"]["result"] == "failed"
    assert first["enablement"]["budget_payable"] is False
    assert "not payable: only the visits delivered are charged" in first["timeline"][-1]["sentence"]
    second = await failed(client, c, token, "2")
    assert "barred" not in second["timeline"][-1]["sentence"], "two failures do not bar"
    bars = await client.get("/api/v1/enablement-bars", headers=bearer(c.token))
    assert bars.json()["items"] == []

    sink.messages.clear()
    third = await failed(client, c, token, "4")
    assert (
        "With 3 failed enablements in 12 months the provider is barred"
        in (third["timeline"][-1]["sentence"])
    )
    [bar] = (await client.get("/api/v1/enablement-bars", headers=bearer(c.token))).json()["items"]
    assert bar["provider_name"] == "Oakleaf Home Care" and bar["active"] is True
    assert bar["failures"] == 3 and bar["months"] == 12
    reason = "barred from this commissioner's enablement requests after 3 failed enablements in 12 months"
    assert bar["reason"] == reason
    await run_due_in_process()
    barred_mail = [m for m in sink.messages if m["Subject"].startswith("Barred from enablement")]
    assert len(barred_mail) == 1 and "3 failed enablements" in plain_text(barred_mail[0])

    lot = await lot_id("CSH")
    ashford = (await own_area_ids(c.commissioner.id))[f"ASHFORD-{suffix_of(c)}"]
    assert lot is not None
    gates = await provider_gate_failures(
        c.commissioner.id, lot, [ashford], oakleaf.id, "enablement"
    )
    assert gates == [reason]
    assert (
        await provider_gate_failures(c.commissioner.id, lot, [ashford], oakleaf.id, "cluster") == []
    )
    package = await client.post(
        "/api/v1/packages",
        json={
            "reference": f"E-{suffix_of(c)}",
            "postcode": "TN23 1AA",
            "weekly_hours": "6.00",
            "service_level": "standard",
            "start_by": days_ago(-7),
            "area_code": f"ASHFORD-{suffix_of(c)}",
        },
        headers=bearer(c.token),
    )
    assert package.status_code == 201, package.text
    call_off_id = await published(client, c, enablement_body(c, package_ids=[package.json()["id"]]))
    shown = await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))
    assert shown.json()["invited_provider_count"] == 1, "Birch only"
    assert (
        await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(token))
    ).status_code == 404

    by_provider = await client.post(
        f"/api/v1/enablement-bars/{bar['id']}/lift", json={"reason": "x"}, headers=bearer(token)
    )
    assert by_provider.status_code == 403
    elsewhere = await commissioning("Cornwall Council")
    other = await client.post(
        f"/api/v1/enablement-bars/{bar['id']}/lift",
        json={"reason": "x"},
        headers=bearer(elsewhere.token),
    )
    assert other.status_code == 404
    sink.messages.clear()
    lifted = await client.post(
        f"/api/v1/enablement-bars/{bar['id']}/lift",
        json={"reason": "Improvement plan agreed at the review panel"},
        headers=bearer(c.token),
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["active"] is False and lifted.json()["lift_reason"].startswith("Improve")
    assert (
        await provider_gate_failures(c.commissioner.id, lot, [ashford], oakleaf.id, "enablement")
        == []
    )
    again = await client.post(
        f"/api/v1/enablement-bars/{bar['id']}/lift", json={"reason": "x"}, headers=bearer(c.token)
    )
    assert again.status_code == 409
    await run_due_in_process()
    assert any(m["Subject"].startswith("Enablement bar lifted") for m in sink.messages)


async def test_the_threshold_is_configurable_and_only_the_last_12_months_count(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_ENABLEMENT_BAR_FAILURES", "2")
    reset_settings()
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    old = await failed(client, c, token, "1")
    await AwardedCare.update(
        {AwardedCare.enablement_recorded_at: datetime.now(UTC) - timedelta(days=370)}
    ).where(AwardedCare.id == old["id"])
    await failed(client, c, token, "2")
    assert (await client.get("/api/v1/enablement-bars", headers=bearer(c.token))).json()[
        "items"
    ] == [], "the failure of 370 days ago no longer counts"
    newest = await failed(client, c, token, "3")
    assert "With 2 failed enablements in 12 months" in newest["timeline"][-1]["sentence"]
