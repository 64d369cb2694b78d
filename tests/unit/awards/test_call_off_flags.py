"""An abnormally low rate is flagged on the bid that offers it wherever it ranks: in a cluster,
where the quickest mobilisation wins, the flag falls on a bid behind the winner and not on the
winner (docs/design.md 4.9; pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from marketplace.awards.engine.ranking import ABNORMALLY_LOW, BidFacts, CallOffTerms, evaluate

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLUSTER = CallOffTerms("cluster", 2400, 44000, Decimal("20.00"), latest_start=date(2027, 1, 14))


def bid(number: int, rate: int, mobilisation: date) -> BidFacts:
    return BidFacts(
        bid_id=UUID(int=number),
        provider_id=UUID(int=1000 + number),
        provider_name=f"Provider {number}",
        received_at=T0 + timedelta(seconds=number),
        hourly_rate_pence=rate,
        mobilisation_date=mobilisation,
    )


def test_a_low_rate_behind_the_winner_is_flagged_and_the_winners_is_not() -> None:
    # 10.00 is 30% or more below the next-best rate of 20.00; neither 20.00 nor 21.00 is low.
    bids = [
        bid(1, 2000, date(2027, 1, 2)),
        bid(2, 1000, date(2027, 1, 5)),
        bid(3, 2100, date(2027, 1, 6)),
    ]
    evaluation = evaluate(CLUSTER, bids)
    flags = {item.bid_id.int: item.flags for item in evaluation.assessments}
    assert [item.bid_id.int for item in evaluation.assessments] == [1, 2, 3]
    assert flags == {1: (), 2: (ABNORMALLY_LOW,), 3: ()}
    assert evaluation.winners[0].flags == ()
