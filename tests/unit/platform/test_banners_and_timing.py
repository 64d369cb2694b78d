"""The success banners' fixed sentences, their one-time cookie, and the call-off timing words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from marketplace.tenders.call_offs.status import end_of_today
from marketplace.web.banners import (
    FLASH_SECONDS,
    SUCCESS_MESSAGES,
    OneTimeBanners,
    done,
    flash_parameters,
    flash_value,
    success_message,
)
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


def test_the_banner_cookie_holds_for_its_own_page_until_it_expires_and_only_signed() -> None:
    now = 1_800_000_000.0
    value = flash_value("/call-offs/1", [("done", "published")], now=now)
    assert flash_parameters(value, "/call-offs/1", now=now) == [("done", "published")]
    assert flash_parameters(value, "/call-offs/2", now=now) == [], "another page"
    assert flash_parameters(value, "/call-offs/1", now=now + FLASH_SECONDS + 1) == []
    mac = value.split(".")[1]
    forged = flash_value("/call-offs/1", [("done", "cancelled")], now=now).split(".")[0]
    assert flash_parameters(f"{forged}.{mac}", "/call-offs/1", now=now) == []
    assert flash_parameters("not a cookie", "/call-offs/1", now=now) == []


async def _through(
    scope_extra: dict[str, Any], answer: dict[str, Any]
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """What the app behind the middleware sees as its query, and the headers the browser gets."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["query"] = scope["query_string"]
        await send({"type": "http.response.start", **answer})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/call-offs/1",
        "query_string": b"",
        "headers": [],
        **scope_extra,
    }
    await OneTimeBanners(app)(scope, None, send)  # type: ignore[arg-type]
    return seen["query"], sent[0]["headers"]


async def test_a_redirect_carries_its_banner_in_a_cookie_and_the_page_shows_it_once() -> None:
    location = done("/call-offs/1?tab=bids#award", "published").encode()
    _, headers = await _through(
        {"method": "POST"}, {"status": 303, "headers": [(b"location", location)]}
    )
    assert (b"location", b"/call-offs/1?tab=bids#award") in headers
    [cookie] = [value for name, value in headers if name == b"set-cookie"]
    assert b"HttpOnly" in cookie and b"Max-Age=120" in cookie
    sent_back = [(b"cookie", cookie.split(b";")[0])]
    query, headers = await _through(
        {"headers": sent_back, "query_string": b"tab=bids"}, {"status": 200, "headers": []}
    )
    assert query == b"tab=bids&done=published"
    assert (b"set-cookie", b"banner=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0") in headers
    typed, _ = await _through({"query_string": b"done=published"}, {"status": 200, "headers": []})
    assert typed == b"", "a banner typed into the address is dropped"


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
