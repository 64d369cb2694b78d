"""Request and response shapes of the reference-data API: lots, areas, pricing, postcodes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request
from marketplace.units import AreaHours

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9_-]*$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Pence = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
# A rurality weight as text, 0.50 to 3.00 with at most two places ("1", "1.25", "0.5").
WEIGHT_PATTERN = r"^(?:0\.[5-9][0-9]?|[12](?:\.[0-9]{1,2})?|3(?:\.00?)?)$"
Weight = Annotated[
    str,
    msgspec.Meta(
        pattern=WEIGHT_PATTERN, description="0.50 to 3.00, at most two decimal places, as text"
    ),
]
Rurality = Literal[
    "urban_major_conurbation",
    "urban_city_and_town",
    "rural_town_and_fringe",
    "rural_village_and_dispersed",
]


class LotCreate(Request):
    code: Code
    name: Name


class Lot(msgspec.Struct):
    id: UUID
    code: str
    name: str
    one_provider_per_area: bool = False


class LotRulesPut(Request):
    """The lot's own rules, set by a platform admin (docs/design.md 4.16)."""

    one_provider_per_area: bool


class LotPage(msgspec.Struct):
    items: list[Lot]
    next_cursor: str | None


class AreaCreate(Request):
    code: Code
    name: Name
    commissioner_id: UUID
    weekly_hours: AreaHours | None = None


class Area(msgspec.Struct):
    id: UUID
    code: str
    name: str
    commissioner_id: UUID
    weekly_hours: Decimal | None


class AreaPage(msgspec.Struct):
    items: list[Area]
    next_cursor: str | None


class PricingPut(Request):
    max_hourly_rate_pence: Pence
    envelope_base_rate_pence: Pence
    rurality_weights: Annotated[
        dict[Rurality, Weight],
        msgspec.Meta(extra_json_schema={"propertyNames": {"enum": list(get_args(Rurality))}}),
    ] = {}
    # Optional maxima per service level (standard is max_hourly_rate_pence) and for night units.
    max_complex_hourly_rate_pence: Pence | None = None
    max_highly_complex_hourly_rate_pence: Pence | None = None
    max_sleep_in_night_pence: Pence | None = None
    max_waking_night_hourly_rate_pence: Pence | None = None


class Pricing(msgspec.Struct):
    lot_code: str
    commissioner_id: UUID
    max_hourly_rate_pence: int
    envelope_base_rate_pence: int
    rurality_weights: dict[str, Decimal]
    updated_at: datetime
    max_complex_hourly_rate_pence: int | None = None
    max_highly_complex_hourly_rate_pence: int | None = None
    max_sleep_in_night_pence: int | None = None
    max_waking_night_hourly_rate_pence: int | None = None


class PostcodePut(Request):
    rurality: Rurality
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Postcode(msgspec.Struct):
    postcode: str
    rurality: str
    latitude: float
    longitude: float
