"""Rotating the key-encryption key: every call-off data key re-wrapped and every two-factor secret
re-sealed under the new KEK, resumable (stopped half-way, a second run finishes with nothing
wrapped twice or lost), audited; afterwards sealed bids open, and codes check, under the new KEK
alone. Through the use case and through the real `marketplace keys rotate-kek` command."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from typing import Any

import pytest

from marketplace.accounts import two_factor
from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_due_call_offs
from marketplace.bids.key_rotation import RotationRefused, rotate_key_encryption_key
from marketplace.bids.sealing import (
    SealBroken,
    kek_fingerprint,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from marketplace.bids.tables import CallOffKey
from marketplace.config import reset_settings
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, make_organisation, make_user
from tests.integration.accounts.test_two_factor import enrol, next_code
from tests.integration.bids.test_bids import ENABLEMENT_BID, pass_the_deadline, published
from tests.support import MARKETPLACE

OLD_KEK, NEW_KEK = os.urandom(32), os.urandom(32)


def use_keys(monkeypatch: pytest.MonkeyPatch, kek: bytes, previous: bytes | None = None) -> None:
    monkeypatch.setenv("MARKETPLACE_KEK", base64.b64encode(kek).decode())
    if previous is None:
        monkeypatch.delenv("MARKETPLACE_PREVIOUS_KEK", raising=False)
    else:
        monkeypatch.setenv("MARKETPLACE_PREVIOUS_KEK", base64.b64encode(previous).decode())
    reset_settings()


async def sealed_marketplace(client: Any) -> tuple[Any, str, list[str], tuple[Any, str]]:
    """Three published call-offs with one sealed bid each (and the bidder's token), and a user
    with a second factor, all under the old KEK."""
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_offs = []
    for package in ("1", "2", "3"):
        call_off_id = await published(
            client, c, enablement_body(c, package_ids=[str(c.packages[package])])
        )
        bid = await client.put(
            f"/api/v1/call-offs/{call_off_id}/bid", json=ENABLEMENT_BID, headers=bearer(token)
        )
        assert bid.status_code == 201, bid.text
        call_offs.append(call_off_id)
    provider = await make_organisation("provider")
    user, _ = await make_user(provider.id, "provider")
    secret, _ = await enrol(user.id, user.email)
    return c, token, call_offs, (user, secret)


async def wrapped_keys() -> dict[str, bytes]:
    rows = await CallOffKey.select(CallOffKey.call_off, CallOffKey.wrapped_key)
    return {str(row["call_off"]): bytes(row["wrapped_key"]) for row in rows}


def opens_under(kek: bytes, keys: dict[str, bytes]) -> set[str]:
    opened = set()
    for call_off, wrapped in keys.items():
        try:
            unwrap_data_key(kek, wrapped, call_off)  # type: ignore[arg-type]
        except SealBroken:
            continue
        opened.add(call_off)
    return opened


async def everything_opens_under_the_new_kek_alone(
    client: Any,
    c: Any,
    call_offs: list[str],
    second_factor: tuple[Any, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every data key unwraps under the new KEK and none under the old; the bids open intact at
    the close; the user's authenticator code is still accepted."""
    use_keys(monkeypatch, NEW_KEK)
    keys = await wrapped_keys()
    assert opens_under(NEW_KEK, keys) == set(call_offs)
    assert opens_under(OLD_KEK, keys) == set()
    for call_off_id in call_offs:
        await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 3
    for call_off_id in call_offs:
        opened = await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
        assert opened.status_code == 200, opened.text
        [bid] = opened.json()
        assert bid["integrity"] == "intact"
        assert bid["content"]["hourly_rate_pence"] == 1873
    user, secret = second_factor
    assert await two_factor.check_code(user.id, next_code(secret)) == "authenticator"


async def test_a_rotation_stopped_half_way_finishes_on_a_second_run_and_bids_open_after(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(monkeypatch, OLD_KEK)
    c, token, call_offs, second_factor = await sealed_marketplace(client)
    before = await wrapped_keys()

    use_keys(monkeypatch, NEW_KEK, previous=OLD_KEK)
    # Mid-rotation the app still works: a bid is replaced on a key not re-wrapped yet.
    replaced = await client.put(
        f"/api/v1/call-offs/{call_offs[0]}/bid",
        json={**ENABLEMENT_BID, "notes": "second thoughts"},
        headers=bearer(token),
    )
    assert replaced.status_code == 201 and replaced.json()["version"] == 2, replaced.text

    first = await rotate_key_encryption_key(limit=2)
    assert (first.rewrapped, first.complete) == (2, False)
    halfway = await wrapped_keys()
    moved = {k for k in before if halfway[k] != before[k]}
    assert len(moved) == 2 and opens_under(NEW_KEK, halfway) == moved
    assert not await AuditEvent.exists().where(AuditEvent.action == "rotate_kek")

    second = await rotate_key_encryption_key()
    assert (second.rewrapped, second.already) == (1, 2)
    assert (second.two_factor.resealed, second.complete) == (1, True)
    after = await wrapped_keys()
    assert all(after[k] == halfway[k] for k in moved), "nothing is wrapped twice"
    assert "Rotation complete" in second.describe()

    batches = await AuditEvent.select().where(AuditEvent.action == "rewrap_data_keys")
    assert sum(json.loads(e["details"])["count"] for e in batches) == 3
    [done] = await AuditEvent.select().where(AuditEvent.action == "rotate_kek")
    assert done["entity_id"] == kek_fingerprint(NEW_KEK)
    assert kek_fingerprint(OLD_KEK) in done["details"]

    await everything_opens_under_the_new_kek_alone(client, c, call_offs, second_factor, monkeypatch)


async def test_a_rotation_needs_the_previous_kek_and_a_different_new_one(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(monkeypatch, NEW_KEK)
    with pytest.raises(RotationRefused, match="MARKETPLACE_PREVIOUS_KEK is not set"):
        await rotate_key_encryption_key()
    use_keys(monkeypatch, NEW_KEK, previous=NEW_KEK)
    with pytest.raises(RotationRefused, match="are the same key"):
        await rotate_key_encryption_key()


def rotate_command(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The real command, on this test's database, with the old and the new KEK."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "MARKETPLACE_VAR_DIR": os.environ["MARKETPLACE_VAR_DIR"],
        "MARKETPLACE_KEK": base64.b64encode(NEW_KEK).decode(),
        "MARKETPLACE_PREVIOUS_KEK": base64.b64encode(OLD_KEK).decode(),
    }
    return subprocess.run(
        [str(MARKETPLACE), "keys", "rotate-kek", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_rotate_kek_command_resumes_and_finishes(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(monkeypatch, OLD_KEK)
    c, _, call_offs, second_factor = await sealed_marketplace(client)

    stopped = rotate_command("--limit", "1")
    assert stopped.returncode == 0, stopped.stderr
    assert "Data keys re-wrapped under the new key-encryption key: 1 (0 were already)." in (
        stopped.stdout
    )
    assert "Stopped at the limit: run the command again to finish." in stopped.stdout

    finished = rotate_command()
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines() == [
        "Data keys re-wrapped under the new key-encryption key: 2 (1 were already).",
        "Two-factor secrets re-sealed: 1 (0 were already).",
        "Rotation complete: everything is under the new key. Remove MARKETPLACE_PREVIOUS_KEK "
        "and restart every process.",
    ]
    await everything_opens_under_the_new_kek_alone(client, c, call_offs, second_factor, monkeypatch)


async def test_a_key_that_opens_under_neither_kek_is_named_and_left_as_it_is(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(monkeypatch, OLD_KEK)
    _, _, call_offs, _ = await sealed_marketplace(client)
    stranger = wrap_data_key(os.urandom(32), new_data_key(), call_offs[1])  # type: ignore[arg-type]
    await CallOffKey.update({CallOffKey.wrapped_key: stranger}).where(
        CallOffKey.call_off == call_offs[1]
    )

    use_keys(monkeypatch, NEW_KEK, previous=OLD_KEK)
    rotation = await rotate_key_encryption_key()
    assert [str(c) for c in rotation.unopenable] == [call_offs[1]]
    assert (rotation.rewrapped, rotation.complete) == (2, False)
    assert f"open under neither key and were left as they are: call-off {call_offs[1]}" in (
        rotation.describe()
    )
    assert (await wrapped_keys())[call_offs[1]] == stranger
    assert not await AuditEvent.exists().where(AuditEvent.action == "rotate_kek")
