"""Words the call-off pages share: time left, the call-off statuses' tags and what a bidder reads
for each, rurality and service level labels. The web knows no domain, so the statuses are keyed
by their plain values (the lifecycle's `CallOffStatus` members equal them)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from marketplace.config import get_settings

STATUS_TAGS = {
    "draft": "govuk-tag--grey",
    "published": "govuk-tag--blue",
    "closed": "govuk-tag--yellow",
    "evaluated": "govuk-tag--purple",
    "awarded": "govuk-tag--green",
    "cancelled": "govuk-tag--red",
}
# A call-off's status as its bidders read it in "my bids" (a draft is never shown to them).
STATUS_FOR_BIDDERS = {
    "published": "Open for bids",
    "closed": "Closed, awaiting opening",
    "evaluated": "Opened, being evaluated",
    "awarded": "Awarded: standstill",
    "concluded": "Concluded",
    "no_award": "No award made",
    "cancelled": "Cancelled",
}
RURALITY = {
    "urban_major_conurbation": "Urban: major conurbation",
    "urban_city_and_town": "Urban: city and town",
    "rural_town_and_fringe": "Rural: town and fringe",
    "rural_village_and_dispersed": "Rural: village and dispersed",
}
SERVICE_LEVELS = {"standard": "Standard", "complex": "Complex", "highly_complex": "Highly complex"}
URGENCY = {"standard": "Standard", "urgent": "Urgent"}
URGENCY_REASONS = {
    "hospital_discharge": "Hospital discharge",
    "end_of_life": "End of life",
    "significant_harm": "Risk of significant harm",
}


def time_left(deadline: datetime, now: datetime | None = None) -> str:
    """'2 days 4 hours', '35 minutes', or 'Deadline passed'."""
    seconds = int((deadline - (now or datetime.now(UTC))).total_seconds())
    if seconds <= 0:
        return "Deadline passed"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(max(minutes, 1), "minute")


def _day(value: datetime, zone: str | None) -> str:
    return value.astimezone(ZoneInfo(zone or get_settings().timezone)).strftime("%-d %B %Y")


def timing(
    status: str,
    deadline: datetime,
    cancelled_at: datetime | None = None,
    zone: str | None = None,
    now: datetime | None = None,
) -> tuple[str, str]:
    """What a page says of a call-off's time, as (key, value), following its status: the time
    left only while it is a draft or open for bids, never on a closed or cancelled one."""
    if status == "cancelled":
        when = f" on {_day(cancelled_at, zone)}" if cancelled_at else ""
        return "Cancelled", f"Cancelled{when}"
    if status in ("draft", "published"):
        return "Time left", time_left(deadline, now)
    return "Closed", f"Closed for bids on {_day(deadline, zone)}"


def rurality_mix(mix: dict[str, int]) -> str:
    """'2 Urban: city and town, 1 Rural: village and dispersed' (present categories only)."""
    shown = [f"{n} {RURALITY.get(k, k)}" for k, n in mix.items() if n]
    return ", ".join(shown) or "None"


PAGE_WORDS = {
    "status_tags": STATUS_TAGS,
    "rurality_labels": RURALITY,
    "service_levels": SERVICE_LEVELS,
    "urgencies": URGENCY,
    "time_left": time_left,
    "timing": timing,
    "bidder_statuses": STATUS_FOR_BIDDERS,
    "rurality_mix": rurality_mix,
}
