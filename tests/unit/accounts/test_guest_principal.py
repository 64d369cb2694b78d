"""A guest supplier's principal and pass token (docs/design.md 3.5): pure rules, no database."""

from __future__ import annotations

import re
from uuid import UUID, uuid4

import pytest

from marketplace.principal import Principal
from marketplace.web.security import guest_cookie_header, guest_pass_token


def principal(role: str, organisation_id: UUID | None = None) -> Principal:
    return Principal(
        user_id=None if role == "guest" else uuid4(),
        email="someone@example.test",
        role=role,
        organisation_id=organisation_id,
        organisation_kind=role,
        organisation_name="Harbour Home Care",
        via="guest_pass" if role == "guest" else "session",
    )


def test_a_guest_and_a_provider_bid_for_their_organisation_and_no_one_else_does() -> None:
    organisation = uuid4()
    refusal = PermissionError("no")
    assert principal("guest", organisation).bidder_organisation(refusal) == organisation
    assert principal("provider", organisation).bidder_organisation(refusal) == organisation
    for role in ("commissioner", "opener", "admin"):
        with pytest.raises(PermissionError):
            principal(role, organisation).bidder_organisation(refusal)
    with pytest.raises(PermissionError):
        principal("guest", organisation).provider_organisation(refusal)
    with pytest.raises(PermissionError):
        principal("guest", None).bidder_organisation(refusal)


def test_a_pass_token_is_the_same_for_a_pass_and_different_for_another() -> None:
    pass_id = uuid4()
    token = guest_pass_token(pass_id)
    assert token == guest_pass_token(pass_id)
    assert token != guest_pass_token(uuid4())
    assert re.fullmatch(r"g[A-Za-z0-9_-]{43}", token), "URL-safe, 256 bits"
    assert str(pass_id) not in token


def test_the_guest_cookie_is_scoped_to_the_guest_pages_and_never_lives_past_the_deadline() -> None:
    header = guest_cookie_header("gToken", 120)
    assert header.split("; ")[:5] == [
        "marketplace_guest=gToken",
        "Path=/guest",
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=120",
    ]
    assert "Max-Age=0" in guest_cookie_header("gToken", -5)
