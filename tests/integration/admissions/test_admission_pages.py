"""The admission pages: a provider applies (accepting the maximum prices) and adds evidence; the
deciding commissioner's staff see it waiting and approve it with a tender score or reject it with
a reason; blocks are made and lifted; every error named at once; others are refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from marketplace.audit.tables import AuditEvent
from tests.factories import make_admin, make_user
from tests.integration.admissions.test_admissions import World
from tests.sample_documents import MINIMAL_PDF
from tests.support import csrf_token_in, sign_in


@pytest.fixture
async def world(db: str) -> World:
    return await World().build()


async def _signed_in(client: Any, world: World, who: str) -> str:
    user, _ = await make_user(
        world.ids[who], "provider" if who in ("oakleaf", "other") else "commissioner"
    )
    await sign_in(client, user.email)
    return user.email


async def _token(client: Any, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return csrf_token_in(page.text)


async def _events(action: str) -> list[dict[str, Any]]:
    return await AuditEvent.select().where(AuditEvent.action == action)


async def test_a_provider_applies_with_evidence_and_the_commissioner_approves_with_a_score(
    client: Any, world: World
) -> None:
    await _signed_in(client, world, "oakleaf")
    token = await _token(client, "/admissions/new")
    applied = await client.post(
        "/admissions/new",
        data={
            "csrf_token": token,
            "lot_code": "LOT1",
            "area_codes": ["ASHFORD", "DOVER"],
            "accepts_maximum_prices": "yes",
        },
    )
    assert applied.status_code == 303, applied.text
    path = applied.headers["location"].split("?")[0]
    page = await client.get(path)
    assert "Application by Oakleaf to Lot one" in page.text
    assert "Ashford, Dover" in page.text and "Waiting for a decision" in page.text
    added = await client.post(
        f"{path}/evidence",
        data={"csrf_token": csrf_token_in(page.text)},
        files={"file": ("insurance.pdf", MINIMAL_PDF, "application/pdf")},
    )
    assert added.status_code == 303, added.text
    assert "insurance.pdf" in (await client.get(path)).text
    assert len(await _events("attach_admission_evidence")) == 1

    client.cookies.clear()
    await _signed_in(client, world, "kent")
    waiting = await client.get("/admissions")
    assert "Oakleaf" in waiting.text and path in waiting.text
    page = await client.get(path)
    decided = await client.post(
        f"{path}/decision",
        data={"csrf_token": csrf_token_in(page.text), "decision": "approve", "tender_score": "72"},
    )
    assert decided.status_code == 303, decided.text
    shown = (await client.get(path)).text
    assert "Approved" in shown and "72 out of 100" in shown
    (event,) = await _events("decide_admission")
    assert '"decision":"approved"' in event["details"] and '"tender_score":72' in event["details"]


async def test_the_application_form_names_every_missing_answer_at_once(
    client: Any, world: World
) -> None:
    await _signed_in(client, world, "oakleaf")
    token = await _token(client, "/admissions/new")
    refused = await client.post("/admissions/new", data={"csrf_token": token})
    assert refused.status_code == 400
    summary = re.findall(r'href="#(lot_code|area_codes|accepts_maximum_prices)"', refused.text)
    assert summary == ["lot_code", "area_codes", "accepts_maximum_prices"]
    assert "Confirm that you accept the lot&#39;s maximum prices" in refused.text
    two = await client.post(
        "/admissions/new",
        data={
            "csrf_token": token,
            "lot_code": "LOT1",
            "area_codes": ["ASHFORD", "WEYMOUTH"],
            "accepts_maximum_prices": "yes",
        },
    )
    assert two.status_code == 422
    assert "must all belong to one commissioner" in two.text
    assert await _events("apply_for_admission") == []


async def test_a_rejection_needs_a_reason_and_takes_no_score(client: Any, world: World) -> None:
    await _signed_in(client, world, "oakleaf")
    token = await _token(client, "/admissions/new")
    applied = await client.post(
        "/admissions/new",
        data={
            "csrf_token": token,
            "lot_code": "LOT1",
            "area_codes": "ASHFORD",
            "accepts_maximum_prices": "yes",
        },
    )
    path = applied.headers["location"].split("?")[0]
    client.cookies.clear()
    await _signed_in(client, world, "kent")
    token = await _token(client, path)
    refused = await client.post(
        f"{path}/decision", data={"csrf_token": token, "decision": "reject", "tender_score": "101"}
    )
    assert refused.status_code == 400
    assert 'href="#reason"' in refused.text and 'href="#tender_score"' in refused.text
    rejected = await client.post(
        f"{path}/decision",
        data={"csrf_token": token, "decision": "reject", "reason": "No evidence of insurance"},
    )
    assert rejected.status_code == 303
    again = await client.post(f"{path}/decision", data={"csrf_token": token, "decision": "approve"})
    assert again.status_code == 409 and "already decided" in again.text
    assert len(await _events("decide_admission")) == 1


async def test_only_the_deciding_commissioner_and_the_provider_see_an_application(
    client: Any, world: World
) -> None:
    await _signed_in(client, world, "oakleaf")
    token = await _token(client, "/admissions/new")
    applied = await client.post(
        "/admissions/new",
        data={
            "csrf_token": token,
            "lot_code": "LOT1",
            "area_codes": "ASHFORD",
            "accepts_maximum_prices": "yes",
        },
    )
    path = applied.headers["location"].split("?")[0]
    client.cookies.clear()
    await _signed_in(client, world, "dorset")
    assert (await client.get(path)).status_code == 404
    token = await _token(client, "/admissions")
    decided = await client.post(
        f"{path}/decision", data={"csrf_token": token, "decision": "approve"}
    )
    assert decided.status_code == 404
    assert (await client.get("/admissions/new")).status_code == 403
    assert (await client.get("/admissions", params={"cursor": "bad!"})).status_code == 400
    client.cookies.clear()
    await _signed_in(client, world, "other")
    assert (await client.get(path)).status_code == 404
    assert (await client.get("/blocks")).status_code == 403
    client.cookies.clear()
    admin, _ = await make_admin()
    await sign_in(client, admin.email)
    assert (await client.get(path)).status_code == 200
    assert (await client.get("/admissions/new")).status_code == 403


async def test_a_commissioner_blocks_a_provider_and_lifts_the_block(
    client: Any, world: World
) -> None:
    await _signed_in(client, world, "kent")
    token = await _token(client, "/blocks")
    refused = await client.post("/blocks", data={"csrf_token": token})
    assert refused.status_code == 400
    assert 'href="#provider_id"' in refused.text and 'href="#reason"' in refused.text
    blocked = await client.post(
        "/blocks",
        data={
            "csrf_token": token,
            "provider_id": str(world.ids["oakleaf"]),
            "reason": "Safeguarding inquiry",
        },
    )
    assert blocked.status_code == 303 and blocked.headers["location"] == "/blocks"
    page = (await client.get(blocked.headers["location"])).text
    assert "The provider is blocked" in page
    assert "Oakleaf" in page and "Safeguarding inquiry" in page and "Blocked" in page
    twice = await client.post(
        "/blocks",
        data={"csrf_token": token, "provider_id": str(world.ids["oakleaf"]), "reason": "Again"},
    )
    assert twice.status_code == 409 and "already blocked" in twice.text
    block_id = re.search(r'action="/blocks/([0-9a-f-]+)/lift"', page)[1]
    lifted = await client.post(
        f"/blocks/{block_id}/lift", data={"csrf_token": token, "reason": "Inquiry closed"}
    )
    assert lifted.status_code == 303
    assert "Lifted" in (await client.get("/blocks")).text
    assert len(await _events("block_provider")) == 1
    assert len(await _events("unblock_provider")) == 1
