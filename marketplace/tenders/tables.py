"""Tendering: the waiting list's packages, call-offs with their areas, packages, invitations and documents."""

from piccolo.columns import (
    UUID,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.accounts.tables import Organisation
from marketplace.reference.tables import Area, Lot

# Unique (commissioner, lot): index pricing_one_per_lot, created in the migration.


class Package(Table, tablename="package"):
    """One person's care need on a commissioner's waiting list, known by a pseudonymous
    reference only (never a name or an address)."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    area = ForeignKey(Area, on_delete=OnDelete.restrict)
    reference = Varchar(length=40)
    postcode = Varchar(length=8)
    rurality = Varchar(length=40)
    weekly_hours = Numeric(digits=(7, 2))
    service_level = Varchar(length=16)
    urgency = Varchar(length=16, default="standard")
    urgency_reason = Varchar(length=24, null=True, default=None)
    start_by = Date()
    # waiting, in_call_off, awarded or placed_off_framework (varchar 24 since the placements).
    status = Varchar(length=24, default="waiting", index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # Set when a call-off for it ended without an award: it is in the contingency queue.
    contingency_since = Timestamptz(null=True, default=None)
    # When its provider last handed it back (it came back to the waiting list then).
    handed_back_at = Timestamptz(null=True, default=None)
    # The contingency clock (docs/design.md 3.5): when a call-off holding it was first published;
    # kept through cancellations and re-publications, cleared at the award and at a hand-back.
    first_offered_at = Timestamptz(null=True, default=None)
    # Why it waits: no_award, cancelled, handed_back, or waiting (offered, no outcome yet).
    contingency_reason = Varchar(length=16, null=True, default=None)


class ContingencySettings(Table, tablename="contingency_settings"):
    """A commissioner's contingency time scales in working days (defaults 2 and 10)."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.cascade, unique=True)
    urgent_working_days = Integer(default=2)
    other_working_days = Integer(default=10)
    # The framework share's target, a whole percentage (docs/design.md 3.5; 90 by default).
    framework_share_target_percent = Integer(default=90)


class OffFrameworkPlacement(Table, tablename="off_framework_placement"):
    """A package placed with a provider outside the framework (docs/design.md 3.5): allowed once
    its contingency clock is due, or earlier with a recorded override reason. One per package."""

    id = UUID(primary_key=True)
    package = ForeignKey(Package, on_delete=OnDelete.restrict, unique=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, on_delete=OnDelete.restrict)
    supplier_name = Varchar(length=200)
    hourly_rate_pence = Integer()
    weekly_hours = Numeric(digits=(7, 2))
    start_date = Date()
    reason = Text()
    early_override_reason = Text(null=True, default=None)
    placed_at = Timestamptz(default=TimestamptzNow())
    placed_by = UUID()


class ContingencyDigest(Table, tablename="contingency_digest"):
    """A commissioner's daily contingency digest, sent once a day: unique (commissioner, day),
    index contingency_digest_once_a_day, created in the migration."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.cascade)
    day = Date()
    sent_at = Timestamptz(default=TimestamptzNow())
    packages = Integer(default=0)


class CallOff(Table, tablename="call_off"):
    """A mini-competition: an enablement request, a cluster bundle or a pilot.

    The kind's own terms (budget and outcomes, latest start, pilot areas and questions) are kept
    as JSON in `terms`, validated by the kind's schema; the rurality weights in force when it was
    created are frozen in `rurality_weights` so that its envelope never moves.
    """

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)
    title = Varchar(length=200)
    status = Varchar(length=16, default="draft", index=True)
    deadline = Timestamptz()
    max_hourly_rate_pence = Integer()
    envelope_base_rate_pence = Integer()
    envelope_weekly_pence = Integer(null=True, default=None)
    opening_quorum = Integer(default=1)
    standstill_working_days = Integer(default=8)
    min_bids = Integer(default=1)
    terms = Text(default="{}")
    rurality_weights = Text(default="{}")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(null=True, default=None)
    # Who is invited at publication (docs/design.md 3.5): framework (admitted to the lot
    # in the call-off's areas) or wider (admitted to the lot in any area); other gates as ever.
    sourcing = Varchar(length=16, default="framework")
    # A wider call-off's chosen invitees (JSON list of organisation ids: providers admitted to the
    # lot, guest suppliers of this commissioner); null invites every admitted provider.
    chosen_invitees = Text(null=True, default=None)


class CallOffArea(Table, tablename="call_off_area"):
    """An area a call-off buys in (a pilot's areas carry their weekly hours)."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.cascade, index=True)
    area = ForeignKey(Area, on_delete=OnDelete.restrict)
    weekly_hours = Numeric(digits=(7, 2), null=True, default=None)


class CallOffPackage(Table, tablename="call_off_package"):
    """A waiting-list package a call-off buys care for."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.cascade, index=True)
    package = ForeignKey(Package, on_delete=OnDelete.restrict, index=True)


class Invitation(Table, tablename="invitation"):
    """A provider invited to a published call-off, for the areas it is admitted to."""

    id = UUID(primary_key=True)
    # Indexed with the provider: (call_off, provider), a migration's own index (tenders 2026-11-26
    # 08:30), which serves lookups by the call-off alone too.
    call_off = ForeignKey(CallOff, on_delete=OnDelete.cascade)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    area_codes = Text(default="[]")
    invited_at = Timestamptz(default=TimestamptzNow())


class GuestPass(Table, tablename="guest_pass"):
    """A guest supplier's credential for one call-off (docs/design.md 3.5): the link's token is
    stored only as its SHA-256; it is accepted while the call-off is open and before its deadline."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.cascade, index=True)
    guest = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    issued_at = Timestamptz(default=TimestamptzNow())


class CallOffDocument(Table, tablename="call_off_document"):
    """A document of the call-off (a specification, a map), kept in the archive."""

    id = UUID(primary_key=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.cascade, index=True)
    document_id = UUID()
    filename = Varchar(length=200)
