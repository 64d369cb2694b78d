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
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any
from uuid import UUID

from marketplace.admissions.rules import GateFailure
from marketplace.awards.engine import pilot as pilot_rules
from marketplace.awards.engine.gates import (
    Gates,
    abnormally_low_bids,
    abnormally_low_rates,
    bid_gate_failures,
)
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
    negated_score,
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
    """One step of a kind's ranking: its name, and the words for a bid behind the winner on it,
    level with the winner, or (the winner) ahead. What each step compares is `_ranking_keys`."""

    name: str
    behind: Callable[[BidFacts, BidFacts], str]
    level: Callable[[BidFacts, BidFacts], str]
    ahead: Callable[[BidFacts, BidFacts], str]


def _rate(bid: BidFacts) -> int:
    assert bid.hourly_rate_pence is not None, "a compliant bid has a rate"
    return bid.hourly_rate_pence


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
    lambda bid, win: (
        f"{per_hour(_rate(bid) - _rate(win))} above the winning rate of {per_hour(_rate(win))}"
    ),
    lambda bid, win: f"the same rate as the winner ({per_hour(_rate(win))})",
    lambda win, other: f"rate ({per_hour(_rate(win))} against {per_hour(_rate(other))})",
)
EARLIER_MOBILISATION = RankingStep(
    "mobilisation date",
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
    quality_behind,
    lambda bid, win: quality_level(bid),
    quality_ahead,
)
EARLIER_RECEIPT = RankingStep(
    "receipt time",
    lambda bid, win: "received after the winning bid",
    lambda bid, win: "received at the same moment as the winning bid",
    lambda win, other: "receipt time (received earlier)",
)
BID_REFERENCE = RankingStep(
    "bid reference",
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
    RANKING[kind]  # an unknown kind is refused
    listed = list(bids)
    return tuple(bid for _, bid in _ranking_keys(kind, listed, _uuid_ids(listed)))


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


def _winner_reason(kind: str, keyed: Sequence[tuple[tuple[Any, ...], BidFacts]], count: int) -> str:
    """Why the winner won: `keyed` holds it and the next-ranked bid (if any) of `count`, each
    with its ranking keys."""
    winner = keyed[0][1]
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
    steps, (winner_keys, _), (runner_up_keys, runner_up) = RANKING[kind], keyed[0], keyed[1]
    pairs = zip(winner_keys, runner_up_keys, strict=True)
    decider = next(i for i, (ours, theirs) in enumerate(pairs) if ours != theirs)
    if decider == 0:
        return head
    level = listed([step.name for step in steps[:decider]])
    ahead = steps[decider].ahead(winner, runner_up)
    return f"{head}; level with the next-ranked bid on {level} and ahead on {ahead}"


# One assessment to make: the bid, its rank, whether it won, its failed gates, reason and flags.
_Row = tuple[BidFacts, int | None, bool, tuple[GateFailure, ...], str, tuple[str, ...]]


def _assessments(terms: CallOffTerms, rows: Iterable[_Row]) -> list[Assessment]:
    """Each row's assessment with its figures; the weekly cost of each distinct rate, the display
    of each distinct quality score and the ISO text of each distinct mobilisation date are
    worked out once per evaluation."""
    hours = terms.total_weekly_hours
    weekly_of: dict[int | None, int | None] = {None: None}
    shown_of: dict[Decimal, str] = {}
    iso_of: dict[date | None, str | None] = {None: None}
    made, new, set_attribute = [], object.__new__, object.__setattr__
    for bid, rank, winner, exclusions, reason, flags in rows:
        rate, day, score = bid.hourly_rate_pence, bid.mobilisation_date, bid.quality_score
        weekly = weekly_of.get(rate, 0)  # 0 for a rate not seen yet (or a week costing 0)
        if weekly == 0:
            weekly = weekly_of[rate] = weekly_cost_pence(rate, hours)  # type: ignore[arg-type]
        shown_score = shown_of.get(score)
        if shown_score is None:
            shown_score = shown_of[score] = shown(score)
        iso_day = iso_of.get(day, "")
        if iso_day == "":
            iso_day = iso_of[day] = day.isoformat()  # type: ignore[union-attr]
        figures = {
            "hourly_rate_pence": rate,
            "weekly_cost_pence": weekly,
            "mobilisation_date": iso_day,
            "quality_score": shown_score,
            "received_at": bid.received_at.isoformat(),
        }
        # Assessment.of(bid, None, rank, winner, exclusions, figures, reason, flags), inline.
        assessment = new(Assessment)
        set_attribute(
            assessment,
            "__dict__",
            {
                "bid_id": bid.bid_id,
                "provider_id": bid.provider_id,
                "provider_name": bid.provider_name,
                "area_code": None,
                "compliant": not exclusions,
                "rank": rank,
                "winner": winner,
                "flags": flags,
                "exclusions": exclusions,
                "figures": figures,
                "reason": reason,
            },
        )
        made.append(assessment)
    return made


def _uuid_ids(bids: Sequence[BidFacts]) -> bool:
    """Whether every bid and provider id is a UUID: then they are ordered by their numbers, in
    the order of their texts (32 hexadecimal digits and hyphens in fixed places), without making
    the texts."""
    return all(type(bid.bid_id) is UUID and type(bid.provider_id) is UUID for bid in bids)


def _ranking_keys(
    kind: str, bids: Sequence[BidFacts], uuid_ids: bool
) -> list[tuple[tuple[Any, ...], BidFacts]]:
    """The bids in ranked order, each with its keys for the steps of `RANKING[kind]`, smaller
    first: the rate; the provider quality ranking (`quality_order_key`); the mobilisation date,
    none last; the receipt time; the bid reference. Each mobilisation key is made once per date,
    and the ids are numbers when `_uuid_ids`."""
    days: dict[date | None, tuple[Any, ...]] = {None: (1,)}
    by_rate, keyed = kind == "enablement", []
    for bid in bids:
        day, admitted, score = bid.mobilisation_date, bid.admitted_at, bid.quality_score
        mobilisation = days.get(day)
        if mobilisation is None:
            mobilisation = days[day] = (0, day)
        quality = (
            score.copy_negate()
            if type(score) is Decimal and score.is_finite()
            else negated_score(score),
            (1,) if admitted is None else (0, admitted),
            bid.provider_id.int if uuid_ids else str(bid.provider_id),
        )
        reference = bid.bid_id.int if uuid_ids else str(bid.bid_id)
        rate = _rate(bid)
        keys = (
            (rate, quality, mobilisation, bid.received_at, reference)
            if by_rate
            else (mobilisation, quality, rate, bid.received_at, reference)
        )
        keyed.append((keys, bid))
    keyed.sort(key=itemgetter(0))
    return keyed


def _ranked_rows(kind: str, keyed: Sequence[tuple[tuple[Any, ...], BidFacts]]) -> list[_Row]:
    """The compliant bids' rows in ranked order; each compliant rate that is abnormally low among
    the compliant rates is flagged (by bid id, the last key; a flagged bid still ranks)."""
    if not keyed:
        return []
    steps = RANKING[kind]
    rates = {keys[-1]: _rate(bid) for keys, bid in keyed}
    low = abnormally_low_rates(rates.values())
    winner_keys, winner = keyed[0]
    reason = _winner_reason(kind, keyed[:2], len(keyed))
    flags = _LOW if low and rates[winner_keys[-1]] in low else ()
    rows: list[_Row] = [(winner, 1, True, (), reason, flags)]
    # A bid behind the winner on the first step is told so in words that depend on that key
    # only: made once per distinct key.
    first, first_behind = winner_keys[0], steps[0].behind
    behind: dict[Any, str] = {}
    for rank, (keys, bid) in enumerate(keyed[1:], start=2):
        if keys[0] == first:
            reason = _behind_reason(steps, bid, keys, winner, winner_keys)
        elif (known := behind.get(keys[0])) is not None:
            reason = known
        else:
            reason = behind[keys[0]] = first_behind(bid, winner)
        rows.append((bid, rank, False, (), reason, _LOW if low and rates[keys[-1]] in low else ()))
    return rows


def _assess_call_off(terms: CallOffTerms, bids: Sequence[BidFacts]) -> list[Assessment]:
    """The compliant bids in ranked order, then the excluded by receipt."""
    gate, uuid_ids = Gates(terms).failures, _uuid_ids(bids)
    compliant, excluded = [], []
    for bid in bids:
        failures = gate(bid)
        if failures:
            reference = bid.bid_id.int if uuid_ids else str(bid.bid_id)
            excluded.append(((bid.received_at, reference), bid, failures))
        else:
            compliant.append(bid)
    rows = _ranked_rows(terms.kind, _ranking_keys(terms.kind, compliant, uuid_ids))
    excluded.sort(key=itemgetter(0))
    reasons: dict[tuple[GateFailure, ...], str] = {}
    for _, bid, failures in excluded:
        reason = reasons.get(failures)
        if reason is None:
            reason = reasons[failures] = excluded_because(failures)
        rows.append((bid, None, False, failures, reason, ()))
    return _assessments(terms, rows)


_LOW = (ABNORMALLY_LOW,)


def _flag_abnormally_low(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Flags each compliant rate that is abnormally low among the compliant rates of its call-off
    (for a pilot, of its area); a flagged bid still ranks. Bids are told apart by id (as
    numbers when every id is a UUID, see `_uuid_ids`)."""
    uuid_ids = all(type(item.bid_id) is UUID for item in assessments)
    rates: dict[str | None, dict[Any, int]] = {}
    for item in assessments:
        rate = item.figures.get("hourly_rate_pence")
        if item.compliant and isinstance(rate, int):
            key = item.bid_id.int if uuid_ids else item.bid_id
            rates.setdefault(item.area_code, {})[key] = rate
    flagged = {area: abnormally_low_bids(group) for area, group in rates.items()}
    return [
        replace(item, flags=(*item.flags, ABNORMALLY_LOW))
        if item.compliant
        and (item.bid_id.int if uuid_ids else item.bid_id) in flagged.get(item.area_code, ())
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
        flagged = tuple(_flag_abnormally_low(assessments))
        winners = tuple(item for item in flagged if item.winner)
        return Evaluation(terms.kind, flagged, winners, complete)
    if terms.kind not in RANKING:
        raise ValueError(f"unknown kind of call-off {terms.kind!r}")
    called_off = tuple(_assess_call_off(terms, bids))
    # The winner, if any, is the first assessment (the best-ranked compliant bid).
    winners = called_off[:1] if called_off and called_off[0].winner else ()
    return Evaluation(terms.kind, called_off, winners, True)
