"""The pure award engine (`marketplace.awards.engine.ranking.evaluate`) on large made-up call-offs: an
enablement and a cluster call-off of 10,000 bids each (target: under 0.1 s an evaluation) and a
pilot of 3 areas and 500 bids (target: under 0.03 s). The baseline, timed in the same run, is
sorting the same bids by (rate, receipt time) with `sorted()`: the irreducible cost of any
ranking. Each evaluation is timed on the wall clock and in the process's CPU time (the machine is
shared: the wall clock also counts the time other processes held the cores). Peak memory is that
of one evaluation under tracemalloc, measured apart from the timings.

Every result is checked against facts worked out here independently (who is compliant, who wins,
which rates are abnormally low), so that a wrong or partial evaluation fails the bench loudly.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import median_ms
from marketplace.awards.engine.ranking import (
    AreaOffer,
    BidFacts,
    CallOffTerms,
    Evaluation,
    evaluate,
)
from marketplace.awards.engine.values import ABNORMALLY_LOW, PilotArea, Question
from marketplace.tenders.call_offs.envelope import round_half_up

CALL_OFF_BIDS = 10_000
PILOT_BIDS = 500
RUNS = 5
TARGET_S = 0.1  # for a call-off of 10,000 bids (issue 17)
PILOT_TARGET_S = 0.03  # for a pilot of 500 bids (issue 17)
SEED = 20261124

MAX_RATE = 2400  # pence an hour
ENVELOPE_RATE = 2300  # the rurality-weighted rate the envelope is worked out from, pence an hour
RATES = (1500, 2600)  # the spread of offered rates, so that some fail the maximum or the envelope
LOW_RATES = (850, 950)  # a handful of rates planted to be abnormally low
LOW_BIDS = 5
CALL_OFF_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # call for bids opens
BIDDING_SECONDS = 14 * 24 * 3600
PROVIDER_FAILURES = (
    "its provider is not admitted to the lot",
    "its provider is rated inadequate by the CQC",
    "its provider has CQC enforcement action pending",
)
# An enablement call-off of 30 hours a week, the envelope at 30 hours of the weighted rates.
ENABLEMENT_HOURS = Decimal("30.00")
# A cluster of packages of 120 hours a week, to start by the end of the year.
CLUSTER_HOURS = Decimal("120.00")
CLUSTER_LATEST_START = date(2026, 12, 31)
CLUSTER_EARLIEST_OFFER = date(2026, 12, 1)
# A pilot of 3 areas, 4 weighted questions, 2 evaluators scoring each offer.
PILOT_AREAS = (
    PilotArea("E06000045", Decimal("200.00")),
    PilotArea("E07000086", Decimal("150.00")),
    PilotArea("E07000091", Decimal("100.00")),
)
QUESTIONS = (
    Question("q1", 40),
    Question("q2", 30),
    Question("q3", 20),
    Question("q4", 10),
)
EVALUATORS = 2


@dataclass(frozen=True)
class AwardFigure:
    """One case: the median seconds an evaluation takes, against the target (if any) and against
    the baseline sort of the same bids, and the peak memory of one evaluation."""

    name: str
    bids: int
    median_s: float
    runs: int
    target_s: float | None
    baseline: str
    baseline_median_s: float
    peak_bytes: int
    cpu_median_s: float
    baseline_cpu_median_s: float

    @property
    def ratio(self) -> float:
        """How many times longer than the baseline an evaluation takes."""
        return self.median_s / self.baseline_median_s

    @property
    def cpu_ratio(self) -> float:
        """The same ratio in CPU time."""
        return self.cpu_median_s / self.baseline_cpu_median_s

    def line(self) -> str:
        text = f"{self.name}: median {self.median_s:.3f} s over {self.runs} runs"
        if self.target_s is not None:
            verdict = "within" if self.median_s < self.target_s else "OVER"
            text += f" ({verdict} the {self.target_s} s target)"
        return text + (
            f"; baseline {self.baseline}: median {self.baseline_median_s:.4f} s"
            f"; evaluate/baseline {self.ratio:.0f}x"
            f"; CPU median {self.cpu_median_s:.3f} s against {self.baseline_cpu_median_s:.4f} s"
            f" ({self.cpu_ratio:.0f}x)"
            f"; peak memory {self.peak_bytes / 2**20:.1f} MiB"
        )


# Synthetic inputs ----------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _rate(rng: random.Random) -> int:
    return rng.randint(*RATES)


def _provider_bid(rng: random.Random, n: int, **fields: Any) -> BidFacts:
    """A bid's provider facts: ids, name, receipt, quality score, admission and a few failing
    provider gates or altered contents."""
    failures = (rng.choice(PROVIDER_FAILURES),) if rng.random() < 0.02 else ()
    return BidFacts(
        bid_id=_uuid(rng),
        provider_id=_uuid(rng),
        provider_name=f"Provider {n:05d} Care Ltd",
        received_at=CALL_OFF_START + timedelta(seconds=rng.randrange(BIDDING_SECONDS)),
        provider_failures=failures,
        altered=rng.random() < 0.005,
        # Two-place scores from 20.00 to 95.00: some providers tie on score.
        quality_score=Decimal(rng.randint(2000, 9500)) / 100,
        admitted_at=None
        if rng.random() < 0.05
        else datetime(2025, 1, 6, tzinfo=UTC) + timedelta(days=rng.randrange(600)),
        **fields,
    )


def _with_low_rates(rng: random.Random, bids: list[BidFacts]) -> list[BidFacts]:
    """Plant a handful of abnormally low rates, on compliant-looking bids."""
    for index in rng.sample(range(len(bids)), LOW_BIDS):
        bid = bids[index]
        bids[index] = BidFacts(
            **{
                **bid.__dict__,
                "hourly_rate_pence": rng.randint(*LOW_RATES),
                "provider_failures": (),
                "altered": False,
                "accepts_enablement_budget": True
                if bid.accepts_enablement_budget is not None
                else None,
                "mobilisation_date": bid.mobilisation_date
                and min(bid.mobilisation_date, CLUSTER_LATEST_START),
            }
        )
    return bids


def enablement_call_off(
    count: int = CALL_OFF_BIDS, seed: int = SEED
) -> tuple[CallOffTerms, list[BidFacts]]:
    rng = random.Random(seed)
    terms = CallOffTerms(
        kind="enablement",
        max_hourly_rate_pence=MAX_RATE,
        envelope_weekly_pence=round_half_up(ENABLEMENT_HOURS * ENVELOPE_RATE),
        total_weekly_hours=ENABLEMENT_HOURS,
    )
    bids = [
        _provider_bid(
            rng,
            n,
            hourly_rate_pence=_rate(rng),
            accepts_enablement_budget=rng.random() >= 0.03,
            mobilisation_date=None
            if rng.random() < 0.1
            else CLUSTER_EARLIEST_OFFER + timedelta(days=rng.randrange(45)),
        )
        for n in range(count)
    ]
    return terms, _with_low_rates(rng, bids)


def cluster_call_off(
    count: int = CALL_OFF_BIDS, seed: int = SEED + 1
) -> tuple[CallOffTerms, list[BidFacts]]:
    rng = random.Random(seed)
    terms = CallOffTerms(
        kind="cluster",
        max_hourly_rate_pence=MAX_RATE,
        envelope_weekly_pence=round_half_up(CLUSTER_HOURS * ENVELOPE_RATE),
        total_weekly_hours=CLUSTER_HOURS,
        latest_start=CLUSTER_LATEST_START,
    )
    bids = [
        _provider_bid(
            rng,
            n,
            hourly_rate_pence=_rate(rng),
            # Offers from 1 December to mid-February: some after the latest start, a few none.
            mobilisation_date=None
            if rng.random() < 0.01
            else CLUSTER_EARLIEST_OFFER + timedelta(days=rng.randrange(75)),
        )
        for n in range(count)
    ]
    return terms, _with_low_rates(rng, bids)


def pilot(count: int = PILOT_BIDS, seed: int = SEED + 2) -> tuple[CallOffTerms, list[BidFacts]]:
    rng = random.Random(seed)
    terms = CallOffTerms(
        kind="pilot",
        max_hourly_rate_pence=MAX_RATE,
        envelope_weekly_pence=None,
        total_weekly_hours=sum((area.weekly_hours for area in PILOT_AREAS), Decimal(0)),
        pilot_areas=PILOT_AREAS,
        questions=QUESTIONS,
        quality_weight=60,
        price_weight=40,
        min_quality_percent=40,
        max_areas_per_provider=1,
    )
    bids = []
    for n in range(count):
        areas = rng.sample(PILOT_AREAS, rng.randint(1, len(PILOT_AREAS)))
        offers = tuple(
            AreaOffer(
                area.area_code,
                _rate(rng),
                tuple(
                    {question.id: rng.randint(20, 100) for question in QUESTIONS}
                    for _ in range(EVALUATORS)
                ),
            )
            for area in areas
        )
        bids.append(_provider_bid(rng, n, areas=offers))
    return terms, bids


# Independent checks --------------------------------------------------------------------------


def _abnormally_low(rates: Sequence[int]) -> set[int]:
    """The rates that are abnormally low among `rates` (rate ≤ 0.6 * mean of the others, or
    rate ≤ 0.7 * the closest other rate at or above it), in O(n log n)."""
    times = Counter(rates)
    distinct = sorted(times)
    total, count = sum(rates), len(rates)
    low: set[int] = set()
    if count < 2:
        return low
    for i, rate in enumerate(distinct):
        # The next-best rate is the same rate when another bid offers it, else the next up (none
        # above the highest: 0 never flags a positive rate).
        next_best = rate if times[rate] > 1 else (distinct[i + 1] if i + 1 < len(distinct) else 0)
        if 10 * rate * (count - 1) <= 6 * (total - rate) or 10 * rate <= 7 * next_best:
            low.add(rate)
    return low


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(f"award bench: {what}")


def _quality_key(bid: BidFacts) -> tuple[Any, ...]:
    admission = (1,) if bid.admitted_at is None else (0, bid.admitted_at)
    return (-bid.quality_score, admission, str(bid.provider_id))


def _mobilisation(bid: BidFacts) -> tuple[Any, ...]:
    return (1,) if bid.mobilisation_date is None else (0, bid.mobilisation_date)


def _compliant(terms: CallOffTerms, bid: BidFacts) -> bool:
    rate = bid.hourly_rate_pence
    assert rate is not None and terms.envelope_weekly_pence is not None
    return (
        not bid.provider_failures
        and not bid.altered
        and rate <= terms.max_hourly_rate_pence
        and round_half_up(rate * terms.total_weekly_hours) <= terms.envelope_weekly_pence
        and (terms.kind != "enablement" or bid.accepts_enablement_budget is True)
        and (
            terms.kind != "cluster"
            or (
                bid.mobilisation_date is not None
                and terms.latest_start is not None
                and bid.mobilisation_date <= terms.latest_start
            )
        )
    )


def check_call_off(terms: CallOffTerms, bids: Sequence[BidFacts], result: Evaluation) -> str:
    """One winner, the best compliant bid by the kind's ranking worked out here; every bid
    assessed once, the compliant ranked 1..n first; the planted low rates flagged."""
    compliant = [bid for bid in bids if _compliant(terms, bid)]
    if terms.kind == "enablement":

        def ranking(bid: BidFacts) -> tuple[Any, ...]:
            return (bid.hourly_rate_pence, _quality_key(bid), _mobilisation(bid), bid.received_at)

    else:

        def ranking(bid: BidFacts) -> tuple[Any, ...]:
            return (_mobilisation(bid), _quality_key(bid), bid.hourly_rate_pence, bid.received_at)

    best = min(compliant, key=lambda bid: (*ranking(bid), str(bid.bid_id)))
    items = result.assessments
    _check(result.complete, f"{terms.kind}: not complete")
    _check(len(items) == len(bids), f"{terms.kind}: {len(items)} assessments of {len(bids)} bids")
    _check({item.bid_id for item in items} == {bid.bid_id for bid in bids}, "bids assessed")
    _check(len(result.winners) == 1, f"{terms.kind}: {len(result.winners)} winners, not 1")
    winner = result.winners[0]
    _check(winner.compliant and winner.rank == 1, f"{terms.kind}: the winner is not compliant")
    _check(winner.bid_id == best.bid_id, f"{terms.kind}: the winner is not the best bid")
    ranks = [item.rank for item in items if item.compliant]
    _check(ranks == list(range(1, len(compliant) + 1)), f"{terms.kind}: compliant ranks")
    _check(
        all(not item.compliant and item.rank is None for item in items[len(compliant) :]),
        f"{terms.kind}: the excluded come last, unranked",
    )
    low = _abnormally_low([bid.hourly_rate_pence or 0 for bid in compliant])
    flagged = {item.bid_id for item in items if ABNORMALLY_LOW in item.flags}
    expected = {bid.bid_id for bid in compliant if bid.hourly_rate_pence in low}
    _check(flagged == expected, f"{terms.kind}: abnormally low flags")
    _check(len(expected) >= 1, f"{terms.kind}: no planted low rate survived the gates")
    return (
        f"{len(bids)} bids, {len(compliant)} compliant, {len(flagged)} abnormally low; "
        f"winner {winner.provider_name}"
    )


def check_pilot(terms: CallOffTerms, bids: Sequence[BidFacts], result: Evaluation) -> str:
    """Every offer assessed once; at most one winner per area, each compliant and ranked, no
    provider winning more areas than allowed; all areas filled (there are plenty of bids)."""
    offers = sum(len(bid.areas) for bid in bids)
    _check(result.complete, "pilot: not complete though every offer is scored")
    _check(len(result.assessments) == offers, "pilot: every offer assessed once")
    per_area = Counter(item.area_code for item in result.winners)
    _check(all(n <= 1 for n in per_area.values()), f"pilot: winners per area {dict(per_area)}")
    _check(set(per_area) == {area.area_code for area in terms.pilot_areas}, "pilot: areas unfilled")
    _check(
        all(item.compliant and item.rank is not None for item in result.winners),
        "pilot: a winner is not compliant",
    )
    per_provider = Counter(item.provider_id for item in result.winners)
    _check(
        max(per_provider.values()) <= terms.max_areas_per_provider,
        "pilot: a provider wins more areas than allowed",
    )
    compliant = sum(item.compliant for item in result.assessments)
    won = ", ".join(f"{item.area_code} rank {item.rank}" for item in result.winners)
    return f"{len(bids)} bids, {offers} offers, {compliant} compliant; winners {won}"


# Timing --------------------------------------------------------------------------------------


def _median_s(work: Callable[[], Any], runs: int = RUNS) -> float:
    """The median seconds of `runs` calls of `work`, after one warm-up call."""
    work()
    return median_ms(work, runs) / 1000


def _median_cpu_s(work: Callable[[], Any], runs: int = RUNS) -> float:
    """The median CPU seconds of this process over `runs` calls of `work`."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _peak_bytes(work: Callable[[], Any]) -> int:
    """The peak traced memory of one call of `work` (beyond what was allocated before)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def _sort_by_rate(bids: Sequence[BidFacts]) -> list[BidFacts]:
    return sorted(bids, key=lambda bid: (bid.hourly_rate_pence, bid.received_at))


def _sort_offers_by_rate(bids: Sequence[BidFacts]) -> list[tuple[int, datetime]]:
    return sorted((offer.hourly_rate_pence, bid.received_at) for bid in bids for offer in bid.areas)


def _case(
    name: str,
    terms: CallOffTerms,
    bids: list[BidFacts],
    check: Callable[[CallOffTerms, Sequence[BidFacts], Evaluation], str],
    baseline: Callable[[Sequence[BidFacts]], Any],
    baseline_name: str,
    target_s: float | None,
) -> AwardFigure:
    print(f"  {name}: {check(terms, bids, evaluate(terms, bids))}", flush=True)
    started = time.perf_counter()
    seconds = _median_s(lambda: evaluate(terms, bids))
    print(f"  {name}: timed in {time.perf_counter() - started:.1f} s", flush=True)
    base = _median_s(lambda: baseline(bids))
    cpu = _median_cpu_s(lambda: evaluate(terms, bids))
    base_cpu = _median_cpu_s(lambda: baseline(bids))
    peak = _peak_bytes(lambda: evaluate(terms, bids))
    return AwardFigure(
        name, len(bids), seconds, RUNS, target_s, baseline_name, base, peak, cpu, base_cpu
    )


def run() -> list[AwardFigure]:
    by_rate = "sorted() of the same bids by (rate, receipt)"
    return [
        _case(
            f"evaluate enablement ({CALL_OFF_BIDS:,} bids)",
            *enablement_call_off(),
            check_call_off,
            _sort_by_rate,
            by_rate,
            TARGET_S,
        ),
        _case(
            f"evaluate cluster ({CALL_OFF_BIDS:,} bids)",
            *cluster_call_off(),
            check_call_off,
            _sort_by_rate,
            by_rate,
            TARGET_S,
        ),
        _case(
            f"evaluate pilot ({len(PILOT_AREAS)} areas, {PILOT_BIDS} bids)",
            *pilot(),
            check_pilot,
            _sort_offers_by_rate,
            "sorted() of the same offers by (rate, receipt)",
            PILOT_TARGET_S,
        ),
    ]
