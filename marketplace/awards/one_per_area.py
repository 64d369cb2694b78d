"""A lot's one-provider-per-area rule at the award (docs/design.md 4.16): a winner may not
become a second provider in an area of the call-off, where another provider has care in place or
an award still in its standstill."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from marketplace.awards.tables import AwardLine
from marketplace.care.queries import providers_in_areas
from marketplace.errors import WrongState
from marketplace.reference.queries import one_provider_per_area
from marketplace.tenders.call_offs.lifecycle import AwardTerms, call_off_areas


async def providers_in_standstill(
    terms: AwardTerms, area_ids: Iterable[UUID]
) -> dict[UUID, set[UUID]]:
    """For each of these areas, the winners of this commissioner's other call-offs in the same
    lot whose award is confirmed but still in its standstill (no care yet): a pilot's winner in
    the area it won, another kind's in its call-off's areas."""
    wanted = set(area_ids)
    rows = await AwardLine.select(
        AwardLine.call_off, AwardLine.provider, AwardLine.area_code
    ).where(
        (AwardLine.call_off._.status == "awarded")
        & (AwardLine.call_off._.commissioner == terms.commissioner_id)
        & (AwardLine.call_off._.lot == terms.lot_id)
        & (AwardLine.call_off != terms.call_off_id)
    )
    found: dict[UUID, set[UUID]] = {area: set() for area in wanted}
    areas_of: dict[UUID, dict[str, dict[str, Any]]] = {}
    for row in rows:
        if row["call_off"] not in areas_of:
            areas_of[row["call_off"]] = await call_off_areas(row["call_off"])
        areas = areas_of[row["call_off"]]
        codes = [row["area_code"]] if row["area_code"] else list(areas)
        for code in codes:
            if code in areas and areas[code]["id"] in wanted:
                found[areas[code]["id"]].add(row["provider"])
    return found


async def check_one_provider_per_area(terms: AwardTerms, picked: list[dict[str, Any]]) -> None:
    """In a lot with the rule, refuse (409) an award whose winner would be a second provider in
    an area, beside another provider's care awaiting its start or active, or another provider's
    award still in its standstill, awarded by the same commissioner in the same lot. A pilot's
    winner is checked in the area it wins; another kind's in the call-off's area."""
    if not picked or not await one_provider_per_area(terms.lot_id):
        return
    areas = await call_off_areas(terms.call_off_id)
    wins = [
        (row, areas[code])
        for row in picked
        for code in ([row["area_code"]] if row["area_code"] else list(areas))
        if code in areas
    ]
    area_ids = {area["id"] for _, area in wins}
    in_place = await providers_in_areas(terms.commissioner_id, terms.lot_id, area_ids)
    in_standstill = await providers_in_standstill(terms, area_ids)
    for row, area in wins:
        others = in_place.get(area["id"], set()) - {row["provider"]}
        awarded = in_standstill.get(area["id"], set()) - {row["provider"]}
        if others or awarded:
            what = (
                "care awaiting its start or active" if others else "award still in its standstill"
            )
            raise WrongState(
                f"Only one provider may be awarded care in each area of this lot: "
                f"{area['name']} ({area['code']}) already has another provider's {what}, "
                f"so {row['provider_name']} cannot be awarded there"
            )
