"""The audit log: recording, sealing into a chain, verifying, the trigger, and who may read it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from marketplace.accounts import schemas
from marketplace.accounts.authentication import (
    end_browser_session,
    issue_api_token,
    start_browser_session,
)
from marketplace.accounts.cqc_ratings import set_rating
from marketplace.audit.chain import GENESIS_HASH, chain_hash, event_digest
from marketplace.audit.sealing import seal_audit_log, verify_audit_log
from marketplace.audit.service import record
from marketplace.audit.tables import AuditEvent, AuditEventDigest, AuditSeal
from marketplace.db import current_engine, is_postgres
from marketplace.errors import NotSignedIn
from tests.factories import (
    PASSWORD,
    admin_principal,
    bearer,
    make_admin,
    make_organisation,
    make_user,
)
from tests.support import run_marketplace


async def events(action: str | None = None) -> list[dict[str, Any]]:
    query = AuditEvent.select().order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return await query


async def as_operator(sql: str, *args: Any) -> None:
    """Change the log the way someone with database access could: on PostgreSQL, with the
    triggers skipped for their own connection."""
    async with current_engine().transaction():
        if is_postgres():
            await AuditEvent.raw("SET LOCAL session_replication_role = replica")
        await AuditEvent.raw(sql, *args)


async def test_recorded_events_are_sealed_into_a_chain(db: str) -> None:
    await make_admin()  # create_admin and issue_api_token
    recorded = await events()
    assert [e["action"] for e in recorded] == ["create_admin", "issue_api_token"]

    assert await seal_audit_log() == 2
    assert await seal_audit_log() == 0
    first = await AuditSeal.select().first()
    digests = await AuditEventDigest.select().order_by(AuditEventDigest.event_id)
    assert [d["digest"] for d in digests] == [event_digest(e) for e in recorded]
    assert first["previous_hash"] == GENESIS_HASH
    assert first["hash"] == chain_hash(GENESIS_HASH, [d["digest"] for d in digests])
    assert first["event_count"] == 2

    await record(None, "test_event", "test")
    assert await seal_audit_log() == 1
    second = await AuditSeal.select().order_by(AuditSeal.id, ascending=False).first()
    assert second["previous_hash"] == first["hash"]


async def test_sealers_running_beside_writers_seal_every_event_once(db: str) -> None:
    async def write(number: int) -> None:
        await record(None, "test_event", "test", number)

    results = await asyncio.gather(
        *(write(n) for n in range(30)), *(seal_audit_log(max_events=7) for _ in range(6))
    )
    while await seal_audit_log(max_events=7):
        pass

    assert sum(results[30:]) <= 30
    assert await AuditEventDigest.count() == 30
    result = await verify_audit_log()
    assert result.ok, result.message
    assert result.sealed_events == 30


async def test_verify_reports_ok_with_the_counts_on_a_clean_log(db: str) -> None:
    assert (await verify_audit_log()).message == "ok: 0 events in 0 seals"
    for number in range(5):
        await record(None, "test_event", "test", number, details={"n": number})
    assert await seal_audit_log(max_events=2) == 2
    assert await seal_audit_log(max_events=2) == 2
    await record(None, "test_event", "test", 99)

    result = await verify_audit_log()
    assert result.ok
    assert (
        result.message
        == "ok: 4 events in 2 seals, as anchored in the archive; 2 recent events not sealed yet"
    )
    assert (result.sealed_events, result.seals, result.unsealed_events) == (4, 2, 2)


async def test_an_event_edited_after_sealing_is_named(db: str) -> None:
    user, _ = await make_admin()
    await seal_audit_log()
    created = (await events("create_admin"))[0]

    await as_operator(
        "UPDATE audit_event SET details = {} WHERE id = {}", '{"role":"provider"}', created["id"]
    )

    result = await verify_audit_log()
    assert not result.ok
    assert result.message.startswith(
        f"event {created['id']} (create_admin on user {user.id.hex[:8]}"
    )
    assert result.message.endswith("was changed after it was sealed")


async def test_a_removed_event_is_named(db: str) -> None:
    await make_admin()
    await seal_audit_log()
    token_issued = (await events("issue_api_token"))[0]

    await as_operator("DELETE FROM audit_event WHERE id = {}", token_issued["id"])

    result = await verify_audit_log()
    assert not result.ok
    assert result.message == f"event {token_issued['id']} (sealed in seal 1) was removed"


async def test_an_edited_seal_is_detected(db: str) -> None:
    await record(None, "test_event", "test", 1)
    await seal_audit_log()
    await record(None, "test_event", "test", 2)
    await seal_audit_log()
    seals = await AuditSeal.select().order_by(AuditSeal.id)

    await as_operator("UPDATE audit_seal SET hash = {} WHERE id = {}", "f" * 64, seals[0]["id"])
    assert (
        await verify_audit_log()
    ).message == f"seal {seals[0]['id']}'s hash does not match its events"

    await as_operator(
        "UPDATE audit_seal SET hash = {} WHERE id = {}", seals[0]["hash"], seals[0]["id"]
    )
    assert (await verify_audit_log()).ok
    await as_operator(
        "UPDATE audit_seal SET previous_hash = {} WHERE id = {}", "e" * 64, seals[1]["id"]
    )
    assert (await verify_audit_log()).message == (
        f"seal {seals[1]['id']} does not follow seal {seals[0]['id']}"
    )


async def test_removing_a_whole_seal_from_the_middle_is_detected(db: str) -> None:
    for number in range(3):
        await record(None, "test_event", "test", number)
        await seal_audit_log()
    middle = (await AuditSeal.select().order_by(AuditSeal.id))[1]["id"]

    await as_operator("DELETE FROM audit_event_digest WHERE seal = {}", middle)
    await as_operator("DELETE FROM audit_seal WHERE id = {}", middle)

    assert (
        await verify_audit_log()
    ).message == f"seal {middle + 1} does not follow seal {middle - 1}"


# The append-only trigger is PostgreSQL's; on SQLite only the chain protects (tests above).
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_postgres_refuses_to_change_the_audit_log(db: str) -> None:
    assert is_postgres()
    await record(None, "test_event", "test", 1)
    await seal_audit_log()

    with pytest.raises(Exception, match="the audit log is append-only"):
        await AuditEvent.update({AuditEvent.details: "{}"}).where(AuditEvent.id == 1)
    with pytest.raises(Exception, match="the audit log is append-only"):
        await AuditEvent.delete().where(AuditEvent.id == 1)
    with pytest.raises(Exception, match="the audit log is append-only"):
        await AuditSeal.update({AuditSeal.hash: "0" * 64}).where(AuditSeal.id == 1)
    with pytest.raises(Exception, match="the audit log is append-only"):
        await AuditEventDigest.raw("TRUNCATE audit_event_digest")
    assert len(await events()) == 1
    assert (await verify_audit_log()).ok


async def test_a_refused_sign_in_is_audited_for_the_users_organisation(db: str) -> None:
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")

    with pytest.raises(NotSignedIn):
        await issue_api_token(schemas.TokenCreate(email=user.email, password="not the password"))
    with pytest.raises(NotSignedIn):
        await issue_api_token(schemas.TokenCreate(email="nobody@example.org", password=PASSWORD))

    wrong_password, unknown = await events("sign_in_refused")
    assert wrong_password["actor_user_id"] is None
    assert wrong_password["entity_id"] == str(user.id)
    assert wrong_password["organisation_id"] == provider.id
    assert '"email":"' + user.email + '"' in wrong_password["details"]
    assert "not the password" not in wrong_password["details"]
    assert unknown["organisation_id"] is None
    assert '"email":"nobody@example.org"' in unknown["details"]


async def test_signing_in_and_out_of_a_browser_is_audited(db: str) -> None:
    commissioner = await make_organisation("commissioner")
    user, _ = await make_user(commissioner.id, "commissioner")

    session = await start_browser_session(user.email, PASSWORD)
    await end_browser_session(session)

    signed_in, signed_out = await events("sign_in"), await events("sign_out")
    assert [e["actor_email"] for e in signed_in + signed_out] == [user.email, user.email]
    assert signed_out[0]["organisation_id"] == commissioner.id


async def test_a_cqc_rating_change_is_audited_for_the_provider(db: str) -> None:
    provider = await make_organisation("provider")
    admin, _ = await make_admin()

    await set_rating(
        admin_principal(admin),
        provider.id,
        schemas.CqcRatingSet(rating="good", reason="report published"),
    )

    (changed,) = await events("change_cqc_rating")
    assert changed["organisation_id"] == provider.id
    assert changed["actor_email"] == admin.email
    assert msgspec.json.decode(changed["details"]) == {
        "new": "good",
        "old": "not_yet_rated",
        "rated_on": None,
        "source": "admin: report published",
    }


async def test_the_audit_api_shows_admins_everything_and_commissioners_their_own(
    db: str, client: Any
) -> None:
    _, admin_token = await make_admin()
    commissioner = await make_organisation("commissioner")
    other = await make_organisation("commissioner")
    provider = await make_organisation("provider")
    _, officer_token = await make_user(commissioner.id, "commissioner")
    _, provider_token = await make_user(provider.id, "provider")
    await make_user(other.id, "opener")
    await seal_audit_log()
    await record(None, "test_event", "test", "late", organisation_id=commissioner.id)

    everything = (await client.get("/api/v1/audit?limit=200", headers=bearer(admin_token))).json()
    assert len(everything["items"]) == len(await events())
    assert [i["id"] for i in everything["items"]] == sorted(
        (i["id"] for i in everything["items"]), reverse=True
    )
    assert everything["items"][0]["sealed"] is False
    assert everything["items"][-1]["sealed"] is True

    own = (await client.get("/api/v1/audit", headers=bearer(officer_token))).json()
    own_ids = {e["id"] for e in await events() if e["organisation_id"] == commissioner.id}
    assert {i["id"] for i in own["items"]} == own_ids
    assert {"create_organisation", "create_user", "issue_api_token", "test_event"} <= {
        i["action"] for i in own["items"]
    }

    users = await client.get(
        "/api/v1/audit",
        params={"entity": "organisation", "entity_id": str(commissioner.id)},
        headers=bearer(officer_token),
    )
    (created,) = users.json()["items"]
    assert created["action"] == "create_organisation"
    assert created["details"]["kind"] == "commissioner"
    assert isinstance(created["actor_email"], str)

    refused = await client.get("/api/v1/audit", headers=bearer(provider_token))
    assert refused.status_code == 403


async def test_the_audit_api_pages_newest_first(db: str, client: Any) -> None:
    admin, token = await make_admin()
    for number in range(5):
        await record(admin_principal(admin), "test_event", "test", number)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/audit", params=params, headers=bearer(token))).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted((e["id"] for e in await events()), reverse=True)
    unknown = await client.get("/api/v1/audit?cursor=nonsense", headers=bearer(token))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "cursor"
    bad = await client.get("/api/v1/audit?cursor=no%20such", headers=bearer(token))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cursor"


def test_the_audit_verify_command_says_ok_or_names_the_broken_link(tmp_path: Path) -> None:
    assert run_marketplace(tmp_path, "migrate").returncode == 0
    created = run_marketplace(
        tmp_path, "admin", "create", "--email", "a@example.org", "--password", PASSWORD
    )
    assert created.returncode == 0, created.stderr

    sealed = run_marketplace(tmp_path, "audit", "seal")
    assert (sealed.returncode, sealed.stdout.strip()) == (0, "Sealed 1 events.")
    verified = run_marketplace(tmp_path, "audit", "verify")
    assert (verified.returncode, verified.stdout.strip()) == (
        0,
        "ok: 1 events in 1 seals, as anchored in the archive",
    )

    with sqlite3.connect(tmp_path / "marketplace.sqlite") as connection:
        connection.execute("UPDATE audit_event SET actor_email = 'someone@else.org' WHERE id = 1")
    broken = run_marketplace(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert "event 1 (create_admin on user " in broken.stderr
    assert "was changed after it was sealed" in broken.stderr
