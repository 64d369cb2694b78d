"""Admission to the DPS: applications, decisions (emailed and audited), evidence documents, the
decision target, blocks, and the provider gates that publication and closing check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from marketplace.admissions.eligibility import eligible_providers, provider_gate_failures
from marketplace.admissions.rules import london_date
from marketplace.admissions.tables import Admission
from marketplace.audit.tables import AuditEvent
from marketplace.notifications.relay import run_due_in_process
from marketplace.reference import schemas as tenders_schemas
from marketplace.reference.seeding import ensure_areas, ensure_lots
from marketplace.working_days import add_working_days, working_days_between
from tests.factories import bearer, make_organisation, make_user, rate_provider
from tests.sample_documents import MINIMAL_PDF
from tests.support_mail import Sink


class World:
    """Two commissioners with areas, the lot LOT1, and two providers with a user each."""

    def __init__(self) -> None:
        self.ids: dict[str, UUID] = {}
        self.tokens: dict[str, str] = {}

    async def build(self) -> World:
        for name in ("kent", "dorset"):
            organisation = await make_organisation("commissioner", name=name.title())
            self.ids[name] = organisation.id
            _, self.tokens[name] = await make_user(organisation.id, "commissioner")
        for name in ("oakleaf", "other"):
            organisation = await make_organisation("provider", name=name.title())
            self.ids[name] = organisation.id
            _, self.tokens[name] = await make_user(organisation.id, "provider")
        lots, _ = await ensure_lots([tenders_schemas.LotCreate(code="LOT1", name="Lot one")])
        self.ids["LOT1"] = lots["LOT1"]
        areas, _ = await ensure_areas(
            tenders_schemas.AreaCreate(code=code, name=code.title(), commissioner_id=self.ids[who])
            for code, who in (("ASHFORD", "kent"), ("DOVER", "kent"), ("WEYMOUTH", "dorset"))
        )
        self.ids.update(areas)
        return self


@pytest.fixture
async def world(db: str) -> World:
    return await World().build()


async def apply(client: Any, token: str, *areas: str, lot: str = "LOT1") -> Any:
    return await client.post(
        "/api/v1/admissions",
        json={"lot_code": lot, "area_codes": list(areas), "accepts_maximum_prices": True},
        headers=bearer(token),
    )


async def decide(client: Any, token: str, admission_id: str, **body: Any) -> Any:
    return await client.post(
        f"/api/v1/admissions/{admission_id}/decision", json=body, headers=bearer(token)
    )


async def actions(action: str) -> list[dict[str, Any]]:
    return await AuditEvent.select().where(AuditEvent.action == action)


async def test_an_application_without_accepting_the_maximum_prices_is_refused_naming_it(
    client: Any, world: World
) -> None:
    token = world.tokens["oakleaf"]
    for body in (
        {"lot_code": "LOT1", "area_codes": ["ASHFORD"]},
        {"lot_code": "LOT1", "area_codes": ["ASHFORD"], "accepts_maximum_prices": False},
    ):
        refused = await client.post("/api/v1/admissions", json=body, headers=bearer(token))
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "accepts_maximum_prices"
        assert "night rates" in refused.json()["detail"]
    accepted = await apply(client, token, "ASHFORD")
    assert accepted.status_code == 201, accepted.text
    when = accepted.json()["maximum_prices_accepted_at"]
    assert when is not None and when == accepted.json()["applied_at"]


async def test_an_approved_application_is_emailed_to_the_provider_and_audited(
    client: Any, world: World, sink: Sink
) -> None:
    applied = await apply(client, world.tokens["oakleaf"], "ASHFORD", "DOVER", "ASHFORD")
    assert applied.status_code == 201, applied.text
    admission = applied.json()
    assert admission["status"] == "applied"
    assert [area["code"] for area in admission["areas"]] == ["ASHFORD", "DOVER"]
    assert admission["commissioner_id"] == str(world.ids["kent"])
    assert admission["waited_working_days"] <= 1 and admission["overdue"] is False
    await run_due_in_process()
    welcomes = len(sink.messages)

    decided = await decide(client, world.tokens["kent"], admission["id"], decision="approve")

    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved" and decided.json()["decided_at"]
    await run_due_in_process()
    emails = sink.messages[welcomes:]
    assert len(emails) == 1
    assert emails[0]["Subject"] == "Application to Lot one approved"
    text = emails[0].get_payload(0).get_payload(decode=True).decode()
    assert "Ashford" in text and "Oakleaf" in text and "Lot one" in text
    assert "ASHFORD" not in text and "LOT1" not in text, "names, never codes"
    assert [e["entity_id"] for e in await actions("apply_for_admission")] == [admission["id"]]
    (event,) = await actions("decide_admission")
    assert event["entity_id"] == admission["id"]
    assert event["organisation_id"] == world.ids["kent"]
    assert '"decision":"approved"' in event["details"]
    audit = await client.get(
        "/api/v1/audit", params={"entity": "admission"}, headers=bearer(world.tokens["kent"])
    )
    assert {e["action"] for e in audit.json()["items"]} >= {"decide_admission"}


async def test_a_rejection_needs_a_reason_and_an_application_is_decided_once(
    client: Any, world: World, sink: Sink
) -> None:
    admission = (await apply(client, world.tokens["oakleaf"], "ASHFORD")).json()
    await run_due_in_process()
    welcomes = len(sink.messages)

    no_reason = await decide(client, world.tokens["kent"], admission["id"], decision="reject")
    blank = await decide(
        client, world.tokens["kent"], admission["id"], decision="reject", reason=" "
    )
    rejected = await decide(
        client, world.tokens["kent"], admission["id"], decision="reject", reason="No CQC evidence"
    )
    again = await decide(client, world.tokens["kent"], admission["id"], decision="approve")

    assert no_reason.status_code == 422 and blank.status_code == 422
    assert no_reason.headers["content-type"].startswith("application/problem+json")
    assert no_reason.json()["errors"] == [
        {"field": "reason", "code": "required", "message": "The reason is required when rejecting"}
    ]
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "No CQC evidence"
    assert again.status_code == 409 and "already decided" in again.json()["detail"]
    await run_due_in_process()
    (email,) = sink.messages[welcomes:]
    assert email["Subject"] == "Application to Lot one not approved"
    assert "No CQC evidence" in email.get_payload(0).get_payload(decode=True).decode()


async def test_other_tenants_never_see_or_decide_an_application(client: Any, world: World) -> None:
    admission = (await apply(client, world.tokens["oakleaf"], "ASHFORD")).json()
    path = f"/api/v1/admissions/{admission['id']}"

    for outsider in ("dorset", "other"):
        shown = await client.get(path, headers=bearer(world.tokens[outsider]))
        assert shown.status_code == 404
        listed = await client.get("/api/v1/admissions", headers=bearer(world.tokens[outsider]))
        assert listed.json()["items"] == []
    decided = await decide(client, world.tokens["dorset"], admission["id"], decision="approve")
    assert decided.status_code == 404
    by_provider = await decide(client, world.tokens["other"], admission["id"], decision="approve")
    assert by_provider.status_code == 403
    for insider in ("oakleaf", "kent"):
        assert (await client.get(path, headers=bearer(world.tokens[insider]))).status_code == 200
        listed = await client.get("/api/v1/admissions", headers=bearer(world.tokens[insider]))
        assert [item["id"] for item in listed.json()["items"]] == [admission["id"]]


async def test_applications_break_no_rule_on_areas_lots_or_open_applications(
    client: Any, world: World
) -> None:
    token = world.tokens["oakleaf"]

    two = await apply(client, token, "ASHFORD", "WEYMOUTH")
    unknown = await apply(client, token, "ASHFORD", "NOWHERE")
    no_lot = await apply(client, token, "ASHFORD", lot="LOT9")
    empty = await apply(client, token)
    first = await apply(client, token, "ASHFORD")
    second = await apply(client, token, "DOVER")
    elsewhere = await apply(client, token, "WEYMOUTH")
    by_commissioner = await apply(client, world.tokens["kent"], "ASHFORD")

    assert two.status_code == 422
    assert two.json()["errors"] == [
        {
            "field": "area_codes",
            "code": "invalid",
            "message": "The areas must all belong to one commissioner",
        }
    ]
    assert unknown.status_code == 422
    [error] = unknown.json()["errors"]
    assert (error["field"], error["code"]) == ("area_codes[1]", "not_a_choice")
    assert error["message"].endswith("is not an area of the marketplace")
    assert no_lot.status_code == 422 and no_lot.json()["errors"][0]["field"] == "lot_code"
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "area_codes"
    assert first.status_code == 201
    assert second.status_code == 409, "one open application per lot and commissioner"
    assert elsewhere.status_code == 201, "another commissioner's areas are another application"
    assert by_commissioner.status_code == 403

    await decide(client, world.tokens["kent"], first.json()["id"], decision="approve")
    more = await apply(client, token, "DOVER")
    admitted = await apply(client, token, "ASHFORD")
    assert more.status_code == 201, "after approval, more areas are a new application"
    assert admitted.status_code == 422 and "already admitted" in admitted.json()["detail"].lower()


async def test_evidence_is_archived_for_the_commissioner_and_hidden_from_other_providers(
    client: Any, world: World
) -> None:
    admission = (await apply(client, world.tokens["oakleaf"], "ASHFORD")).json()
    path = f"/api/v1/admissions/{admission['id']}/documents"
    files = {"file": ("CQC report.pdf", MINIMAL_PDF, "application/pdf")}

    by_other = await client.post(path, files=files, headers=bearer(world.tokens["other"]))
    uploaded = await client.post(path, files=files, headers=bearer(world.tokens["oakleaf"]))

    assert by_other.status_code == 404
    assert uploaded.status_code == 201, uploaded.text
    (document,) = uploaded.json()["documents"]
    assert document["filename"] == "CQC report.pdf"
    assert document["media_type"] == "application/pdf"
    shown = await client.get(
        f"/api/v1/admissions/{admission['id']}", headers=bearer(world.tokens["kent"])
    )
    assert shown.json()["documents"] == [document]
    fetch = f"/api/v1/documents/{document['id']}"
    assert (await client.get(fetch, headers=bearer(world.tokens["kent"]))).status_code == 303
    assert (await client.get(fetch, headers=bearer(world.tokens["oakleaf"]))).status_code == 303
    assert (await client.get(fetch, headers=bearer(world.tokens["other"]))).status_code == 404
    (event,) = await actions("attach_admission_evidence")
    assert event["entity_id"] == admission["id"]

    await decide(client, world.tokens["kent"], admission["id"], decision="approve")
    late = await client.post(path, files=files, headers=bearer(world.tokens["oakleaf"]))
    assert late.status_code == 409


async def test_an_application_shows_its_wait_against_the_ten_working_day_target(
    client: Any, world: World
) -> None:
    waiting = (await apply(client, world.tokens["oakleaf"], "ASHFORD")).json()
    decided = (await apply(client, world.tokens["oakleaf"], "WEYMOUTH")).json()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    for admission in (waiting, decided):
        await Admission.update({Admission.applied_at: long_ago}).where(
            Admission.id == UUID(admission["id"])
        )
    await decide(client, world.tokens["dorset"], decided["id"], decision="approve")
    quick = datetime.now(UTC) - timedelta(days=29)
    await Admission.update({Admission.decided_at: quick}).where(Admission.id == UUID(decided["id"]))

    shown = (
        await client.get(
            f"/api/v1/admissions/{waiting['id']}", headers=bearer(world.tokens["kent"])
        )
    ).json()
    on_time = (
        await client.get(
            f"/api/v1/admissions/{decided['id']}", headers=bearer(world.tokens["oakleaf"])
        )
    ).json()

    applied_on = london_date(long_ago)
    due_on = add_working_days(applied_on, 10)
    assert shown["decision_due_on"] == due_on.isoformat()
    assert shown["waited_working_days"] == working_days_between(
        applied_on, london_date(datetime.now(UTC))
    )
    assert shown["waited_working_days"] > 10 and shown["overdue"] is True
    assert on_time["waited_working_days"] == working_days_between(applied_on, london_date(quick))
    assert on_time["overdue"] is False


async def test_listing_applications_pages_newest_first(client: Any, world: World) -> None:
    first = (await apply(client, world.tokens["oakleaf"], "ASHFORD")).json()
    second = (await apply(client, world.tokens["other"], "ASHFORD")).json()
    kent = bearer(world.tokens["kent"])

    page = (await client.get("/api/v1/admissions", params={"limit": 1}, headers=kent)).json()
    rest = (
        await client.get(
            "/api/v1/admissions", params={"limit": 1, "cursor": page["next_cursor"]}, headers=kent
        )
    ).json()
    approved = await client.get("/api/v1/admissions", params={"status": "approved"}, headers=kent)
    # A cursor of the declared form that this API did not give out: 422; any other text: 400.
    unknown = await client.get("/api/v1/admissions", params={"cursor": "nonsense"}, headers=kent)
    bad = await client.get("/api/v1/admissions", params={"cursor": "not one!"}, headers=kent)

    assert [i["id"] for i in page["items"] + rest["items"]] == [second["id"], first["id"]]
    assert rest["next_cursor"] is None
    assert approved.json()["items"] == []
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "cursor"
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cursor"


async def test_a_commissioner_blocks_and_unblocks_a_provider_with_audit(
    client: Any, world: World
) -> None:
    kent = bearer(world.tokens["kent"])
    provider = str(world.ids["oakleaf"])

    blocked = await client.post(
        "/api/v1/blocks", json={"provider_id": provider, "reason": "Missed visits"}, headers=kent
    )
    twice = await client.post(
        "/api/v1/blocks", json={"provider_id": provider, "reason": "Again"}, headers=kent
    )
    not_provider = await client.post(
        "/api/v1/blocks",
        json={"provider_id": str(world.ids["dorset"]), "reason": "x"},
        headers=kent,
    )
    by_provider = await client.post(
        "/api/v1/blocks",
        json={"provider_id": provider, "reason": "x"},
        headers=bearer(world.tokens["other"]),
    )
    assert blocked.status_code == 201, blocked.text
    block = blocked.json()
    assert block["active"] is True and block["reason"] == "Missed visits"
    assert twice.status_code == 409
    assert not_provider.status_code == 422
    assert not_provider.json()["errors"][0]["field"] == "provider_id"
    assert by_provider.status_code == 403
    listed = await client.get("/api/v1/blocks", headers=kent)
    assert [b["id"] for b in listed.json()["items"]] == [block["id"]]
    dorset_list = await client.get("/api/v1/blocks", headers=bearer(world.tokens["dorset"]))
    assert dorset_list.json()["items"] == []

    path = f"/api/v1/blocks/{block['id']}"
    by_other = await client.request(
        "DELETE", path, json={"reason": "x"}, headers=bearer(world.tokens["dorset"])
    )
    lifted = await client.request("DELETE", path, json={"reason": "Improved"}, headers=kent)
    lifted_again = await client.delete(path, headers=kent)

    assert by_other.status_code == 404
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["active"] is False and lifted.json()["unblock_reason"] == "Improved"
    assert lifted_again.status_code == 409
    active = await client.get("/api/v1/blocks", params={"active": "true"}, headers=kent)
    assert active.json()["items"] == []
    reblocked = await client.post(
        "/api/v1/blocks", json={"provider_id": provider, "reason": "Late again"}, headers=kent
    )
    assert reblocked.status_code == 201
    assert [e["entity_id"] for e in await actions("block_provider")] == [
        block["id"],
        reblocked.json()["id"],
    ]
    (unblocked,) = await actions("unblock_provider")
    assert unblocked["entity_id"] == block["id"] and "Improved" in unblocked["details"]


async def _admit(client: Any, world: World, provider: str, *areas: str) -> None:
    admission = (await apply(client, world.tokens[provider], *areas)).json()
    commissioner = "dorset" if areas[0] == "WEYMOUTH" else "kent"
    decided = await decide(client, world.tokens[commissioner], admission["id"], decision="approve")
    assert decided.status_code == 200


async def test_eligible_providers_pass_admission_block_cqc_and_enforcement_gates(
    client: Any, world: World
) -> None:
    kent, lot = world.ids["kent"], world.ids["LOT1"]
    ashford, dover = world.ids["ASHFORD"], world.ids["DOVER"]
    oakleaf, other = world.ids["oakleaf"], world.ids["other"]
    await _admit(client, world, "oakleaf", "ASHFORD", "DOVER")
    await _admit(client, world, "other", "DOVER")
    pending = await apply(client, world.tokens["other"], "ASHFORD")
    assert pending.status_code == 201

    assert await eligible_providers(kent, lot, [ashford, dover], "cluster") == {
        oakleaf: {ashford, dover},
        other: {dover},
    }
    assert await eligible_providers(kent, lot, [ashford], "cluster") == {oakleaf: {ashford}}
    assert await eligible_providers(kent, lot, [], "cluster") == {}

    headers = bearer(world.tokens["kent"])
    block = await client.post(
        "/api/v1/blocks",
        json={"provider_id": str(other), "reason": "Missed visits"},
        headers=headers,
    )
    assert await eligible_providers(kent, lot, [ashford, dover], "cluster") == {
        oakleaf: {ashford, dover}
    }
    await client.delete(f"/api/v1/blocks/{block.json()['id']}", headers=headers)
    assert other in await eligible_providers(kent, lot, [dover], "cluster")

    await rate_provider(oakleaf, "inadequate")
    assert set(await eligible_providers(kent, lot, [ashford, dover], "cluster")) == {other}
    await rate_provider(oakleaf, "good")
    patched = await client.patch(
        f"/api/v1/organisations/{oakleaf}", json={"enforcement_pending": True}, headers=headers
    )
    assert patched.status_code == 200
    assert set(await eligible_providers(kent, lot, [ashford, dover], "cluster")) == {other}
    await client.patch(
        f"/api/v1/organisations/{oakleaf}", json={"enforcement_pending": False}, headers=headers
    )
    assert set(await eligible_providers(kent, lot, [ashford, dover], "cluster")) == {oakleaf, other}


async def test_provider_gate_failures_say_which_gates_fail(client: Any, world: World) -> None:
    kent, lot = world.ids["kent"], world.ids["LOT1"]
    ashford, dover = world.ids["ASHFORD"], world.ids["DOVER"]
    oakleaf = world.ids["oakleaf"]
    await _admit(client, world, "oakleaf", "ASHFORD")

    assert await provider_gate_failures(kent, lot, [ashford], oakleaf, "cluster") == []
    assert await provider_gate_failures(kent, lot, [ashford, dover], oakleaf, "cluster") == [
        "not admitted to the lot LOT1 for DOVER"
    ]
    headers = bearer(world.tokens["kent"])
    await client.post(
        "/api/v1/blocks",
        json={"provider_id": str(oakleaf), "reason": "Missed visits"},
        headers=headers,
    )
    await rate_provider(oakleaf, "inadequate")
    await client.patch(
        f"/api/v1/organisations/{oakleaf}", json={"enforcement_pending": True}, headers=headers
    )

    assert await provider_gate_failures(kent, lot, [ashford], oakleaf, "cluster") == [
        "blocked by this commissioner: Missed visits",
        "CQC rating inadequate",
        "enforcement action pending",
    ]
    dorset = world.ids["dorset"]
    assert await provider_gate_failures(
        dorset, lot, [world.ids["WEYMOUTH"]], oakleaf, "cluster"
    ) == [
        "not admitted to the lot LOT1 for WEYMOUTH",
        "CQC rating inadequate",
        "enforcement action pending",
    ]
