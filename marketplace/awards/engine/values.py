"""The facts an award is decided on, and the words it is explained in (docs/design.md section 4).

Plain frozen values shared by `rules.py`, `pilot_rules.py` and `quality_rules.py`: the call-off's
terms, each bid's facts as opened, and the evaluation that comes out. Money is integer pence,
hours are two-place Decimals, scores are exact Fractions shown as two-place Decimals. No ORM, no
I/O: the awards service turns rows into these values and stores the evaluation it gets back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from marketplace.admissions.rules import GateFailure

KINDS = ("enablement", "cluster", "pilot")
ABNORMALLY_LOW = "abnormally_low"


@dataclass(frozen=True)
class PilotArea:
    """One area of a pilot and the hours a week bought there."""

    area_code: str
    weekly_hours: Decimal


@dataclass(frozen=True)
class Question:
    """One quality question of a pilot and its weight in the quality score."""

    id: str
    weight: int


@dataclass(frozen=True)
class CallOffTerms:
    """What a call-off holds its bids to.

    `envelope_weekly_pence` is, for enablement and cluster, the envelope in force (pence a week)
    and, for a pilot, the explicit per-area envelope or None. `total_weekly_hours` is the hours of
    the packages (enablement and cluster). `latest_start` is a cluster's latest start date; the
    pilot fields are used by pilots only. `min_bids` is the caller's business, not the rules'.
    """

    kind: str
    max_hourly_rate_pence: int
    envelope_weekly_pence: int | None
    total_weekly_hours: Decimal
    latest_start: date | None = None
    pilot_areas: tuple[PilotArea, ...] = ()
    questions: tuple[Question, ...] = ()
    quality_weight: int = 0
    price_weight: int = 0
    min_quality_percent: int = 0
    max_areas_per_provider: int = 1

    def area(self, area_code: str) -> PilotArea | None:
        return next((area for area in self.pilot_areas if area.area_code == area_code), None)


@dataclass(frozen=True)
class AreaOffer:
    """A pilot bid's offer for one area: its rate and, once evaluated, one mapping of question id
    to score (0 to 100) per evaluator; no mappings means not scored yet."""

    area_code: str
    hourly_rate_pence: int
    scores: tuple[Mapping[str, int], ...] = ()


@dataclass(frozen=True)
class BidFacts:
    """One opened bid and the facts about its provider that the award depends on.

    `provider_failures` are the provider gates failed (not admitted, CQC inadequate, enforcement
    pending, blocked...), coded, worked out by the caller; `altered` is True when the bid's
    content no longer matched its receipt at opening. `quality_score` is the provider's quality
    ranking score with this commissioner and `admitted_at` its admission to the call-off's lot.
    """

    bid_id: UUID
    provider_id: UUID
    provider_name: str
    received_at: datetime
    hourly_rate_pence: int | None = None
    mobilisation_date: date | None = None
    accepts_enablement_budget: bool | None = None
    areas: tuple[AreaOffer, ...] = ()
    provider_failures: tuple[GateFailure, ...] = ()
    altered: bool = False
    quality_score: Decimal = Decimal(50)
    admitted_at: datetime | None = None

    def offer_for(self, area_code: str) -> AreaOffer | None:
        return next((offer for offer in self.areas if offer.area_code == area_code), None)


@dataclass(frozen=True)
class Assessment:
    """What the evaluation found about one bid (for a pilot: one bid in one area).

    `rank` is 1 for the best compliant bid of the call-off (of the area, for a pilot) and None
    when excluded or not yet scored; `exclusions` holds every failed gate (its sentence, coded);
    `figures` holds the computed figures (pence as ints, scores and percentages as two-place
    strings, dates as ISO strings); `reason` is one sentence saying why it won, lost or was
    excluded.
    """

    bid_id: UUID
    provider_id: UUID
    provider_name: str
    area_code: str | None
    compliant: bool
    rank: int | None
    winner: bool
    flags: tuple[str, ...]
    exclusions: tuple[GateFailure, ...]
    figures: Mapping[str, str | int | None]
    reason: str

    @classmethod
    def of(
        cls,
        bid: BidFacts,
        area_code: str | None,
        rank: int | None,
        winner: bool,
        exclusions: tuple[GateFailure, ...],
        figures: Mapping[str, str | int | None],
        reason: str,
        flags: tuple[str, ...] = (),
    ) -> Assessment:
        """A bid's assessment; it is compliant when no gate failed."""
        # The same object as cls(...) gives, made without its frozen __init__, which sets each of
        # the 11 fields through object.__setattr__: an evaluation makes one per bid (10,000 and
        # more), and this is about 4 times quicker. There is no __post_init__ and no default.
        assessment = object.__new__(cls)
        object.__setattr__(
            assessment,
            "__dict__",
            {
                "bid_id": bid.bid_id,
                "provider_id": bid.provider_id,
                "provider_name": bid.provider_name,
                "area_code": area_code,
                "compliant": not exclusions,
                "rank": rank,
                "winner": winner,
                "flags": flags,
                "exclusions": exclusions,
                "figures": figures,
                "reason": reason,
            },
        )
        return assessment


@dataclass(frozen=True)
class Evaluation:
    """Every bid's assessment in ranked order (a pilot's grouped by area in the terms' order;
    within a group the not-yet-scored and then the excluded come last), and the winners: one for
    the call-off, or one per area for a pilot, possibly none. `complete` is False while a pilot's
    compliant offers still await quality scores; then there are no winners yet."""

    kind: str
    assessments: tuple[Assessment, ...]
    winners: tuple[Assessment, ...]
    complete: bool = True

    def for_bid(self, bid_id: UUID) -> tuple[Assessment, ...]:
        """The assessments of one bid (several for a pilot bid offering several areas)."""
        return tuple(item for item in self.assessments if item.bid_id == bid_id)
