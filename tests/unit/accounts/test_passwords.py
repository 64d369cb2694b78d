"""Passwords are hashed with argon2id and never stored as given."""

from __future__ import annotations

from argon2 import Type

from marketplace.accounts.passwords import _make_hasher, hash_password, password_matches


async def test_hashes_are_argon2id_and_verify_only_the_right_password() -> None:
    stored = await hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert "a long enough password" not in stored
    assert await password_matches(stored, "a long enough password")
    assert not await password_matches(stored, "a long enough passworD")
    assert not await password_matches(None, "a long enough password")
    assert not await password_matches("not a hash", "a long enough password")


def test_without_the_test_switch_the_hasher_uses_rfc_9106_low_memory(monkeypatch) -> None:
    monkeypatch.delenv("MARKETPLACE_CHEAP_PASSWORD_HASHING")
    hasher = _make_hasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    assert hasher.type is Type.ID
