"""CQC ratings: only the regulator's import and a platform admin with a reason change one; each
change is kept in the history and audited; a fall to inadequate re-checks the provider's call-offs
and awards and tells the commissioners concerned."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from marketplace.accounts.cqc_file import read_cqc_file
from marketplace.accounts.cqc_ratings import import_regulator_ratings
from marketplace.accounts.tables import CqcRatingChange
from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.conclusion import conclude_due_awards
from marketplace.awards.tables import Award
from marketplace.config import PROJECT_ROOT
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_admin, make_organisation, make_user, rate_provider
from tests.integration.awards.test_awards import accepted, award, bid, status_of
from tests.integration.bids.test_bids import pass_the_deadline, published
from tests.support import csrf_token_in, run_marketplace, sign_in
from tests.support_mail import Sink


def plain_text(message: Any) -> str:
    return str(message.get_payload(0).get_payload(decode=True).decode())


HEADER = "Location ID,Location Name,Location Latest Overall Rating,Publication Date\n"


async def import_text(text: str, source: str = "CQC import test.csv") -> Any:
    found = read_cqc_file(io.StringIO(text, newline=""))
    return await import_regulator_ratings(found.ratings, source, found.odd_rows)


async def test_an_import_changes_each_rating_once_and_a_second_run_changes_none(db: str) -> None:
    oakleaf = await make_organisation("provider", cqc_location_id="1-1000001", cqc_rating="good")
    birch = await make_organisation("provider", cqc_location_id="1-1000002")
    text = (
        HEADER
        + "1-1000001,Oakleaf,Outstanding,01/09/2026\n"
        + "1-1000002,Birch,Good,02/09/2026\n"
        + "1-9999999,Elsewhere,Good,02/09/2026\n"
        + "1-1000003,Odd,Splendid,02/09/2026\n"
    )

    first = await import_text(text)
    assert (first.changed, first.unchanged, first.not_on_platform) == (2, 0, 1)
    assert [odd.line for odd in first.odd_rows] == [5]
    assert first.describe().startswith("2 ratings changed (0 unchanged, 1 locations")
    second = await import_text(text)
    assert (second.changed, second.unchanged) == (0, 2)
    assert second.describe().startswith("0 ratings changed")

    history = await CqcRatingChange.select().where(CqcRatingChange.provider == oakleaf.id)
    assert [(h["previous_rating"], h["rating"], h["rated_on"], h["source"]) for h in history] == [
        ("good", "outstanding", date(2026, 9, 1), "CQC import test.csv")
    ]
    assert await AuditEvent.count().where(AuditEvent.action == "change_cqc_rating") == 2
    older = await import_text(HEADER + "1-1000002,Birch,Inadequate,01/01/2020\n")
    assert (older.changed, older.older) == (0, 1)
    assert birch.id in {h["provider"] for h in await CqcRatingChange.select()}


async def test_a_commissioner_cannot_set_a_cqc_rating(client: Any) -> None:
    commissioner = await make_organisation("commissioner")
    provider = await make_organisation("provider", cqc_rating="good")
    _, token = await make_user(commissioner.id, "commissioner")

    patched = await client.patch(
        f"/api/v1/organisations/{provider.id}",
        json={"cqc_rating": "inadequate"},
        headers=bearer(token),
    )
    assert patched.status_code == 403
    assert "quality record" in patched.json()["detail"]
    put = await client.put(
        f"/api/v1/organisations/{provider.id}/cqc-rating",
        json={"rating": "inadequate", "reason": "I think so"},
        headers=bearer(token),
    )
    assert put.status_code == 403
    shown = await client.get(f"/api/v1/organisations/{provider.id}", headers=bearer(token))
    assert shown.json()["cqc_rating"] == "good"
    assert await CqcRatingChange.count() == 0


async def test_an_admin_sets_a_rating_only_with_a_reason(client: Any) -> None:
    provider = await make_organisation("provider", cqc_rating="good")
    _, token = await make_admin()
    path = f"/api/v1/organisations/{provider.id}/cqc-rating"

    no_reason = await client.put(path, json={"rating": "outstanding"}, headers=bearer(token))
    assert no_reason.status_code == 400
    assert "reason" in no_reason.text
    blank = await client.put(
        path, json={"rating": "outstanding", "reason": "   "}, headers=bearer(token)
    )
    assert blank.status_code == 400
    assert [e["field"] for e in blank.json()["errors"]] == ["reason"]
    by_patch = await client.patch(
        f"/api/v1/organisations/{provider.id}",
        json={"cqc_rating": "outstanding"},
        headers=bearer(token),
    )
    assert by_patch.status_code == 422
    assert [e["field"] for e in by_patch.json()["errors"]] == ["cqc_rating"]

    set_ = await client.put(
        path,
        json={"rating": "outstanding", "reason": "report of 3 Nov read", "rated_on": "2026-11-03"},
        headers=bearer(token),
    )
    assert set_.status_code == 200, set_.text
    assert set_.json()["cqc_rating"] == "outstanding"
    history = await client.get(
        f"/api/v1/organisations/{provider.id}/cqc-ratings", headers=bearer(token)
    )
    assert [(h["rating"], h["source"], h["rated_on"]) for h in history.json()] == [
        ("outstanding", "admin: report of 3 Nov read", "2026-11-03")
    ]


async def test_a_fall_to_inadequate_in_standstill_holds_the_conclusion_and_tells_the_commissioner(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    birch_org, birch = await admitted_provider(c, "Birch Care", cqc_location_id="1-2000002")
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, birch, accepted(1850))
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    assert (await award(client, c, call_off_id)).status_code == 200
    await run_due_in_process()
    sink.messages.clear()

    summary = await import_text(HEADER + "1-2000002,Birch,Inadequate,20/11/2026\n")
    assert summary.fell_to_inadequate == ["Birch Care (1-2000002)"]
    [change] = await CqcRatingChange.select().where(CqcRatingChange.provider == birch_org.id)
    assert (change["rating"], change["rated_on"]) == ("inadequate", date(2026, 11, 20))
    assert change["source"] == "CQC import test.csv"
    held = await Award.select(Award.held_at, Award.held_reason).first()
    assert held["held_at"] is not None and "Birch Care" in held["held_reason"]
    view = await client.get(f"/api/v1/call-offs/{call_off_id}/award", headers=bearer(c.token))
    assert "CQC rating inadequate" in view.json()["held_reason"]
    page = await client.get(f"/call-offs/{call_off_id}/award/standstill", headers=bearer(c.token))
    assert "Conclusion held" in page.text
    await run_due_in_process()
    [told] = [m for m in sink.messages if m["To"] == c.officer.email]
    assert told["Subject"] == "CQC rating inadequate: Birch Care"
    assert "conclusion is held" in plain_text(told)
    assert not [m for m in sink.messages if "Birch" in str(m["To"])]

    await Award.update(
        {Award.standstill_ends_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
    )
    assert await conclude_due_awards() == 0
    assert await status_of(client, c, call_off_id) == "awarded"
    await rate_provider(birch_org.id, "requires_improvement", "re-inspected")
    assert await conclude_due_awards() == 1
    assert await status_of(client, c, call_off_id) == "concluded"


async def test_a_fall_while_open_for_bids_tells_the_commissioner_and_the_close_excludes_it(
    client: Any, sink: Sink
) -> None:
    c = await commissioning()
    birch_org, birch = await admitted_provider(c, "Birch Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, birch, accepted(1850))
    await run_due_in_process()
    sink.messages.clear()

    await rate_provider(birch_org.id, "inadequate", "warning notice published")
    await run_due_in_process()
    [told] = [m for m in sink.messages if m["To"] == c.officer.email]
    body = plain_text(told)
    assert "admin: warning notice published" in body and "will exclude its bid" in body
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    opened = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).json()
    assert [b["gate_failures"] for b in opened] == [["CQC rating inadequate"]]


def test_the_command_imports_the_demo_file_once_and_reports_odd_rows(tmp_path: Path) -> None:
    sample = PROJECT_ROOT / "marketplace" / "demo" / "data" / "cqc_ratings_sample.csv"
    assert run_marketplace(tmp_path, "migrate").returncode == 0
    assert run_marketplace(tmp_path, "demo").returncode == 0
    first = run_marketplace(tmp_path, "import-cqc", str(sample))
    assert first.returncode == 0, first.stderr
    assert "3 ratings changed (33 unchanged, 3 locations not on the platform)" in first.stdout
    assert "Fell to inadequate: Weald Community Care (demo) (1-135502719)" in first.stdout
    again = run_marketplace(tmp_path, "import-cqc", str(sample))
    assert "0 ratings changed" in again.stdout
    odd = tmp_path / "odd.csv"
    odd.write_text(HEADER + "1-104729361,Oakleaf,Splendid,01/01/2026\n", encoding="utf-8")
    reported = run_marketplace(tmp_path, "import-cqc", str(odd))
    assert reported.returncode == 0
    assert "line 2: rating 'Splendid' is not one of CQC's" in reported.stdout
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,lat\n", encoding="utf-8")
    refused = run_marketplace(tmp_path, "import-cqc", str(wrong))
    assert refused.returncode == 1 and "no column" in refused.stderr


async def test_the_admin_page_sets_a_rating_with_a_reason_and_shows_the_history(
    client: Any,
) -> None:
    provider = await make_organisation("provider", name="Birch Care", cqc_rating="good")
    admin, _ = await make_admin()
    await sign_in(client, admin.email)
    listed = await client.get("/admin/cqc-ratings")
    assert listed.status_code == 200 and "Birch Care" in listed.text
    page = await client.get(f"/admin/cqc-ratings/{provider.id}")
    assert "No change recorded yet" in page.text
    form = {"csrf_token": csrf_token_in(page.text), "rating": "requires_improvement"}

    refused = await client.post(f"/admin/cqc-ratings/{provider.id}", data=form)
    assert refused.status_code == 400
    assert "Enter the reason for the rating" in refused.text
    done = await client.post(
        f"/admin/cqc-ratings/{provider.id}", data={**form, "reason": "report of 2 Nov"}
    )
    assert done.status_code == 303
    shown = await client.get(f"/admin/cqc-ratings/{provider.id}")
    assert "admin: report of 2 Nov" in shown.text and "Requires improvement" in shown.text
    commissioner = await make_organisation("commissioner")
    officer, _ = await make_user(commissioner.id, "commissioner")
    await client.post("/sign-out", data={"csrf_token": csrf_token_in(shown.text)})
    await sign_in(client, officer.email)
    assert (await client.get(f"/admin/cqc-ratings/{provider.id}")).status_code == 403
