"""The postcode directory's rules: UK postcode format, and ONS rurality codes collapsed to four
categories (pure functions, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Rurality = Literal[
    "urban_major_conurbation",
    "urban_city_and_town",
    "rural_town_and_fringe",
    "rural_village_and_dispersed",
]
RURALITY_CATEGORIES: tuple[str, ...] = (
    "urban_major_conurbation",
    "urban_city_and_town",
    "rural_town_and_fringe",
    "rural_village_and_dispersed",
)

# ONS Rural-Urban Classification 2011 (England and Wales), collapsed to the four of docs/design.md (4.2).
RUC2011_TO_RURALITY: dict[str, str] = {
    "A1": "urban_major_conurbation",  # urban major conurbation
    "B1": "urban_major_conurbation",  # urban minor conurbation
    "C1": "urban_city_and_town",
    "C2": "urban_city_and_town",  # ... in a sparse setting
    "D1": "rural_town_and_fringe",
    "D2": "rural_town_and_fringe",
    "E1": "rural_village_and_dispersed",  # rural village
    "E2": "rural_village_and_dispersed",
    "F1": "rural_village_and_dispersed",  # rural hamlets and isolated dwellings
    "F2": "rural_village_and_dispersed",
}

# A UK postcode as the API accepts it, in either case, with spaces around and between its halves
# (declared in the OpenAPI document; normalise_postcode accepts exactly this).
POSTCODE_PATTERN = (
    r"^ *(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? *[0-9][A-Za-z]{2}|[Gg][Ii][Rr] *0[Aa]{2}) *$"
)
_POSTCODE = re.compile(r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?(?P<inward>[0-9][A-Z]{2})$")
# The ONS Postcode Directory writes 99.999999 / 0.000000 where a postcode has no grid reference.
_NO_LATITUDE = 99.999999


class NotAPostcode(ValueError):
    pass


def normalise_postcode(text: str) -> str:
    """'ct11aa' -> 'CT1 1AA'; anything that is not a UK postcode raises NotAPostcode."""
    squeezed = re.sub(r"\s+", "", text or "").upper()
    match = _POSTCODE.match(squeezed)
    if match is None or (match["outward"] == "GIR" and match["inward"] != "0AA"):
        raise NotAPostcode(f"{text!r} is not a UK postcode")
    return f"{match['outward']} {match['inward']}"


@dataclass(frozen=True)
class PostcodeEntry:
    postcode: str
    rurality: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class SkippedRow:
    reason: Literal["bad postcode", "unknown code", "no coordinates"]


def read_directory_row(pcds: str, lat: str, long: str, ru11ind: str) -> PostcodeEntry | SkippedRow:
    """One row of the ONS Postcode Directory, as an entry or the reason it is skipped."""
    try:
        postcode = normalise_postcode(pcds)
    except NotAPostcode:
        return SkippedRow("bad postcode")
    rurality = RUC2011_TO_RURALITY.get((ru11ind or "").strip().upper())
    if rurality is None:
        return SkippedRow("unknown code")
    try:
        latitude, longitude = float(lat), float(long)
    except (TypeError, ValueError):
        return SkippedRow("no coordinates")
    if abs(latitude - _NO_LATITUDE) < 1e-6 or not (
        -90 <= latitude <= 90 and -180 <= longitude <= 180
    ):
        return SkippedRow("no coordinates")
    return PostcodeEntry(postcode, rurality, latitude, longitude)


def postcode_district(postcode: str) -> str:
    """The outward code people name a place by: "TN25" from "TN25 5AA" (the whole text when it
    has no space)."""
    return postcode.strip().split(" ")[0].upper()
