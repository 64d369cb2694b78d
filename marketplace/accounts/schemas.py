"""Request and response shapes of the accounts API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

CqcRating = Literal["outstanding", "good", "requires_improvement", "inadequate", "not_yet_rated"]
# Not "@" nor a space, the same characters whether read by Python (the server) or as JSON Schema's
# ECMA regex (clients, the fuzzing): `\s` alone differs between the two (Python's takes in
# \x1c-\x1f and \x85, ECMA's \ufeff), so the class names them all.
_PART = r"[^@\s\x1c-\x1f\x85\ufeff]+"
Email = Annotated[
    str, msgspec.Meta(max_length=254, pattern=rf"^{_PART}@{_PART}\.{_PART}$", description="email")
]
Password = Annotated[str, msgspec.Meta(min_length=12, max_length=200)]
# Text that is not blank: something other than spaces in it (a reason, a name to record).
NOT_BLANK = r"\S"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK)]
# [0-9], not \d: Python's \d takes in every script's digits, ECMA's only these.
CqcLocationId = Annotated[str, msgspec.Meta(pattern=r"^1-[0-9]{6,12}$", max_length=32)]


class Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Every request body refuses fields it does not know."""


class TokenCreate(Request):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=200)]
    # The authenticator's 6-digit code or a recovery code, when the account has a second factor.
    code: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class TokenCreated(msgspec.Struct):
    token: str
    expires_at: datetime


class SignedOutEverywhere(msgspec.Struct):
    # How many browser sessions and API tokens were ended.
    ended: int


class OrganisationCreate(Request):
    kind: Literal["commissioner", "provider"]
    name: Name
    cqc_location_id: CqcLocationId | None = None
    cqc_rating: CqcRating | None = None
    enforcement_pending: bool | None = None


class OrganisationUpdate(Request):
    name: Name | None = None
    cqc_location_id: CqcLocationId | None = None
    cqc_rating: CqcRating | None = None
    enforcement_pending: bool | None = None


class Organisation(msgspec.Struct):
    id: UUID
    kind: str
    name: str
    cqc_location_id: str | None
    cqc_rating: str | None
    enforcement_pending: bool
    created_at: datetime


class CqcRatingSet(Request):
    """A platform admin's change of a provider's CQC rating, with the reason for it."""

    rating: CqcRating
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=NOT_BLANK)]
    rated_on: date | None = None  # the regulator's publication date, when known


class CqcRatingEntry(msgspec.Struct):
    rating: str
    previous_rating: str | None
    rated_on: date | None
    source: str
    recorded_at: datetime


class UserCreate(Request):
    email: Email
    password: Password
    role: Literal["commissioner", "opener", "provider"]


class User(msgspec.Struct):
    id: UUID
    email: str
    role: str
    organisation_id: UUID | None
    created_at: datetime
    # An inactive user cannot sign in; their sessions and tokens stop working.
    active: bool = True


class GuestSupplierCreate(Request):
    """A supplier outside the framework that a commissioner registers to invite to a wider
    call-off (docs/design.md 3.5)."""

    name: Name
    cqc_location_id: CqcLocationId
    contact_email: Email


class GuestSupplier(msgspec.Struct):
    id: UUID
    name: str
    cqc_location_id: str | None
    cqc_rating: str | None
    contact_email: str
    created_at: datetime


class TwoFactorResetRequest(Request):
    """A platform admin's reset of a user's lost authenticator, with the reason for it."""

    # At least one character that is not a space to Python nor to JSON Schema's ECMA regex (see
    # _PART), so a blank reason is refused by the schema itself.
    reason: Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=1000, pattern=r"[^\s\x1c-\x1f\x85\ufeff]"),
    ]


class TwoFactorReset(msgspec.Struct):
    """A reset second factor: the user sets one up again at the next sign-in."""

    user_id: UUID
    sessions_ended: int
    tokens_revoked: int


class RecoveryCodes(msgspec.Struct):
    """New recovery codes, shown this once: the earlier ones no longer work."""

    codes: list[str]
