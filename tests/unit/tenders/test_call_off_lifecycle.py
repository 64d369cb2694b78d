"""The call-off lifecycle as docs/design.md section 3.2 states it: every allowed move, every refused
one, and the groupings the pages, the feed and the awards ask about (pure)."""

from __future__ import annotations

from itertools import product

import pytest

from marketplace.errors import WrongState
from marketplace.tenders.call_offs.status import (
    BEFORE_CLOSE,
    DECIDED,
    HOLDING_PACKAGES,
    MOVES,
    OPEN_FOR_BIDS,
    OPENED,
    WAITING,
    CallOffStatus,
    can_move,
    check_move,
    check_status,
)
from marketplace.web.labels import STATUS_FOR_BIDDERS, STATUS_TAGS

S = CallOffStatus
ALLOWED = {
    (S.DRAFT, S.PUBLISHED),
    (S.DRAFT, S.CANCELLED),
    (S.PUBLISHED, S.CLOSED),
    (S.PUBLISHED, S.CANCELLED),
    (S.CLOSED, S.EVALUATED),
    (S.EVALUATED, S.AWARDED),
    (S.EVALUATED, S.NO_AWARD),
    (S.AWARDED, S.CONCLUDED),
}
EVERY_PAIR = list(product(CallOffStatus, CallOffStatus))


def test_the_table_names_every_status_and_allows_exactly_the_designed_moves() -> None:
    assert set(MOVES) == set(CallOffStatus)
    assert {(current, to) for current, targets in MOVES.items() for to in targets} == ALLOWED


@pytest.mark.parametrize(("current", "to"), sorted(ALLOWED))
def test_every_allowed_move_passes(current: CallOffStatus, to: CallOffStatus) -> None:
    assert can_move(current, to)
    check_move(current, to)
    check_move(str(current.value), to)  # as a row holds it: a plain string


@pytest.mark.parametrize(("current", "to"), [pair for pair in EVERY_PAIR if pair not in ALLOWED])
def test_every_other_move_is_refused_with_a_domain_error(
    current: CallOffStatus, to: CallOffStatus
) -> None:
    assert not can_move(current, to)
    with pytest.raises(WrongState) as refused:
        check_move(current.value, to)
    words = {S.DRAFT: "made a draft again", S.NO_AWARD: "ended without an award"}
    assert refused.value.detail.endswith(f"{current} call-off cannot be {words.get(to, to)}")
    assert refused.value.status_code == 409


def test_a_refusal_says_plainly_what_cannot_happen() -> None:
    with pytest.raises(WrongState, match=r"^A cancelled call-off cannot be published$"):
        check_move("cancelled", S.PUBLISHED)
    with pytest.raises(WrongState, match=r"^A published call-off cannot be published$"):
        check_move("published", S.PUBLISHED)
    with pytest.raises(WrongState, match=r"^An evaluated call-off cannot be cancelled$"):
        check_move("evaluated", S.CANCELLED)
    with pytest.raises(WrongState, match=r"^A closed call-off cannot be ended without an award$"):
        check_move("closed", S.NO_AWARD)
    with pytest.raises(WrongState, match=r"^An awarded call-off cannot be given documents$"):
        check_status("awarded", BEFORE_CLOSE, doing="given documents")


def test_an_unknown_status_moves_nowhere() -> None:
    assert not any(can_move("archived", to) for to in CallOffStatus)


def test_concluded_cancelled_and_no_award_end_a_call_off() -> None:
    ended = {status for status, targets in MOVES.items() if not targets}
    assert ended == {S.CONCLUDED, S.CANCELLED, S.NO_AWARD}
    reachable = {S.DRAFT} | {to for targets in MOVES.values() for to in targets}
    assert reachable == set(CallOffStatus)


def test_the_groupings() -> None:
    assert {"published"} == OPEN_FOR_BIDS
    assert {"draft", "published"} == BEFORE_CLOSE
    assert {"published", "closed", "evaluated", "awarded"} == HOLDING_PACKAGES
    assert {"evaluated", "awarded", "concluded", "no_award"} == OPENED
    assert {"draft", "published", "closed", "cancelled"} == WAITING
    assert {"awarded", "concluded", "no_award"} == DECIDED
    # Every status is either waiting for its bids to open or opened, never both.
    assert set(CallOffStatus) == WAITING | OPENED and not WAITING & OPENED
    # Only the opening moves a call-off from waiting to opened.
    crossing = {(a, b) for a, b in ALLOWED if a in WAITING and b in OPENED}
    assert crossing == {(S.CLOSED, S.EVALUATED)}
    # A decided call-off never goes back to undecided.
    assert all(to in DECIDED for current in DECIDED for to in MOVES[current])


def test_a_plain_status_string_is_found_in_the_groupings() -> None:
    assert "published" in OPEN_FOR_BIDS and S.PUBLISHED == "published"
    assert {"awarded": 1}.get(S.AWARDED) == 1


def test_the_web_words_are_keyed_by_the_statuses_themselves() -> None:
    assert set(STATUS_TAGS) <= set(CallOffStatus)
    # A bidder sees every status but a draft, and has words for each.
    assert set(STATUS_FOR_BIDDERS) == set(CallOffStatus) - {S.DRAFT}
