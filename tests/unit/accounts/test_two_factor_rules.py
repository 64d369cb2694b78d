"""The second factor's pure rules at fixed times: a code is good for its 30-second step and one
either side, once; recovery codes; who must have one; the sealed secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pyotp
import pytest
from cryptography.exceptions import InvalidTag

from marketplace.accounts import two_factor_rules as rules

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits, as pyotp makes
NOON = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def test_the_code_of_now_matches_its_step() -> None:
    assert rules.matching_step(SECRET, code_at(NOON), NOON, None) == rules.step_at(NOON)


def test_one_step_of_drift_either_side_is_accepted_but_not_two() -> None:
    for seconds in (-30, 30):
        assert rules.matching_step(SECRET, code_at(NOON + timedelta(seconds=seconds)), NOON, None)
    for seconds in (-60, 60, 3600):
        assert (
            rules.matching_step(SECRET, code_at(NOON + timedelta(seconds=seconds)), NOON, None)
            is None
        )


def test_a_code_whose_step_was_used_is_refused_so_it_works_once() -> None:
    step = rules.matching_step(SECRET, code_at(NOON), NOON, None)
    assert rules.matching_step(SECRET, code_at(NOON), NOON, step) is None
    earlier = code_at(NOON - timedelta(seconds=30))
    assert rules.matching_step(SECRET, earlier, NOON, step) is None
    later = NOON + timedelta(seconds=30)
    assert rules.matching_step(SECRET, code_at(later), later, step) == step + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_anything_but_six_digits_is_refused(typed: str) -> None:
    assert rules.matching_step(SECRET, typed, NOON, None) is None


def test_spaces_in_a_typed_code_are_ignored() -> None:
    code = code_at(NOON)
    assert rules.matching_step(SECRET, f"{code[:3]} {code[3:]}", NOON, None) is not None


def test_recovery_codes_are_ten_different_and_stored_as_a_hash_of_their_letters() -> None:
    codes = rules.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 14 and rules.looks_like_recovery_code(code) for code in codes)
    digest = rules.recovery_code_digest(codes[0])
    assert codes[0] not in digest and len(digest) == 64
    assert rules.recovery_code_digest(codes[0].upper().replace("-", " ")) == digest
    assert not rules.looks_like_recovery_code("123456")


def test_admins_commissioners_and_openers_need_a_second_factor_in_production_only() -> None:
    for role in ("admin", "commissioner", "opener"):
        assert rules.required_for(role, production=True)
        assert not rules.required_for(role, production=False)
    assert not rules.required_for("provider", production=True)


def test_the_secret_is_sealed_to_its_user_under_the_key_encryption_key() -> None:
    kek, user = b"k" * 32, uuid4()
    sealed = rules.seal_secret(kek, user, SECRET)
    assert SECRET.encode() not in sealed
    assert rules.open_secret(kek, user, sealed) == SECRET
    with pytest.raises(InvalidTag):
        rules.open_secret(kek, uuid4(), sealed)
    with pytest.raises(InvalidTag):
        rules.open_secret(b"x" * 32, user, sealed)


def test_the_provisioning_address_names_the_service_and_the_user() -> None:
    uri = rules.provisioning_uri(SECRET, "officer@example.org")
    assert uri.startswith("otpauth://totp/") and "officer%40example.org" in uri
    assert f"secret={SECRET}" in uri and "issuer=Care%20call-off%20marketplace" in uri
