"""The call-off lifecycle, pure: its statuses, the moves between them, and the groupings every
page, feed and use case asks about, each defined here once (docs/design.md section 3.2).

Only `lifecycle.move_call_off` changes a call-off's status, and it asks `check_move` first. The
presentation words (tags, what a bidder reads) are the web's, in marketplace/web/labels.py, keyed
by the plain values: a member of `CallOffStatus` equals its value and hashes like it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from marketplace.errors import WrongState


class CallOffStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    AWARDED = "awarded"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"
    NO_AWARD = "no_award"


# Every move a call-off may make, each with what makes it; any other is refused. Concluded,
# cancelled and no_award end a call-off: nothing moves it again.
MOVES: Mapping[CallOffStatus, frozenset[CallOffStatus]] = {
    # publish; cancel
    CallOffStatus.DRAFT: frozenset({CallOffStatus.PUBLISHED, CallOffStatus.CANCELLED}),
    # the deadline; cancel
    CallOffStatus.PUBLISHED: frozenset({CallOffStatus.CLOSED, CallOffStatus.CANCELLED}),
    # opening the bids, which evaluates them
    CallOffStatus.CLOSED: frozenset({CallOffStatus.EVALUATED}),
    # confirm the award; too few compliant bids, or none that can be awarded
    CallOffStatus.EVALUATED: frozenset({CallOffStatus.AWARDED, CallOffStatus.NO_AWARD}),
    # the end of the standstill
    CallOffStatus.AWARDED: frozenset({CallOffStatus.CONCLUDED}),
    CallOffStatus.CONCLUDED: frozenset(),
    CallOffStatus.CANCELLED: frozenset(),
    CallOffStatus.NO_AWARD: frozenset(),
}
# How a refusal names the move: "A cancelled call-off cannot be published".
_MOVE_WORDS: Mapping[CallOffStatus, str] = {
    CallOffStatus.DRAFT: "made a draft again",
    CallOffStatus.PUBLISHED: "published",
    CallOffStatus.CLOSED: "closed",
    CallOffStatus.EVALUATED: "evaluated",
    CallOffStatus.AWARDED: "awarded",
    CallOffStatus.CONCLUDED: "concluded",
    CallOffStatus.CANCELLED: "cancelled",
    CallOffStatus.NO_AWARD: "ended without an award",
}

# Bids may be submitted, replaced and withdrawn (before the deadline); the default of the feed.
OPEN_FOR_BIDS = frozenset({CallOffStatus.PUBLISHED})
# Not closed yet: the deadline may change, documents may be attached, it may be cancelled, and
# the console keeps its time left and its count of responses fresh.
BEFORE_CLOSE = frozenset({CallOffStatus.DRAFT, CallOffStatus.PUBLISHED})
# A package in a call-off in one of these cannot be put in another one.
HOLDING_PACKAGES = frozenset(
    {CallOffStatus.PUBLISHED, CallOffStatus.CLOSED, CallOffStatus.EVALUATED, CallOffStatus.AWARDED}
)
# The bids have been opened and evaluated: there is an evaluation to read.
OPENED = frozenset(
    {
        CallOffStatus.EVALUATED,
        CallOffStatus.AWARDED,
        CallOffStatus.CONCLUDED,
        CallOffStatus.NO_AWARD,
    }
)
# No bid has been opened, so a bidder has no outcome (not yet, or never for a cancelled one).
WAITING = frozenset(CallOffStatus) - OPENED
# The award is decided either way: a bidder's outcome is final and its summary is sent.
DECIDED = frozenset({CallOffStatus.AWARDED, CallOffStatus.CONCLUDED, CallOffStatus.NO_AWARD})

# What templates compare a call-off's status with; the pages pass these in their context.
STATUS_CONTEXT: Mapping[str, object] = {
    "statuses": CallOffStatus,
    "open_for_bids": OPEN_FOR_BIDS,
    "before_close": BEFORE_CLOSE,
    "opened": OPENED,
    "decided": DECIDED,
}


def _a(status: str) -> str:
    return f"{'An' if status[:1] in ('a', 'e', 'i', 'o', 'u') else 'A'} {status}"


def can_move(current: str, to: CallOffStatus) -> bool:
    """Whether the table allows the move (an unknown status allows none)."""
    return current in MOVES and to in MOVES[CallOffStatus(current)]


def check_move(current: str, to: CallOffStatus) -> None:
    """Refuse a move the table does not allow: "A cancelled call-off cannot be published"."""
    if not can_move(current, to):
        raise WrongState(f"{_a(current)} call-off cannot be {_MOVE_WORDS[to]}")


def check_status(current: str, allowed: Collection[str], doing: str) -> None:
    """Refuse what only a call-off in one of the `allowed` statuses may have done to it:
    "An awarded call-off cannot be given a new deadline"."""
    if current not in allowed:
        raise WrongState(f"{_a(current)} call-off cannot be {doing}")


def end_of_today(now: datetime, zone: str) -> datetime:
    """Midnight at the end of the UK day containing `now`: a published call-off whose deadline
    is by then is "closing today" (the commissioner's home page and its filtered list)."""
    tz = ZoneInfo(zone)
    return datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(), tzinfo=tz)
