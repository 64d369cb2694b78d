"""Hand-backs through the API, on SQLite and PostgreSQL: the package returns to the waiting list
marked handed back with its urgency, can go into a new call-off, the commissioner is told, and
the recorded hand-back lowers the provider's quality score, which decides a tied cluster."""

from __future__ import annotations

from typing import Any

from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, cluster_body, commissioning
from tests.care_fixtures import (
    backdate,
    care_ids,
    concluded,
    concluded_cluster,
    days_ago,
    mobilising,
    plain_text,
    started,
)
from tests.factories import bearer
from tests.support_mail import Sink


async def hand_back(client: Any, token: str, care_id: Any, days: int = 0, **body: Any) -> Any:
    return await client.post(
        f"/api/v1/care/{care_id}/hand-back",
        json={"reason": "We cannot staff the calls", "last_care_date": days_ago(days), **body},
        headers=bearer(token),
    )


async def evaluation(client: Any, c: Any, call_off_id: str) -> dict[str, Any]:
    answer = await client.get(
        f"/api/v1/call-offs/{call_off_id}/evaluation", headers=bearer(c.token)
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def factor(item: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in item["quality"] if f["name"] == name)


async def test_a_handed_back_package_returns_to_the_waiting_list_with_its_urgency(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    plain, urgent = await care_ids(await concluded_cluster(client, c, token))
    await backdate(urgent, awarded_days_ago=4)
    await started(client, token, urgent, days=3)

    by_commissioner = await hand_back(client, c.token, urgent)
    assert by_commissioner.status_code == 403
    before_start = await hand_back(client, token, urgent, days=4)
    assert before_start.status_code == 422
    assert before_start.json()["errors"][0]["field"] == "last_care_date"
    sink.messages.clear()
    answer = await hand_back(client, token, urgent, days=0)
    assert answer.status_code == 200, answer.text
    care = answer.json()
    assert care["status"] == "handed_back" and care["handed_back_at"] is not None
    assert care["end_reason"] == "We cannot staff the calls"
    assert care["last_care_date"] == days_ago(0) and care["actual_start"] == days_ago(3)
    assert [e["action"] for e in care["timeline"]] == [
        "begin_care",
        "record_care_start",
        "hand_back_care",
    ]
    assert "The package is back on the waiting list" in care["timeline"][-1]["sentence"]
    again = await hand_back(client, token, urgent)
    assert again.status_code == 409

    package = (
        await client.get(f"/api/v1/packages/{c.packages['2']}", headers=bearer(c.token))
    ).json()
    assert package["status"] == "waiting" and package["handed_back_at"] is not None
    assert package["urgency"] == "urgent" and package["urgency_reason"] == "hospital_discharge"
    assert package["contingency_since"] is None
    waiting = await client.get(
        "/api/v1/packages", params={"status": "waiting"}, headers=bearer(c.token)
    )
    assert str(c.packages["2"]) in {p["id"] for p in waiting.json()["items"]}
    still = await client.get(f"/api/v1/packages/{c.packages['1']}", headers=bearer(c.token))
    assert still.json()["status"] == "awarded"

    await run_due_in_process()
    [mail] = [m for m in sink.messages if m["Subject"].startswith("Care handed back")]
    assert mail["To"] == c.officer.email
    assert "We cannot staff the calls" in plain_text(mail)

    awaiting = await hand_back(client, token, plain, days=0)
    assert awaiting.status_code == 200, "care awaiting its start can be handed back too"


async def test_a_recorded_hand_back_changes_the_winner_of_a_tied_cluster(client: Any) -> None:
    c = await commissioning()
    _, alder = await admitted_provider(c, "Alder Care")  # admitted first: wins a level tie
    _, beech = await admitted_provider(c, "Beech Care")
    same_offer = mobilising(3)

    body = cluster_body(c, package_ids=[str(c.packages["1"]), str(c.packages["2"])])
    first = await concluded(client, c, body, [(alder, same_offer), (beech, same_offer)])
    items = (await evaluation(client, c, first))["items"]
    assert [i["provider_name"] for i in items] == ["Alder Care", "Beech Care"]
    assert items[0]["figures"]["quality_score"] == items[1]["figures"]["quality_score"]
    assert "admitted to the lot earlier" in items[0]["reason"]
    handed = (await care_ids(first))[1]
    assert (await hand_back(client, alder, handed)).status_code == 200

    # The handed-back package goes into a new call-off with another Ashford package.
    body = cluster_body(c, package_ids=[str(c.packages["2"]), str(c.packages["3"])])
    second = await concluded(client, c, body, [(alder, same_offer), (beech, same_offer)])
    items = (await evaluation(client, c, second))["items"]
    assert [i["provider_name"] for i in items] == ["Beech Care", "Alder Care"]
    beech_item, alder_item = items
    assert beech_item["winner"] is True
    # One of the two packages Alder was awarded is handed back: 100 * (1 - 1/2).
    assert factor(alder_item, "hand_backs")["score"] == "50.00"
    assert "1 of 2 packages handed back" in factor(alder_item, "hand_backs")["explanation"]
    assert factor(beech_item, "hand_backs")["score"] == "100.00"
    assert beech_item["figures"]["quality_score"] == "72.50"
    assert alder_item["figures"]["quality_score"] == "65.00", "72.50 - 15 * (100 - 50) / 100"
    assert "(72.50 against 65.00)" in beech_item["reason"]

    ranking = await client.get("/api/v1/providers/ranking", headers=bearer(c.token))
    assert [p["name"] for p in ranking.json()] == ["Beech Care", "Alder Care"]
