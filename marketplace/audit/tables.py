"""The append-only audit log, and the seals that chain it (see README.md in this folder)."""

from piccolo.columns import (
    UUID,
    BigInt,
    BigSerial,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """Who did what to which entity, when. Never updated or deleted (a trigger refuses it on
    PostgreSQL); events are chained into the log by the sealer, in batches."""

    id = BigSerial(primary_key=True)
    occurred_at = Timestamptz()
    actor_user_id = UUID(null=True, default=None)
    actor_email = Varchar(length=254, null=True, default=None)
    actor_organisation_id = UUID(null=True, default=None)
    action = Varchar(length=64, index=True)
    entity = Varchar(length=40, index=True)
    entity_id = Varchar(length=64, null=True, default=None, index=True)
    # The organisation whose record this is: its commissioners may read the event.
    organisation_id = UUID(null=True, default=None, index=True)
    details = Text(default="{}")


class AuditSeal(Table, tablename="audit_seal"):
    """One batch of events chained to the seal before it: hash = SHA-256 of the previous seal's
    hash and the digests of the batch's events in id order."""

    id = BigSerial(primary_key=True)
    sealed_at = Timestamptz()
    previous_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
    event_count = Integer()


class AuditEventDigest(Table, tablename="audit_event_digest"):
    """The SHA-256 of one event's canonical form, as sealed."""

    event_id = BigInt(primary_key=True)
    seal = ForeignKey(AuditSeal, on_delete=OnDelete.restrict, index=True)
    digest = Varchar(length=64)


class AuditAnchor(Table, tablename="audit_anchor"):
    """That a seal's anchor has been written to the archive (so the sealer writes each once). Only
    the sealer's bookkeeping: `verify` reads the anchors in the archive, never this table."""

    seal = BigInt(primary_key=True)
    anchored_at = Timestamptz()
