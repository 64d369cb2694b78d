"""A lot's one-provider-per-area rule at the award (docs/design.md 4.16): a winner may not
become a second provider with care in place in an area of the call-off."""

from __future__ import annotations

from typing import Any

from marketplace.care.queries import providers_in_areas
from marketplace.errors import WrongState
from marketplace.reference.queries import one_provider_per_area
from marketplace.tenders.call_offs.lifecycle import AwardTerms, call_off_areas


async def check_one_provider_per_area(terms: AwardTerms, picked: list[dict[str, Any]]) -> None:
    """In a lot with the rule, refuse (409) an award whose winner would be a second provider
    with care awaiting its start or active in an area, awarded by the same commissioner in the
    same lot. A pilot's winner is checked in the area it wins; another kind's in the call-off's
    area."""
    if not picked or not await one_provider_per_area(terms.lot_id):
        return
    areas = await call_off_areas(terms.call_off_id)
    wins = [
        (row, areas[code])
        for row in picked
        for code in ([row["area_code"]] if row["area_code"] else list(areas))
        if code in areas
    ]
    in_place = await providers_in_areas(
        terms.commissioner_id, terms.lot_id, {area["id"] for _, area in wins}
    )
    for row, area in wins:
        others = in_place.get(area["id"], set()) - {row["provider"]}
        if others:
            raise WrongState(
                f"Only one provider may be awarded care in each area of this lot: "
                f"{area['name']} ({area['code']}) already has another provider's care awaiting "
                f"its start or active, so {row['provider_name']} cannot be awarded there"
            )
