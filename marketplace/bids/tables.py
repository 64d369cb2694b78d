"""Sealed bids, the per-call-off data keys that seal them, and invitations declined."""

from piccolo.columns import (
    UUID,
    BigInt,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.accounts.tables import Organisation
from marketplace.tenders.tables import CallOff


class CallOffKey(Table, tablename="call_off_key"):
    """A call-off's data key, wrapped by the key-encryption key (never stored in the clear)."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, unique=True)
    wrapped_key = Bytea()
    created_at = Timestamptz(default=TimestamptzNow())


class Bid(Table, tablename="bid"):
    """A provider's one live bid in a call-off: the latest version, sealed. Earlier versions are
    in the audit log (their digests), never kept in the clear."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    version = Integer(default=1)
    status = Varchar(length=16, default="submitted", index=True)
    sealed_content = Bytea()
    digest = Varchar(length=64)
    # How the digest is made (docs/design.md 5.3): 2, an HMAC-SHA256 under the bid version's
    # receipt key (derived from the call-off's data key); 1, a plain SHA-256 (receipts made before keyed ones).
    receipt_version = Integer(default=1)
    received_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)
    # Set at opening: "intact" when the content matches its receipt's digest, else "altered".
    integrity = Varchar(length=16, null=True, default=None)
    # Set at closing: a JSON list of the provider gates the bidder then failed, each
    # {code, sentence} (empty: none).
    gate_failures = Text(null=True, default=None)


class Opening(Table, tablename="bid_opening"):
    """The opening of a call-off's bids after its deadline (once, by the quorum of openers)."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, unique=True)
    opened_at = Timestamptz()


class OpeningApproval(Table, tablename="bid_opening_approval"):
    """An authorised officer's approval to open a call-off's bids (a quorum of 2 needs two)."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    user_id = UUID()
    approved_at = Timestamptz()


class BidAttachment(Table, tablename="bid_attachment"):
    """A document a provider attaches to its bid, sealed like the bid: its bytes are in the
    archive encrypted under the call-off's data key, and its name and type are sealed here."""

    id = UUID(primary_key=True)
    bid = ForeignKey(Bid, on_delete=OnDelete.restrict, index=True)
    document_id = UUID()
    # The sealed JSON {filename, media_type}: a file's name can say as much as its content.
    sealed_description = Bytea()
    size = BigInt()
    # SHA-256 of the plain bytes: the attachment's receipt, re-checked at opening.
    digest = Varchar(length=64)
    received_at = Timestamptz()
    removed_at = Timestamptz(null=True, default=None)
    # Set at opening, as for the bid: "intact" or "altered".
    integrity = Varchar(length=16, null=True, default=None)


class Decline(Table, tablename="bid_decline"):
    """An invited provider's turn-down of a call-off, with its reason from the fixed list
    (`rules.DECLINE_REASONS`; `text` for "other"): at most one per provider and call-off, final."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    reason = Varchar(length=32)
    text = Text(null=True, default=None)
    declined_at = Timestamptz()
    declined_by = UUID()
    # Unique (call_off, provider): index bid_decline_one_per_provider (raw migration).
