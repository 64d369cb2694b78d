"""Award rules for a call-off (docs/design.md 4.5 to 4.9), pure.

`evaluate(terms, bids)` gates every bid, ranks the compliant ones in a total order, flags
abnormally low rates, and says in one sentence why each bid won, lost or was excluded.
Enablement and cluster call-offs are decided here; pilots are scored and assigned in
`pilot_rules`. The caller works out the provider gates (their sentences arrive in
`BidFacts.provider_failures`) and applies `min_bids`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from operator import itemgetter
from typing import Any
from uuid import UUID

from marketplace.admissions.rules import GateFailure
from marketplace.awards.engine import pilot as pilot_rules
from marketplace.awards.engine.gates import Gates, abnormally_low_bids, bid_gate_failures
from marketplace.awards.engine.phrases import (
    counted,
    excluded_because,
    listed,
    long_date,
    per_hour,
    shown,
)
from marketplace.awards.engine.quality import (
    DEFAULT_QUALITY_WEIGHTS,
    QualityInputs,
    QualityScore,
    bid_quality_key,
    quality_ahead,
    quality_behind,
    quality_level,
    quality_score,
)
from marketplace.awards.engine.values import (
    ABNORMALLY_LOW,
    AreaOffer,
    Assessment,
    BidFacts,
    CallOffTerms,
    Evaluation,
    PilotArea,
    Question,
)
from marketplace.tenders.call_offs.envelope import weekly_cost_pence

# The awards service imports the whole engine from here.
__all__ = [
    "ABNORMALLY_LOW",
    "DEFAULT_QUALITY_WEIGHTS",
    "AreaOffer",
    "Assessment",
    "BidFacts",
    "CallOffTerms",
    "Evaluation",
    "PilotArea",
    "QualityInputs",
    "QualityScore",
    "Question",
    "abnormally_low_bids",
    "bid_gate_failures",
    "evaluate",
    "quality_score",
    "rank_compliant_bids",
]


@dataclass(frozen=True)
class RankingStep:
    """One step of a kind's ranking: what it compares (smaller key ranks first), its name, and the
    words for a bid behind the winner on it, level with the winner, or (the winner) ahead."""

    name: str
    key: Callable[[BidFacts], Any]
    behind: Callable[[BidFacts, BidFacts], str]
    level: Callable[[BidFacts, BidFacts], str]
    ahead: Callable[[BidFacts, BidFacts], str]


def _rate(bid: BidFacts) -> int:
    assert bid.hourly_rate_pence is not None, "a compliant bid has a rate"
    return bid.hourly_rate_pence


def _mobilisation_key(bid: BidFacts) -> tuple[Any, ...]:
    return (1,) if bid.mobilisation_date is None else (0, bid.mobilisation_date)


def _mobilises_later(bid: BidFacts, winner: BidFacts) -> str:
    ours, theirs = bid.mobilisation_date, winner.mobilisation_date
    assert theirs is not None, "a bid with no date never beats one with a date"
    if ours is None:
        return f"gives no mobilisation date, against the winner's {long_date(theirs)}"
    later = counted((ours - theirs).days, "day")
    return (
        f"mobilises {later} later than the winner ({long_date(ours)} against {long_date(theirs)})"
    )


def _mobilises_earlier(winner: BidFacts, other: BidFacts) -> str:
    ours, theirs = winner.mobilisation_date, other.mobilisation_date
    assert ours is not None, "a bid with no date never beats one with a date"
    if theirs is None:
        return f"mobilisation date ({long_date(ours)}; the next-ranked bid gives none)"
    return f"mobilisation date ({long_date(ours)} against {long_date(theirs)})"


LOWER_RATE = RankingStep(
    "rate",
    _rate,
    lambda bid, win: (
        f"{per_hour(_rate(bid) - _rate(win))} above the winning rate of {per_hour(_rate(win))}"
    ),
    lambda bid, win: f"the same rate as the winner ({per_hour(_rate(win))})",
    lambda win, other: f"rate ({per_hour(_rate(win))} against {per_hour(_rate(other))})",
)
EARLIER_MOBILISATION = RankingStep(
    "mobilisation date",
    _mobilisation_key,
    _mobilises_later,
    lambda bid, win: (
        "mobilises on the same day as the winner"
        if bid.mobilisation_date
        else "gives no mobilisation date, like the winner"
    ),
    _mobilises_earlier,
)
BETTER_QUALITY_RANK = RankingStep(
    "provider quality ranking",
    bid_quality_key,
    quality_behind,
    lambda bid, win: quality_level(bid),
    quality_ahead,
)
EARLIER_RECEIPT = RankingStep(
    "receipt time",
    lambda bid: bid.received_at,
    lambda bid, win: "received after the winning bid",
    lambda bid, win: "received at the same moment as the winning bid",
    lambda win, other: "receipt time (received earlier)",
)
BID_REFERENCE = RankingStep(
    "bid reference",
    lambda bid: str(bid.bid_id),
    lambda bid, win: "placed after the winning bid by bid reference, the last tie-break",
    lambda bid, win: "the same bid as the winner",
    lambda win, other: "bid reference, the last tie-break",
)
RANKING: Mapping[str, tuple[RankingStep, ...]] = {
    "enablement": (
        LOWER_RATE,
        BETTER_QUALITY_RANK,
        EARLIER_MOBILISATION,
        EARLIER_RECEIPT,
        BID_REFERENCE,
    ),
    "cluster": (
        EARLIER_MOBILISATION,
        BETTER_QUALITY_RANK,
        LOWER_RATE,
        EARLIER_RECEIPT,
        BID_REFERENCE,
    ),
}


def rank_compliant_bids(kind: str, bids: Iterable[BidFacts]) -> tuple[BidFacts, ...]:
    """Enablement ranks lower rate, then better provider quality rank, then earlier mobilisation
    (none last), then earlier receipt; cluster ranks earlier mobilisation, then quality rank, then
    lower rate, then receipt; the bid id settles what is left, so the order is total."""
    return tuple(bid for _, bid in _ranked(RANKING[kind], bids))


def _ranked(
    steps: Sequence[RankingStep], bids: Iterable[BidFacts]
) -> list[tuple[tuple[Any, ...], BidFacts]]:
    """The bids in ranked order, each with its keys (one per step), worked out once per bid."""
    keys = [step.key for step in steps]
    keyed = [(tuple([key(bid) for key in keys]), bid) for bid in bids]
    keyed.sort(key=itemgetter(0))
    return keyed


def _behind_reason(
    steps: Sequence[RankingStep],
    bid: BidFacts,
    keys: tuple[Any, ...],
    winner: BidFacts,
    winner_keys: tuple[Any, ...],
) -> str:
    words: list[str] = []
    for step, ours, theirs in zip(steps, keys, winner_keys, strict=True):
        if ours != theirs:
            return "; ".join([*words, step.behind(bid, winner)])
        words.append(step.level(bid, winner))
    return "; ".join(words)


def _winner_reason(kind: str, ranked: Sequence[BidFacts]) -> str:
    winner, count = ranked[0], len(ranked)
    if kind == "enablement":
        rate = per_hour(_rate(winner))
        head = f"lowest ongoing-support rate of {rate} among {counted(count, 'compliant bid')}"
        alone = f"the only compliant bid, with an ongoing-support rate of {rate}"
    else:
        assert winner.mobilisation_date is not None, "a compliant cluster bid has a date"
        day = long_date(winner.mobilisation_date)
        head = f"quickest mobilisation, on {day}, among {counted(count, 'compliant bid')}"
        alone = f"the only compliant bid, mobilising on {day}"
    if count == 1:
        return alone
    steps, runner_up = RANKING[kind], ranked[1]
    decider = next(i for i, step in enumerate(steps) if step.key(winner) != step.key(runner_up))
    if decider == 0:
        return head
    level = listed([step.name for step in steps[:decider]])
    ahead = steps[decider].ahead(winner, runner_up)
    return f"{head}; level with the next-ranked bid on {level} and ahead on {ahead}"


class _Figures:
    """Each bid's figures; the weekly cost of each distinct rate and the display of each distinct
    quality score are worked out once per evaluation."""

    def __init__(self, terms: CallOffTerms) -> None:
        self.hours = terms.total_weekly_hours
        self.weekly: dict[int, int] = {}
        self.scores: dict[Decimal, str] = {}

    def of(self, bid: BidFacts) -> dict[str, str | int | None]:
        rate, day, score = bid.hourly_rate_pence, bid.mobilisation_date, bid.quality_score
        weekly = None if rate is None else self.weekly.get(rate)
        if rate is not None and weekly is None:
            weekly = self.weekly[rate] = weekly_cost_pence(rate, self.hours)
        shown_score = self.scores.get(score)
        if shown_score is None:
            shown_score = self.scores[score] = shown(score)
        return {
            "hourly_rate_pence": rate,
            "weekly_cost_pence": weekly,
            "mobilisation_date": None if day is None else day.isoformat(),
            "quality_score": shown_score,
            "received_at": bid.received_at.isoformat(),
        }


def _assess_call_off(terms: CallOffTerms, bids: Sequence[BidFacts]) -> list[Assessment]:
    gate, steps, figures_of = Gates(terms).failures, RANKING[terms.kind], _Figures(terms).of
    gated = [(bid, gate(bid)) for bid in bids]
    keyed = _ranked(steps, (bid for bid, failures in gated if not failures))
    ranked = [bid for _, bid in keyed]
    excluded = sorted(
        ((bid, failures) for bid, failures in gated if failures),
        key=lambda item: (item[0].received_at, str(item[0].bid_id)),
    )
    assessments = []
    for rank, (keys, bid) in enumerate(keyed, start=1):
        reason = (
            _winner_reason(terms.kind, ranked)
            if rank == 1
            else _behind_reason(steps, bid, keys, ranked[0], keyed[0][0])
        )
        assessments.append(Assessment.of(bid, None, rank, rank == 1, (), figures_of(bid), reason))
    for bid, exclusions in excluded:
        reason = excluded_because(exclusions)
        figures = figures_of(bid)
        assessments.append(Assessment.of(bid, None, None, False, exclusions, figures, reason))
    return assessments


def _flag_abnormally_low(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Flags each compliant rate that is abnormally low among the compliant rates of its call-off
    (for a pilot, of its area); a flagged bid still ranks."""
    rates: dict[str | None, dict[UUID, int]] = {}
    for item in assessments:
        rate = item.figures.get("hourly_rate_pence")
        if item.compliant and isinstance(rate, int):
            rates.setdefault(item.area_code, {})[item.bid_id] = rate
    flagged = {area: abnormally_low_bids(group) for area, group in rates.items()}
    return [
        replace(item, flags=(*item.flags, ABNORMALLY_LOW))
        if item.compliant and item.bid_id in flagged.get(item.area_code, frozenset())
        else item
        for item in assessments
    ]


def evaluate(terms: CallOffTerms, bids: Sequence[BidFacts]) -> Evaluation:
    """Every bid is gated, the compliant ones ranked in a total order and abnormally low rates
    flagged; the winner is the best-ranked compliant bid (for a pilot, the assignment of bids to
    areas with the highest combined total score, see `pilot_rules`)."""
    if terms.kind == "pilot":
        gates: dict[tuple[UUID, str | None], tuple[GateFailure, ...]] = {}
        gate = Gates(terms).failures
        for bid in bids:
            codes: list[str | None] = [offer.area_code for offer in bid.areas]
            for code in codes or [None]:
                gates[(bid.bid_id, code)] = gate(bid, code)
        assessments, complete = pilot_rules.assess_pilot(terms, bids, gates)
    elif terms.kind in RANKING:
        assessments, complete = _assess_call_off(terms, bids), True
    else:
        raise ValueError(f"unknown kind of call-off {terms.kind!r}")
    flagged = tuple(_flag_abnormally_low(assessments))
    winners = tuple(item for item in flagged if item.winner)
    return Evaluation(terms.kind, flagged, winners, complete)
