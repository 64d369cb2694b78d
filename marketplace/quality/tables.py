"""Quality records a commissioner keeps about a provider (docs/design.md 4.8): monitoring visits,
substantiated safeguarding concerns, upheld complaints and compliments."""

from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from marketplace.accounts.tables import Organisation, User
from marketplace.archive.tables import Document


class QualityRecord(Table, tablename="quality_record"):
    """One event a commissioner recorded about a provider. Records are never edited: a record
    entered in error is withdrawn, with its reason, and no longer counts in the ranking."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    # monitoring_visit | safeguarding_concern | upheld_complaint | compliment (rules.RECORD_KINDS)
    kind = Varchar(length=32, index=True)
    occurred_on = Date()
    score = Integer(null=True, default=None)  # a monitoring visit's score, 0 to 100
    summary = Text()
    # A monitoring visit's report, archived write-once (commissioner_only).
    report = ForeignKey(Document, null=True, default=None, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()
    recorded_by = ForeignKey(User, on_delete=OnDelete.restrict)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)
    withdrawal_reason = Text(null=True, default=None)
