"""Care after the award: the awarded care itself, its hours variations, start corrections,
enablement outcomes and the timeline of everything that happened to it.

AwardedCare is migrated by the awards app (its history began there); the other tables by the care
app. Care sits below awards: its foreign key to an award line is a lazy reference, so this module
never imports awards.
"""

from piccolo.columns import (
    UUID,
    Boolean,
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
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from marketplace.accounts.tables import Organisation
from marketplace.reference.tables import Area
from marketplace.tenders.tables import CallOff, Package

AwardLine = LazyTableReference("AwardLine", module_path="marketplace.awards.tables")


class AwardedCare(Table, tablename="awarded_care"):
    """Care a provider won: one per package of an enablement or cluster call-off, one per area of
    a pilot. Its status moves awaiting_start -> active -> ended | handed_back."""

    id = UUID(primary_key=True)
    award_line: ForeignKey[Table] = ForeignKey(AwardLine, on_delete=OnDelete.restrict, index=True)
    # Null for a pilot's area; a package handed back can be awarded again (not unique).
    package = ForeignKey(Package, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    hourly_rate_pence = Integer()
    # The hours awarded: the tolerance is measured from them.
    weekly_hours = Numeric(digits=(7, 2))
    promised_mobilisation_date = Date(null=True, default=None)
    actual_start = Date(null=True, default=None)
    awarded_at = Timestamptz(default=TimestamptzNow())
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    call_off = ForeignKey(CallOff, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16, default="cluster")
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="awaiting_start", index=True)
    # The hours now, after the variations applied or approved.
    current_weekly_hours = Numeric(digits=(7, 2), null=True, default=None)
    start_recorded_at = Timestamptz(null=True, default=None)
    late_start = Boolean(default=False)
    handed_back_at = Timestamptz(null=True, default=None, index=True)
    ended_at = Timestamptz(null=True, default=None)
    # The reason for a hand-back or an end, and the last day of care.
    end_reason = Text(null=True, default=None)
    last_care_date = Date(null=True, default=None)
    # Enablement: met | failed, once the commissioner recorded the outcomes.
    enablement_result = Varchar(length=8, null=True, default=None)
    enablement_recorded_at = Timestamptz(null=True, default=None)


class HoursVariation(Table, tablename="care_hours_variation"):
    """A change of weekly hours the provider recorded: applied at once within the tolerance
    (`applied`), otherwise a request the commissioner decides (`requested` -> `approved` |
    `refused`)."""

    id = UUID(primary_key=True)
    care = ForeignKey(AwardedCare, on_delete=OnDelete.restrict, index=True)
    previous_weekly_hours = Numeric(digits=(7, 2))
    weekly_hours = Numeric(digits=(7, 2))
    effective_from = Date()
    reason = Text()
    status = Varchar(length=16, index=True)
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by = UUID()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)
    decision_reason = Text(null=True, default=None)


class StartCorrection(Table, tablename="care_start_correction"):
    """A commissioner's correction of the actual start the provider recorded, with its reason."""

    id = UUID(primary_key=True)
    care = ForeignKey(AwardedCare, on_delete=OnDelete.restrict, index=True)
    previous_start = Date()
    actual_start = Date()
    reason = Text()
    corrected_at = Timestamptz(default=TimestamptzNow())
    corrected_by = UUID()


class EnablementOutcome(Table, tablename="care_enablement_outcome"):
    """Whether one enabling outcome of an enablement was met, as the commissioner recorded it."""

    id = UUID(primary_key=True)
    care = ForeignKey(AwardedCare, on_delete=OnDelete.restrict, index=True)
    position = Integer()
    outcome = Text()
    met = Boolean()
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by = UUID()


class CareEvent(Table, tablename="care_event"):
    """One entry of a care record's timeline: what happened, when, and by which party."""

    id = UUID(primary_key=True)
    care = ForeignKey(AwardedCare, on_delete=OnDelete.restrict, index=True)
    occurred_at = Timestamptz(default=TimestamptzNow())
    action = Varchar(length=40)
    # provider | commissioner | system
    party = Varchar(length=16)
    sentence = Text()
