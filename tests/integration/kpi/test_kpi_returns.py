"""Quarterly KPI returns on SQLite and PostgreSQL: the pre-fill equals what the marketplace
recorded (care awarded, started, handed back; turn-downs and their reasons), a correction keeps
the pre-filled value, a submitted return is archived with its digest and can no longer change,
and an open return is reminded once a day, even with two workers."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import msgspec

from marketplace.archive.tables import Document
from marketplace.audit.tables import AuditEvent
from marketplace.bids.tables import Decline
from marketplace.care.tables import AwardedCare
from marketplace.demo.kpi_templates import KPI_TEMPLATES
from marketplace.kpi.reminders import send_kpi_reminders
from marketplace.kpi.rules import Quarter
from marketplace.kpi.service import ensure_measures, open_returns
from marketplace.kpi.tables import KpiAnswer, KpiReminder, KpiReturn
from marketplace.notifications.email import render_email
from marketplace.notifications.tables import OutboxEntry
from marketplace.reference.tables import Lot
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.care_fixtures import care_ids, concluded_cluster, started
from tests.factories import bearer
from tests.integration.bids.test_bids import published
from tests.integration.care.test_hand_backs import hand_back

Q3 = Quarter(2026, 3)
HAND_BACK_REASON = "We cannot staff the calls"
TURN_DOWN_WORDS = "Our carers are on training that week"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


async def recorded_quarter(client: Any) -> dict[str, Any]:
    """Oakleaf's Q3 2026 on lot CSH: two packages awarded on 1 July, one started on 3 July (2
    working days later), the other on 20 July (13 working days) and handed back on 10 September;
    one call-off turned down on 5 August for its own reason. Recorded through the API, then dated
    into the quarter."""
    c = await commissioning()
    oakleaf, token = await admitted_provider(c, "Oakleaf Home Care")
    _, birch_token = await admitted_provider(c, "Birch Care")
    first, second = await care_ids(await concluded_cluster(client, c, token))
    for care_id in (first, second):
        await started(client, token, care_id)
    assert (await hand_back(client, token, second)).status_code == 200
    declined = await published(client, c, enablement_body(c, package_ids=[str(c.packages["3"])]))
    answer = await client.post(
        f"/api/v1/call-offs/{declined}/decline",
        json={"reason": "other", "text": TURN_DOWN_WORDS},
        headers=bearer(token),
    )
    assert answer.status_code == 201, answer.text
    await AwardedCare.update(
        {AwardedCare.awarded_at: at(date(2026, 7, 1)), AwardedCare.actual_start: date(2026, 7, 3)}
    ).where(AwardedCare.id == first)
    await AwardedCare.update(
        {
            AwardedCare.awarded_at: at(date(2026, 7, 1)),
            AwardedCare.actual_start: date(2026, 7, 20),
            AwardedCare.handed_back_at: at(date(2026, 9, 10)),
            AwardedCare.last_care_date: date(2026, 9, 10),
        }
    ).where(AwardedCare.id == second)
    await Decline.update({Decline.declined_at: at(date(2026, 8, 5))}).where(
        Decline.call_off == declined
    )
    lot = await Lot.select(Lot.id).where(Lot.code == "CSH").first()
    assert lot is not None
    await ensure_measures(lot["id"], KPI_TEMPLATES["CSH"])
    return {"c": c, "oakleaf": oakleaf, "token": token, "birch": birch_token}


async def the_return(client: Any, token: str) -> dict[str, Any]:
    listed = await client.get("/api/v1/kpi-returns", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    assert len(listed.json()) == 1
    shown = await client.get(f"/api/v1/kpi-returns/{listed.json()[0]['id']}", headers=bearer(token))
    assert shown.status_code == 200, shown.text
    return dict(shown.json())


def by_reference(kpi_return: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["reference"]: a for a in kpi_return["answers"]}


async def test_the_pre_fill_equals_what_was_recorded(client: Any) -> None:
    s = await recorded_quarter(client)
    assert await open_returns(Q3) == 1
    assert await open_returns(Q3) == 0, "opening again opens nothing"

    mine = await the_return(client, s["token"])
    assert (mine["year"], mine["quarter"], mine["status"]) == (2026, 3, "open")
    assert mine["due_on"] == "2026-10-21", "the 15th working day after 30 September"
    answers = by_reference(mine)
    prefilled = {r: (a["prefilled_value"], a["prefilled_reasons"]) for r, a in answers.items()}
    assert prefilled == {
        "R1": ("2", None),
        "R2": ("1", f"{TURN_DOWN_WORDS} (1)"),
        "R3": ("0", None),
        "R4": ("1", f"{HAND_BACK_REASON} (1)"),
        "R5": (None, None),
        "R6": (None, None),
        "R7": ("50", None),
        "R8": (None, None),
    }
    assert answers["R2"]["measure"] == "Number of Service Users declined and why"
    assert all(a["value"] is None for a in answers.values())

    seen = await the_return(client, s["c"].token)
    assert seen["id"] == mine["id"] and seen["provider_name"] == "Oakleaf Home Care"
    other = await client.get(f"/api/v1/kpi-returns/{mine['id']}", headers=bearer(s["birch"]))
    assert other.status_code == 404, "Birch had no care on the lot: it owes nothing, sees nothing"


async def test_a_submitted_return_is_archived_with_its_digest_and_cannot_change(
    client: Any,
) -> None:
    s = await recorded_quarter(client)
    await open_returns(Q3)
    kpi_return = await the_return(client, s["token"])
    path = f"/api/v1/kpi-returns/{kpi_return['id']}"

    early = await client.post(f"{path}/submit", headers=bearer(s["token"]))
    assert early.status_code == 400
    assert {e["field"] for e in early.json()["errors"]} == {
        "answers.R5.value",
        "answers.R6.value",
        "answers.R8.value",
    }
    wrong = await client.put(
        f"{path}/answers",
        json={"answers": [{"reference": "R5", "value": "140"}, {"reference": "R4", "value": "2"}]},
        headers=bearer(s["token"]),
    )
    assert wrong.status_code == 400
    assert {e["field"] for e in wrong.json()["errors"]} == {
        "answers.R5.value",
        "answers.R4.reasons",
    }
    corrected = await client.put(
        f"{path}/answers",
        json={
            "answers": [
                {"reference": "R1", "value": "3"},
                {"reference": "R5", "value": "95"},
                {"reference": "R6", "value": "87.5"},
                {"reference": "R8", "value": "80"},
            ]
        },
        headers=bearer(s["token"]),
    )
    assert corrected.status_code == 200, corrected.text
    r1 = by_reference(corrected.json())["R1"]
    assert (r1["prefilled_value"], r1["value"], r1["corrected"]) == ("2", "3", True)
    by_commissioner = await client.post(f"{path}/submit", headers=bearer(s["c"].token))
    assert by_commissioner.status_code == 403

    submitted = await client.post(f"{path}/submit", headers=bearer(s["token"]))
    assert submitted.status_code == 200, submitted.text
    done = submitted.json()
    assert done["status"] == "submitted"
    answers = by_reference(done)
    assert answers["R2"]["value"] == "1" and answers["R2"]["corrected"] is False
    assert answers["R1"]["prefilled_value"] == "2" and answers["R1"]["value"] == "3"
    document = await Document.select().where(Document.id == done["document_id"]).first()
    assert document is not None and document["sha256"] == done["sha256"]
    link = await client.get(
        f"/api/v1/documents/{done['document_id']}", headers=bearer(s["c"].token)
    )
    assert link.status_code == 303, link.text
    content = await client.get(link.headers["location"])
    assert content.status_code == 200
    assert hashlib.sha256(content.content).hexdigest() == done["sha256"]
    assert "R1,Number of Service Users accepted into the service,3,,2," in content.text
    assert await AuditEvent.exists().where(AuditEvent.action == "submit_kpi_return")

    before = await KpiAnswer.select().order_by(KpiAnswer.id)
    again = await client.put(
        f"{path}/answers",
        json={"answers": [{"reference": "R1", "value": "9"}]},
        headers=bearer(s["token"]),
    )
    assert again.status_code == 409
    assert (await client.post(f"{path}/submit", headers=bearer(s["token"]))).status_code == 409
    assert await KpiAnswer.select().order_by(KpiAnswer.id) == before
    row = await KpiReturn.select(KpiReturn.sha256).first()
    assert row is not None and row["sha256"] == done["sha256"]


async def _reminders() -> list[dict[str, Any]]:
    rows = await OutboxEntry.select(OutboxEntry.payload).where(OutboxEntry.job == "send_email")
    payloads = [msgspec.json.decode(row["payload"]) for row in rows]
    return [p for p in payloads if p["template"] == "kpi_return_reminder"]


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 30, tzinfo=UTC)  # BST: 09:30 in London


async def test_an_overdue_return_is_reminded_once_a_day(client: Any) -> None:
    await recorded_quarter(client)
    # Wednesday 7 October: the daily run opens Q3's returns; due 21 October, no reminder yet.
    assert await send_kpi_reminders(morning(date(2026, 10, 7))) == 0
    assert await KpiReturn.count() == 1
    # Wednesday 14 October, 5 working days before the due date: reminded, once.
    sent = await asyncio.gather(*[send_kpi_reminders(morning(date(2026, 10, 14))) for _ in "ab"])
    assert sorted(sent) == [0, 1]
    assert [r["context"]["overdue"] for r in await _reminders()] == [False]

    overdue_day = morning(date(2026, 10, 22))
    assert await send_kpi_reminders(datetime(2026, 10, 22, 6, 59, tzinfo=UTC)) == 0, "before 08:00"
    sent = await asyncio.gather(send_kpi_reminders(overdue_day), send_kpi_reminders(overdue_day))
    assert sorted(sent) == [0, 1], "one of the two workers sends it"
    assert await send_kpi_reminders(datetime(2026, 10, 22, 15, 0, tzinfo=UTC)) == 0
    assert await send_kpi_reminders(morning(date(2026, 10, 24))) == 0, "Saturday"
    assert await send_kpi_reminders(morning(date(2026, 10, 23))) == 1, "the next working day"
    reminders = await _reminders()
    assert [r["context"]["overdue"] for r in reminders] == [False, True, True]
    assert reminders[1]["context"]["due_on"] == "Wednesday 21 October 2026"
    message = render_email(uuid4(), "a@example.org", "kpi_return_reminder", reminders[1]["context"])
    assert message["Subject"] == (
        "KPI return overdue: Quarter 3 2026 (July to September), due Wednesday 21 October 2026"
    )
    assert await KpiReminder.count() == 3


async def test_care_recorded_after_opening_refreshes_an_open_returns_pre_fill_not_a_submitted_one(
    client: Any,
) -> None:
    s = await recorded_quarter(client)
    first, second = [
        r["id"] for r in await AwardedCare.select(AwardedCare.id).order_by(AwardedCare.actual_start)
    ]
    await open_returns(Q3)
    kpi_return = await the_return(client, s["token"])
    path = f"/api/v1/kpi-returns/{kpi_return['id']}"
    saved = await client.put(
        f"{path}/answers",
        json={
            "answers": [
                {"reference": "R1", "value": "3"},  # a correction
                {
                    "reference": "R4",
                    "value": "1",
                    "reasons": f"{HAND_BACK_REASON} (1)",
                },  # as filled
            ]
        },
        headers=bearer(s["token"]),
    )
    assert saved.status_code == 200, saved.text

    # Recorded after the return opened: the first care handed back on 21 September, the second
    # found to have been awarded on 30 June (before the quarter).
    assert (await hand_back(client, s["token"], first)).status_code == 200
    await AwardedCare.update(
        {
            AwardedCare.handed_back_at: at(date(2026, 9, 21)),
            AwardedCare.last_care_date: date(2026, 9, 21),
        }
    ).where(AwardedCare.id == first)
    await AwardedCare.update({AwardedCare.awarded_at: at(date(2026, 6, 30))}).where(
        AwardedCare.id == second
    )

    answers = by_reference(await the_return(client, s["token"]))
    r1, r4 = answers["R1"], answers["R4"]
    assert (r1["prefilled_value"], r1["value"], r1["corrected"]) == ("1", "3", True), "kept"
    assert (r4["prefilled_value"], r4["prefilled_reasons"]) == ("2", f"{HAND_BACK_REASON} (2)")
    assert (r4["value"], r4["corrected"]) == (None, False), "the old pre-fill follows the new"
    assert await AuditEvent.exists().where(AuditEvent.action == "refresh_kpi_return")

    given = [{"reference": r, "value": "80"} for r in ("R5", "R6", "R8")]
    await client.put(f"{path}/answers", json={"answers": given}, headers=bearer(s["token"]))
    done = await client.post(f"{path}/submit", headers=bearer(s["token"]))
    assert done.status_code == 200, done.text
    assert by_reference(done.json())["R4"]["value"] == "2"
    before = await KpiAnswer.select().order_by(KpiAnswer.id)
    await AwardedCare.update({AwardedCare.awarded_at: at(date(2026, 6, 30))}).where(
        AwardedCare.id == first
    )
    after = by_reference(await the_return(client, s["c"].token))
    assert after["R1"]["prefilled_value"] == "1", "a submitted return never changes"
    assert await KpiAnswer.select().order_by(KpiAnswer.id) == before
