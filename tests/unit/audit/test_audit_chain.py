"""The audit chain's pure part: canonical form, digests, seal hashes, and how events are named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from marketplace.audit.chain import (
    GENESIS_HASH,
    AnchorName,
    anchor_body,
    anchored_digests,
    canonical_event,
    chain_hash,
    describe_event,
    event_digest,
)

USER = UUID("12345678-9abc-4def-8123-456789abcdef")


def event(**changes: Any) -> dict[str, Any]:
    return {
        "id": 42,
        "occurred_at": datetime(2026, 11, 23, 10, 42, 52, 8608, tzinfo=UTC),
        "actor_user_id": USER,
        "actor_email": "admin@example.org",
        "actor_organisation_id": None,
        "action": "create_user",
        "entity": "user",
        "entity_id": str(USER),
        "organisation_id": None,
        "details": '{"role":"provider"}',
    } | changes


def test_the_canonical_form_is_a_fixed_order_json_array() -> None:
    assert canonical_event(event()) == (
        b'["audit-event-v1",42,"2026-11-23T10:42:52.008608+00:00",'
        b'"12345678-9abc-4def-8123-456789abcdef","admin@example.org",null,"create_user","user",'
        b'"12345678-9abc-4def-8123-456789abcdef",null,"{\\"role\\":\\"provider\\"}"]'
    )


def test_the_same_moment_in_any_timezone_has_the_same_digest() -> None:
    moment = event()["occurred_at"]
    paris = moment.astimezone(timezone(timedelta(hours=1)))
    naive_utc = moment.replace(tzinfo=None)
    assert event_digest(event(occurred_at=paris)) == event_digest(event())
    assert event_digest(event(occurred_at=naive_utc)) == event_digest(event())


@pytest.mark.parametrize(
    "change",
    [
        {"id": 43},
        {"occurred_at": datetime(2026, 11, 23, 10, 42, 53, tzinfo=UTC)},
        {"actor_user_id": None},
        {"actor_email": "someone@example.org"},
        {"action": "create_admin"},
        {"entity_id": "another"},
        {"organisation_id": USER},
        {"details": '{"role":"admin"}'},
    ],
)
def test_changing_any_field_changes_the_digest(change: dict[str, Any]) -> None:
    assert event_digest(event(**change)) != event_digest(event())


def test_a_seal_hash_depends_on_the_previous_hash_and_the_order_of_digests() -> None:
    one, two = event_digest(event()), event_digest(event(id=43))
    assert chain_hash(GENESIS_HASH, [one, two]) != chain_hash(GENESIS_HASH, [two, one])
    assert chain_hash(GENESIS_HASH, [one]) != chain_hash("1" * 64, [one])
    assert len(chain_hash(GENESIS_HASH, [])) == 64


def test_an_event_is_named_by_id_action_entity_and_time() -> None:
    assert (
        describe_event(event())
        == "event 42 (create_user on user 12345678… at 2026-11-23T10:42:52Z)"
    )
    assert describe_event(
        event(entity_id="ME14 1XQ", entity="postcode", action="put_postcode")
    ) == ("event 42 (put_postcode on postcode ME14 1XQ at 2026-11-23T10:42:52Z)")


def test_an_anchor_is_named_by_its_seal_and_hashes_and_holds_its_events_digests() -> None:
    seal = {
        "id": 7,
        "sealed_at": datetime(2026, 11, 26, 5, 0, tzinfo=UTC),
        "previous_hash": "a" * 64,
        "hash": "b" * 64,
    }
    name = AnchorName(seal["id"], seal["previous_hash"], seal["hash"])
    assert str(name) == f"000000000007-{'a' * 64}-{'b' * 64}"
    assert AnchorName.parse(str(name)) == name
    assert AnchorName.parse("000000000007-notahash-" + "b" * 64) is None
    body = anchor_body(
        seal, [{"event_id": 41, "digest": "c" * 64}, {"event_id": 42, "digest": "d" * 64}]
    )
    assert anchored_digests(body) == {41: "c" * 64, 42: "d" * 64}
