"""Request and response shapes of bids (docs/api.md; the OpenAPI at /api/docs has the bodies)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request

Rate = Annotated[int, msgspec.Meta(ge=1, le=100_000, description="pence an hour")]
Answer = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class AreaBid(Request, kw_only=True):
    area_code: str
    hourly_rate_pence: Rate
    answers: dict[str, Answer] = {}


class BidSubmission(Request, kw_only=True):
    hourly_rate_pence: Rate | None = None
    mobilisation_date: date | None = None
    accepts_enablement_budget: bool | None = None
    areas: Annotated[list[AreaBid], msgspec.Meta(max_length=3)] = []
    notes: Annotated[str, msgspec.Meta(max_length=5000)] | None = None


class Receipt(msgspec.Struct):
    """What proves what a provider sent and when: the server's clock and the content's digest,
    with the key that lets the bidder (alone) check it."""

    bid_id: UUID
    version: int
    received_at: datetime
    digest: str
    # The digest's algorithm and, for a keyed one, its key (hex) for the bidder alone: the
    # HMAC-SHA256 of the canonical content under this key is the digest (docs/design.md 5.3).
    digest_algorithm: str = "SHA-256"
    digest_key: str | None = None


class Attachment(msgspec.Struct):
    """A document attached to a bid, sealed with it; its receipt is the digest of its bytes."""

    attachment_id: UUID
    filename: str
    media_type: str
    size: int
    digest: str
    received_at: datetime
    integrity: str | None = None


class AttachmentRemoval(msgspec.Struct):
    attachment_id: UUID
    removed_at: datetime


class AttachmentContent(msgspec.Struct):
    filename: str
    media_type: str
    content: bytes


class OwnBid(msgspec.Struct):
    bid_id: UUID
    call_off_id: UUID
    status: str
    version: int
    received_at: datetime
    digest: str
    withdrawn_at: datetime | None
    content: BidSubmission | None
    attachments: list[Attachment] = []
    # The digest's algorithm and, for a keyed one, its key (hex) for the bidder alone: the
    # HMAC-SHA256 of the canonical content under this key is the digest (docs/design.md 5.3).
    digest_algorithm: str = "SHA-256"
    digest_key: str | None = None


class MyBid(msgspec.Struct):
    """One of a provider's bids with its receipt and the call-off's state: the outcome so far."""

    call_off_id: UUID
    title: str
    kind: str
    call_off_status: str
    deadline: datetime
    status: str
    version: int
    received_at: datetime
    digest: str
    withdrawn_at: datetime | None
    # The digest's algorithm and, for a keyed one, its key (hex) for the bidder alone: the
    # HMAC-SHA256 of the canonical content under this key is the digest (docs/design.md 5.3).
    digest_algorithm: str = "SHA-256"
    digest_key: str | None = None


class Withdrawal(msgspec.Struct):
    bid_id: UUID
    withdrawn_at: datetime


class OpeningState(msgspec.Struct):
    opened: bool
    opened_at: datetime | None
    approvals: int


class OpenedBid(msgspec.Struct):
    """A bid after opening: its content when it matches its receipt; an altered one is flagged
    and never used."""

    bid_id: UUID
    provider_id: UUID
    version: int
    received_at: datetime
    digest: str
    integrity: str
    # The provider gates its bidder failed at closing: their sentences and, in the same order,
    # their codes (not_admitted, blocked, cqc_inadequate, enforcement_pending).
    gate_failures: list[str]
    gate_failure_codes: list[str]
    content: BidSubmission | None
    attachments: list[Attachment] = []


DeclineReason = Literal["no_capacity", "outside_travel_range", "complexity", "other"]


class DeclineCreate(Request, kw_only=True):
    """POST /call-offs/{id}/decline: why the provider turns the call-off down (`text` only, and
    then required, for "other")."""

    reason: DeclineReason
    text: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class Decline(msgspec.Struct):
    """A provider's turn-down of a call-off, as the provider sees it."""

    call_off_id: UUID
    reason: str
    reason_text: str
    text: str | None
    declined_at: datetime
