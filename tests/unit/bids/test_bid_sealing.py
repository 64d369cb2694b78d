"""Sealed bids at rest and their digests (docs/design.md section 5)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.bids.sealing import (
    RECEIPT_KEYED,
    RECEIPT_UNKEYED,
    SealBroken,
    bid_digest,
    canonical_bid_content,
    kek_fingerprint,
    keyed_bid_digest,
    new_data_key,
    open_bid,
    receipt_digest,
    receipt_key,
    rewrap_data_key,
    seal_bid,
    unwrap_data_key,
    unwrap_data_key_under_any,
    wrap_data_key,
)

CALL_OFF = UUID("11111111-1111-4111-8111-111111111111")
PROVIDER = UUID("22222222-2222-4222-8222-222222222222")
DATA_KEY = bytes(range(32, 64))  # a call-off's data key
KEK = bytes(range(32))

BID: dict[str, Any] = {
    "hourly_rate_pence": 2150,
    "mobilisation_date": date(2026, 12, 3),
    "accepts_enablement_budget": True,
    "areas": [{"area_code": "ASHFORD", "hourly_rate_pence": 2100, "answers": {"q1": "Café staff"}}],
    "notes": "Two carers on each call",
}


def sealed_bid(version: int = 1) -> tuple[bytes, bytes]:
    data_key = new_data_key()
    return data_key, seal_bid(data_key, canonical_bid_content(BID), CALL_OFF, PROVIDER, version)


def test_a_sealed_bid_opens_to_its_content() -> None:
    data_key, sealed = sealed_bid()
    assert open_bid(data_key, sealed, CALL_OFF, PROVIDER, 1) == canonical_bid_content(BID)


def test_the_sealed_bytes_do_not_show_the_rates() -> None:
    _, sealed = sealed_bid()
    for plain in (b"2150", b"2100", b"2026-12-03", b"ASHFORD", b"carers"):
        assert plain not in sealed


def test_sealing_the_same_bid_twice_gives_different_bytes() -> None:
    data_key = new_data_key()
    plaintext = canonical_bid_content(BID)
    first = seal_bid(data_key, plaintext, CALL_OFF, PROVIDER, 1)
    second = seal_bid(data_key, plaintext, CALL_OFF, PROVIDER, 1)
    assert first != second
    assert first[1:13] != second[1:13]  # the nonce


def test_changing_any_byte_of_a_sealed_bid_breaks_it() -> None:
    data_key, sealed = sealed_bid()
    for index in range(len(sealed)):
        altered = bytearray(sealed)
        altered[index] ^= 0x01
        with pytest.raises(SealBroken):
            open_bid(data_key, bytes(altered), CALL_OFF, PROVIDER, 1)
    with pytest.raises(SealBroken):
        open_bid(data_key, sealed[:-1], CALL_OFF, PROVIDER, 1)
    with pytest.raises(SealBroken, match="too short"):
        open_bid(data_key, sealed[:20], CALL_OFF, PROVIDER, 1)


@pytest.mark.parametrize(
    ("call_off", "provider", "version"),
    [(uuid4(), PROVIDER, 1), (CALL_OFF, uuid4(), 1), (CALL_OFF, PROVIDER, 2)],
    ids=["another call-off", "another provider", "another version"],
)
def test_a_sealed_bid_moved_to_another_row_does_not_open(
    call_off: UUID, provider: UUID, version: int
) -> None:
    data_key, sealed = sealed_bid()
    with pytest.raises(
        SealBroken,
        match="does not belong to this call-off, provider and version, or was altered",
    ):
        open_bid(data_key, sealed, call_off, provider, version)


def test_a_sealed_bid_does_not_open_with_another_data_key() -> None:
    _, sealed = sealed_bid()
    with pytest.raises(SealBroken):
        open_bid(new_data_key(), sealed, CALL_OFF, PROVIDER, 1)


def test_the_ids_may_be_given_as_text() -> None:
    data_key, sealed = sealed_bid()
    opened = open_bid(data_key, sealed, str(CALL_OFF).upper(), str(PROVIDER), 1)  # type: ignore[arg-type]
    assert opened == canonical_bid_content(BID)


def test_a_data_key_unwraps_only_with_its_kek_and_call_off() -> None:
    data_key = new_data_key()
    assert len(data_key) == 32
    assert new_data_key() != data_key
    wrapped = wrap_data_key(KEK, data_key, CALL_OFF)
    assert data_key not in wrapped
    assert unwrap_data_key(KEK, wrapped, CALL_OFF) == data_key
    assert wrap_data_key(KEK, data_key, CALL_OFF) != wrapped
    with pytest.raises(SealBroken, match="wrong key-encryption key"):
        unwrap_data_key(bytes(32), wrapped, CALL_OFF)
    with pytest.raises(SealBroken, match="another call-off's key"):
        unwrap_data_key(KEK, wrapped, uuid4())
    with pytest.raises(SealBroken):
        unwrap_data_key(KEK, wrapped[:-1] + bytes([wrapped[-1] ^ 1]), CALL_OFF)


def test_a_wrapped_key_is_not_taken_for_a_sealed_bid() -> None:
    wrapped = wrap_data_key(KEK, new_data_key(), CALL_OFF)
    with pytest.raises(SealBroken):
        open_bid(KEK, wrapped, CALL_OFF, PROVIDER, 1)


def test_an_unknown_format_is_refused() -> None:
    data_key, sealed = sealed_bid()
    with pytest.raises(SealBroken, match="unknown format 2"):
        open_bid(data_key, b"\x02" + sealed[1:], CALL_OFF, PROVIDER, 1)


def test_keys_of_the_wrong_length_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_data_key(KEK[:16], new_data_key(), CALL_OFF)
    with pytest.raises(ValueError, match="32 bytes"):
        seal_bid(b"short", b"{}", CALL_OFF, PROVIDER, 1)


def test_canonical_content_is_sorted_compact_utf8() -> None:
    assert (
        canonical_bid_content(BID)
        == (
            '{"accepts_enablement_budget":true,'
            '"areas":[{"answers":{"q1":"Café staff"},"area_code":"ASHFORD","hourly_rate_pence":2100}],'
            '"hourly_rate_pence":2150,"mobilisation_date":"2026-12-03",'
            '"notes":"Two carers on each call"}'
        ).encode()
    )
    assert bid_digest(BID) == hashlib.sha256(canonical_bid_content(BID)).hexdigest()


def test_a_keyed_receipt_is_the_hmac_of_the_canonical_content_under_its_receipt_key() -> None:
    bid_id = uuid4()
    key = receipt_key(DATA_KEY, bid_id, 1)
    assert len(key) == 32
    expected = hmac.new(key, canonical_bid_content(BID), hashlib.sha256).hexdigest()
    assert keyed_bid_digest(key, BID) == expected
    assert receipt_digest(RECEIPT_KEYED, DATA_KEY, bid_id, 1, BID) == expected
    assert receipt_digest(RECEIPT_UNKEYED, DATA_KEY, bid_id, 1, BID) == bid_digest(BID)
    assert expected != bid_digest(BID)
    with pytest.raises(ValueError, match="unknown receipt version"):
        receipt_digest(3, DATA_KEY, bid_id, 1, BID)


def test_each_bid_version_has_its_own_receipt_key_and_only_its_call_offs_data_key_makes_it() -> (
    None
):
    bid_id = uuid4()
    keys = {
        receipt_key(DATA_KEY, bid_id, 1),
        receipt_key(DATA_KEY, bid_id, 2),
        receipt_key(DATA_KEY, uuid4(), 1),
        receipt_key(bytes(32), bid_id, 1),
    }
    assert len(keys) == 4
    assert receipt_key(DATA_KEY, bid_id, 1) == receipt_key(DATA_KEY, UUID(str(bid_id).upper()), 1)
    with pytest.raises(TypeError):
        receipt_key(DATA_KEY, bid_id, True)


def test_key_order_and_whitespace_do_not_change_the_digest() -> None:
    reordered = json.loads(json.dumps(dict(reversed(list(BID.items()))), indent=4, default=str))
    reordered["mobilisation_date"] = date(2026, 12, 3)
    assert bid_digest(reordered) == bid_digest(BID)


def test_absent_and_null_fields_give_the_same_digest() -> None:
    assert bid_digest({**BID, "notes": None}) == bid_digest(
        {key: value for key, value in BID.items() if key != "notes"}
    )


@pytest.mark.parametrize(
    "change",
    [
        {"hourly_rate_pence": 2151},
        {"mobilisation_date": date(2026, 12, 4)},
        {"accepts_enablement_budget": False},
        {"notes": "Two carers on each call "},
        {"areas": []},
        {"areas": [{**BID["areas"][0], "answers": {"q1": "Cafe staff"}}]},
        {"hourly_rate_pence": "2150"},
    ],
)
def test_any_change_of_a_value_changes_the_digest(change: dict[str, Any]) -> None:
    assert bid_digest({**BID, **change}) != bid_digest(BID)


def test_lists_keep_their_order() -> None:
    two = {"areas": [{"area_code": "A"}, {"area_code": "B"}]}
    swapped = {"areas": [{"area_code": "B"}, {"area_code": "A"}]}
    assert bid_digest(two) != bid_digest(swapped)


def test_decimals_keep_their_exact_digits() -> None:
    assert canonical_bid_content({"hours": Decimal("21.50")}) == b'{"hours":"21.50"}'
    assert canonical_bid_content({"hours": Decimal("21.5")}) == b'{"hours":"21.5"}'
    assert canonical_bid_content({"hours": Decimal("1E+2")}) == b'{"hours":"100"}'


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1.5, TypeError),
        (datetime(2026, 12, 3, 9, 0), TypeError),
        (Decimal("NaN"), ValueError),
        ({1: "x"}, TypeError),
        (b"bytes", TypeError),
    ],
)
def test_values_without_one_exact_form_are_refused(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        canonical_bid_content({"field": value})


answers = st.dictionaries(st.text(min_size=1, max_size=4), st.text(max_size=20), max_size=2)
bids = st.fixed_dictionaries(
    {},
    optional={
        "hourly_rate_pence": st.integers(min_value=1, max_value=100_000),
        "mobilisation_date": st.dates(),
        "accepts_enablement_budget": st.booleans(),
        "notes": st.none() | st.text(max_size=60),
        "areas": st.lists(
            st.fixed_dictionaries(
                {
                    "area_code": st.text(min_size=1, max_size=6),
                    "hourly_rate_pence": st.integers(min_value=1, max_value=100_000),
                    "answers": answers,
                }
            ),
            max_size=3,
        ),
        "weekly_hours": st.decimals(places=2, min_value=0, max_value=1000),
    },
)


@given(bid=bids, version=st.integers(min_value=1, max_value=1000), data=st.data())
def test_any_bid_opens_to_what_was_sealed_and_its_digest_ignores_key_order(
    bid: dict[str, Any], version: int, data: st.DataObject
) -> None:
    plaintext = canonical_bid_content(bid)
    data_key = unwrap_data_key(KEK, wrap_data_key(KEK, new_data_key(), CALL_OFF), CALL_OFF)
    sealed = seal_bid(data_key, plaintext, CALL_OFF, PROVIDER, version)
    assert open_bid(data_key, sealed, CALL_OFF, PROVIDER, version) == plaintext

    shuffled = dict(data.draw(st.permutations(list(bid.items()))))
    assert bid_digest(shuffled) == bid_digest(bid)
    assert canonical_bid_content(json.loads(plaintext)) == plaintext


def test_a_data_key_rewrapped_under_a_new_kek_opens_under_it_alone_to_the_same_key() -> None:
    new_kek = bytes(range(1, 33))
    data_key = new_data_key()
    wrapped = wrap_data_key(KEK, data_key, CALL_OFF)
    rewrapped = rewrap_data_key(KEK, new_kek, wrapped, CALL_OFF)
    assert unwrap_data_key(new_kek, rewrapped, CALL_OFF) == data_key
    with pytest.raises(SealBroken):
        unwrap_data_key(KEK, rewrapped, CALL_OFF)
    with pytest.raises(SealBroken):
        rewrap_data_key(KEK, new_kek, rewrapped, CALL_OFF)  # not under the old KEK any more
    assert unwrap_data_key_under_any([new_kek, KEK], wrapped, CALL_OFF) == (data_key, KEK)
    assert unwrap_data_key_under_any([new_kek, KEK], rewrapped, CALL_OFF) == (data_key, new_kek)
    with pytest.raises(SealBroken):
        unwrap_data_key_under_any([bytes(32), bytes(range(2, 34))], wrapped, CALL_OFF)


def test_a_kek_fingerprint_names_a_key_without_revealing_it() -> None:
    assert kek_fingerprint(KEK) == kek_fingerprint(bytes(range(32)))
    assert kek_fingerprint(KEK) != kek_fingerprint(bytes(range(1, 33)))
    assert len(kek_fingerprint(KEK)) == 16 and KEK.hex()[:16] != kek_fingerprint(KEK)
