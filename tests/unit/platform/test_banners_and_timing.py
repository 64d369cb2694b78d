"""The success banners' fixed sentences and the call-off timing words, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.tenders.call_offs.status import end_of_today
from marketplace.web.banners import SUCCESS_MESSAGES, done, success_message
from marketplace.web.labels import timing

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_a_known_code_has_its_sentence_and_anything_else_none() -> None:
    assert success_message("published") == SUCCESS_MESSAGES["published"]
    assert success_message("<script>") is None
    assert success_message(None) is None


def test_done_adds_the_code_before_the_fragment_and_after_a_query() -> None:
    assert done("/call-offs/1/evaluation#award", "awarded") == (
        "/call-offs/1/evaluation?done=awarded#award"
    )
    assert done("/x?a=1", "published") == "/x?a=1&done=published"
    with pytest.raises(ValueError, match="No success message"):
        done("/x", "anything")


def test_time_left_only_while_draft_or_published() -> None:
    deadline = NOW + timedelta(days=2, hours=3)
    assert timing("draft", deadline, now=NOW, zone="Europe/London") == (
        "Time left",
        "2 days 3 hours",
    )
    assert timing("published", deadline, now=NOW, zone="Europe/London")[0] == "Time left"
    for status in ("closed", "evaluated", "awarded", "concluded", "no_award"):
        assert timing(status, NOW, zone="Europe/London") == (
            "Closed",
            "Closed for bids on 25 November 2026",
        )


def test_a_cancelled_call_off_says_when() -> None:
    assert timing("cancelled", NOW + timedelta(days=6), NOW, zone="Europe/London") == (
        "Cancelled",
        "Cancelled on 25 November 2026",
    )


def test_the_end_of_today_is_uk_midnight() -> None:
    # 23:30 UTC on 25 November is still 25 November in London (GMT); in June (BST) it is not.
    assert end_of_today(datetime(2026, 11, 25, 23, 30, tzinfo=UTC), "Europe/London") == (
        datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    )
    assert end_of_today(datetime(2026, 6, 25, 23, 30, tzinfo=UTC), "Europe/London") == (
        datetime(2026, 6, 26, 23, 0, tzinfo=UTC)
    )
