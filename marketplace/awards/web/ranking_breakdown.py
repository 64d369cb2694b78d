"""One provider's place in the quality ranking, in words: for every factor what it looks at
(its formula and its value without records), what was recorded, its score, its weight and the
points it adds, and the sum that makes the score (docs/design.md 4.8)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import Template

from marketplace.awards import quality_ranking
from marketplace.awards.engine.quality_factors import NEUTRAL
from marketplace.awards.schemas import RankedProvider
from marketplace.awards.words import FACTOR_WORDS
from marketplace.errors import NotFound
from marketplace.web.security import SignedIn, role_in

# What each factor looks at, for people (the formulas of docs/design.md 4.8).
FACTOR_FORMULAS = {
    "cqc_rating": "The CQC rating on the provider's record: outstanding 100, good 75, not yet "
    "rated 50, requires improvement 25, inadequate 0.",
    "response_rate": "The share of your invitations it answered, with a bid or a decline, among "
    "those whose deadline passed in the last 6 months.",
    "hand_backs": "100 less the share of the packages you awarded it in the last 6 months that "
    "it handed back.",
    "late_starts": "100 less the share of its starts of care in the last 6 months that were "
    "later than the promised mobilisation date.",
    "quality_monitoring": "The mean score of your quality-monitoring visits in the last 6 months.",
    "tender_score": "The tender evaluation score you recorded when admitting it.",
    "turn_downs": "100 less the share of your invitations it declined, among those whose "
    "deadline passed in the last 6 months.",
    "safeguarding": "100 less 50 for each substantiated safeguarding concern in the last 6 "
    "months, not below 0.",
    "complaints": "100 less 20 for each upheld complaint in the last 6 months, not below 0.",
    "compliments": "50 and 10 more for each compliment in the last 6 months, at most 100.",
}
TWO_PLACES = Decimal("0.01")
TIMES = "\u00d7"  # the multiplication sign, as the design document writes the sums


def workings(provider: RankedProvider) -> dict[str, Any]:
    """Each factor's line (with the points it adds: weight times score, divided by the weights' total) and the
    sum in words, like '(40 x 75.00 + 20 x 70.00) / 60 = 73.33' with the signs of arithmetic."""
    total = sum(f.weight for f in provider.factors) or 1
    lines = [
        {
            "name": f.name,
            "words": FACTOR_WORDS.get(f.name, f.name),
            "formula": FACTOR_FORMULAS.get(f.name, ""),
            "neutral": NEUTRAL.get(f.name),
            "recorded": f.recorded,
            # The engine's words end with the score, shown in its own column here.
            "explanation": f.explanation.removesuffix(f": {f.score}"),
            "score": f.score,
            "weight": f.weight,
            "points": (Decimal(f.weight) * f.score / total).quantize(TWO_PLACES, ROUND_HALF_UP),
        }
        for f in provider.factors
    ]
    weighed = " + ".join(f"{f.weight} {TIMES} {f.score}" for f in provider.factors if f.weight)
    return {"lines": lines, "total": total, "sum": f"({weighed}) ÷ {total} = {provider.score}"}


class RankingBreakdownPages(Controller):
    path = "/providers/ranking/providers"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/{provider_id:uuid}")
    async def breakdown(self, principal: SignedIn, provider_id: FromPath[UUID]) -> Template:
        ranking = await quality_ranking.provider_ranking(principal)
        provider = next((p for p in ranking if p.provider_id == provider_id), None)
        if provider is None:
            raise NotFound("No such provider in your ranking")
        return Template(
            "commissioner/ranking_provider.html",
            context={"p": provider, "of": len(ranking), **workings(provider)},
        )
