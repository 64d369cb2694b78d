"""Reference data: lots, areas, the postcode directory and commissioners' pricing."""

from piccolo.columns import (
    UUID,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.accounts.tables import Organisation


class Lot(Table, tablename="lot"):
    """A lot of the Dynamic Purchasing System (e.g. Care and Support at Home)."""

    id = UUID(primary_key=True)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    # The lot's own rule, set by a platform admin: at most one provider with awarded care in an
    # area at a time (docs/design.md 4.16).
    one_provider_per_area = Boolean(default=False)


class Area(Table, tablename="area"):
    """A locality or cluster group a commissioner buys care in."""

    id = UUID(primary_key=True)
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    weekly_hours = Numeric(digits=(10, 2), null=True, default=None)


class Postcode(Table, tablename="postcode"):
    """One entry of the postcode directory: its rurality category and coordinates."""

    postcode = Varchar(length=8, primary_key=True)
    rurality = Varchar(length=40)
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    # "ons" (imported directory), "manual" (API), or "demo" (invented for the demo marketplace)
    source = Varchar(length=16, default="manual")


class Pricing(Table, tablename="pricing"):
    """A commissioner's pricing for a lot: maximum rate, envelope base rate, rurality weights."""

    id = UUID(primary_key=True)
    commissioner = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    lot = ForeignKey(Lot, on_delete=OnDelete.restrict)
    max_hourly_rate_pence = Integer()
    envelope_base_rate_pence = Integer()
    weight_urban_major_conurbation = Numeric(digits=(4, 2))
    weight_urban_city_and_town = Numeric(digits=(4, 2))
    weight_rural_town_and_fringe = Numeric(digits=(4, 2))
    weight_rural_village_and_dispersed = Numeric(digits=(4, 2))
    # Optional maxima per service level (the standard level's is max_hourly_rate_pence) and for
    # night units: a sleep-in per night, a waking night per hour (docs/design.md 4.3).
    max_complex_hourly_rate_pence = Integer(null=True, default=None)
    max_highly_complex_hourly_rate_pence = Integer(null=True, default=None)
    max_sleep_in_night_pence = Integer(null=True, default=None)
    max_waking_night_hourly_rate_pence = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
