"""KPI returns (docs/design.md 8.9): each lot's KPI template, the quarterly return a provider
owes a commissioner on a lot, its answers (the pre-filled value kept beside the provider's) and
the reminders sent (one per return and day)."""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
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
from marketplace.archive.tables import Document
from marketplace.reference.tables import Lot


class KpiMeasure(Table, tablename="kpi_measure"):
    """One line of a lot's KPI template, in the commissioning document's words.
    Unique (lot, reference): index kpi_measure_one_per_reference, created in the migration."""

    id = UUID(primary_key=True)
    lot = ForeignKey(Lot, on_delete=OnDelete.restrict, index=True)
    reference = Varchar(length=16)  # R1, R2, ...
    position = Integer()
    measure = Text()
    kind = Varchar(length=16)  # count | percentage | minutes | text (rules.KINDS)
    reasons_required = Boolean(default=False)
    # What the marketplace pre-fills it from (rules.PREFILL_SOURCES), or null: the provider's.
    prefill = Varchar(length=48, null=True, default=None)


class KpiReturn(Table, tablename="kpi_return"):
    """A provider's return to a commissioner for a lot and quarter: `open` until submitted, then
    `submitted`, locked and archived with its digest. Unique (commissioner, lot, provider, year,
    quarter): index kpi_return_one_per_quarter, created in the migration."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, on_delete=OnDelete.restrict, index=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    quarter = Integer()  # 1 to 4: January to March is quarter 1
    due_on = Date()
    status = Varchar(length=16, default="open", index=True)
    opened_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = UUID(null=True, default=None)
    document = ForeignKey(Document, null=True, default=None, on_delete=OnDelete.restrict)
    sha256 = Varchar(length=64, null=True, default=None)


class KpiAnswer(Table, tablename="kpi_answer"):
    """One measure of a return: what the marketplace pre-filled and what the provider gave (a
    correction keeps both). Unique (kpi_return, measure)."""

    id = UUID(primary_key=True)
    kpi_return = ForeignKey(KpiReturn, on_delete=OnDelete.restrict, index=True)
    measure = ForeignKey(KpiMeasure, on_delete=OnDelete.restrict)
    prefilled_value = Text(null=True, default=None)
    prefilled_reasons = Text(null=True, default=None)
    value = Text(null=True, default=None)
    reasons = Text(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)


class KpiReminder(Table, tablename="kpi_reminder"):
    """A reminder sent for a return on a day (`before_due` | `overdue`). Unique (kpi_return, day):
    index kpi_reminder_one_a_day, so two workers never both send the day's reminder."""

    id = UUID(primary_key=True)
    kpi_return = ForeignKey(KpiReturn, on_delete=OnDelete.restrict, index=True)
    day = Date()
    kind = Varchar(length=16)
    sent_at = Timestamptz(default=TimestamptzNow())
