"""Which answer a request carrying an Idempotency-Key gets, from what is stored for its key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.idempotency.rules import (
    RequestSeen,
    StoredResponse,
    fingerprint,
    is_valid_key,
    outcome_for,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
REQUEST = RequestSeen("POST", "/api/v1/lots", fingerprint(b'{"code":"CSH"}'))


def stored(
    request: RequestSeen = REQUEST, age: timedelta = timedelta(minutes=1), status: int | None = 201
) -> StoredResponse:
    return StoredResponse(request, NOW - age, status, [("content-type", "application/json")], b"{}")


def test_a_new_key_proceeds() -> None:
    assert outcome_for(None, REQUEST, NOW) == "proceed"


def test_the_same_request_is_replayed_and_a_different_one_refused() -> None:
    assert outcome_for(stored(), REQUEST, NOW) == "replay"
    other_body = RequestSeen("POST", "/api/v1/lots", fingerprint(b'{"code":"NIGHTS"}'))
    assert outcome_for(stored(), other_body, NOW) == "different_request"
    other_path = RequestSeen("POST", "/api/v1/areas", REQUEST.fingerprint)
    assert outcome_for(stored(), other_path, NOW) == "different_request"


def test_a_repeat_while_the_first_is_unfinished_is_told_so() -> None:
    assert outcome_for(stored(status=None), REQUEST, NOW) == "in_progress"


def test_a_key_is_free_again_after_24_hours() -> None:
    assert outcome_for(stored(age=timedelta(hours=23, minutes=59)), REQUEST, NOW) == "replay"
    assert outcome_for(stored(age=timedelta(hours=24)), REQUEST, NOW) == "proceed"


def test_keys_are_1_to_255_printable_ascii_characters() -> None:
    assert is_valid_key("a") and is_valid_key("x" * 255) and is_valid_key("order 42/retry")
    assert not any(is_valid_key(key) for key in ("", "x" * 256, "café", "tab\there"))
