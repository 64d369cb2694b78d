"""Admission to the DPS (a provider's application to a lot in some areas, and its decision) and
commissioners' blocks on providers.

A Piccolo app of its own ("admissions") inside the accounts domain: its tables refer to lots and
areas (tenders) and archived documents, whose apps migrate after accounts, so they cannot be in
the accounts app's migrations.
"""

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.accounts.tables import Organisation, User
from marketplace.archive.tables import Document
from marketplace.reference.tables import Area, Lot


class Admission(Table, tablename="admission"):
    """A provider's application to join a lot in areas of one commissioner, who decides it."""

    id = UUID(primary_key=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, on_delete=OnDelete.restrict)
    # The commissioner of every area applied for: the one who decides.
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="applied", index=True)  # applied | approved | rejected
    applied_at = Timestamptz(default=TimestamptzNow())
    # Null when the system admitted the provider (the demo loader).
    applied_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)
    decision_reason = Text(null=True, default=None)
    # The tender evaluation score (0 to 100) the commissioner recorded when approving, if any:
    # a factor of the provider quality ranking (docs/design.md 4.8).
    tender_score = Integer(null=True, default=None)
    # When the provider accepted the lot's maximum prices (night rates included) on applying;
    # null only for admissions made before the acceptance was asked for.
    maximum_prices_accepted_at = Timestamptz(null=True, default=None)
    # At most one open (applied) application per provider, lot and commissioner: partial unique
    # index admission_one_open, created in the migration.


class AdmissionArea(Table, tablename="admission_area"):
    """An area an application names; approved with the application."""

    id = UUID(primary_key=True)
    admission = ForeignKey(Admission, on_delete=OnDelete.cascade, index=True)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True)


class AdmissionDocument(Table, tablename="admission_document"):
    """Evidence a provider attached to its application (archived, commissioner_only)."""

    id = UUID(primary_key=True)
    admission = ForeignKey(Admission, on_delete=OnDelete.cascade, index=True)
    document = ForeignKey(Document, on_delete=OnDelete.restrict, unique=True)
    attached_at = Timestamptz(default=TimestamptzNow())


class Block(Table, tablename="provider_block"):
    """A commissioner's block on a provider: while open (not unblocked) the provider fails the
    gates of that commissioner's call-offs."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    reason = Text()
    blocked_at = Timestamptz(default=TimestamptzNow())
    blocked_by = ForeignKey(User, on_delete=OnDelete.restrict)
    unblocked_at = Timestamptz(null=True, default=None)
    unblocked_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)
    unblock_reason = Text(null=True, default=None)
    # At most one open block per commissioner and provider: partial unique index
    # provider_block_one_open, created in the migration.


class EnablementBar(Table, tablename="enablement_bar"):
    """A provider barred from a commissioner's enablement requests after too many failed
    enablements (the care domain bars it); while open (not lifted) the provider fails the gates
    of that commissioner's enablement call-offs, and only those."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    # How many enablements failed within how many months when the bar was made.
    failures = Integer()
    months = Integer()
    barred_at = Timestamptz(default=TimestamptzNow())
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)
    lift_reason = Text(null=True, default=None)
    # At most one open bar per commissioner and provider: partial unique index
    # enablement_bar_one_open, created in the migration.
