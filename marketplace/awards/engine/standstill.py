"""When an award's standstill ends (docs/design.md 4.13), pure: a number of working
days set per call-off, counted from the day the award notice is sent (that day counts when it is
a working day), England and Wales bank holidays excluded, ending at 23:59:59 local time on the
last of them. With 0 days there is no standstill: it ends when the notice is sent."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from marketplace.working_days import add_working_days

END_OF_DAY = time(23, 59, 59)


def standstill_ends_at(notice_at: datetime, working_days: int, zone: ZoneInfo) -> datetime:
    """The end of the standstill (in UTC) for an award notice sent at `notice_at`."""
    if notice_at.tzinfo is None:
        raise ValueError("the notice's moment needs its time zone")
    if working_days < 0:
        raise ValueError("a standstill is not negative")
    if working_days == 0:
        return notice_at.astimezone(UTC)
    notice_day = notice_at.astimezone(zone).date()
    last_day = add_working_days(notice_day, working_days)
    return datetime.combine(last_day, END_OF_DAY, tzinfo=zone).astimezone(UTC)
