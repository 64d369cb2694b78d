"""write_transaction() serialises read-then-write units of work on both engines."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal
from uuid import uuid4

from marketplace.db import Statement, for_update, insert_all, write_together, write_transaction
from marketplace.reference.tables import Lot, Postcode, Pricing
from tests.factories import make_organisation


async def test_concurrent_read_then_write_transactions_lose_no_update(db: str) -> None:
    commissioner = await make_organisation("commissioner")
    lot = Lot(code="CSH", name="Care and Support at Home")
    await lot.save()
    weights = {
        f"weight_{c}": Decimal("1.00")
        for c in (
            "urban_major_conurbation",
            "urban_city_and_town",
            "rural_town_and_fringe",
            "rural_village_and_dispersed",
        )
    }
    pricing = Pricing(
        commissioner=commissioner.id,
        lot=lot.id,
        max_hourly_rate_pence=0,
        envelope_base_rate_pence=1,
        **weights,
    )
    await pricing.save()

    async def add_one() -> None:
        async with write_transaction():
            row = await for_update(
                Pricing.select(Pricing.max_hourly_rate_pence).where(Pricing.id == pricing.id)
            ).first()
            await asyncio.sleep(0.001)  # let the others try to interleave
            await Pricing.update(
                {Pricing.max_hourly_rate_pence: row["max_hourly_rate_pence"] + 1}
            ).where(Pricing.id == pricing.id)

    await asyncio.gather(*(add_one() for _ in range(20)))
    final = (
        await Pricing.select(Pricing.max_hourly_rate_pence).where(Pricing.id == pricing.id).first()
    )
    assert final["max_hourly_rate_pence"] == 20


async def test_an_error_inside_the_unit_of_work_writes_nothing(db: str) -> None:
    try:
        async with write_transaction():
            await Lot(code="GONE", name="Rolled back").save()
            raise RuntimeError("fail half-way")
    except RuntimeError:
        pass
    assert not await Lot.exists().where(Lot.code == "GONE")


async def test_more_rows_than_one_statement_can_carry_are_all_inserted(db: str) -> None:
    # 7,000 rows of 5 columns are 35,000 values: over both engines' limit for one statement.
    rows = [
        Postcode(
            postcode=f"ZZ{n:05d}", rurality="urban_city_and_town", latitude=51.0, longitude=0.5
        )
        for n in range(7_000)
    ]
    async with write_transaction():
        await insert_all(rows)
    assert await Postcode.count().where(Postcode.postcode.like("ZZ%")) == 7_000


async def test_writes_together_are_all_written_in_order_and_roll_back_with_the_unit_of_work(
    db: str,
) -> None:
    insert = "INSERT INTO lot (id, code, name) VALUES ({}, {}, {})"
    rename = "UPDATE lot SET name = {} WHERE code = {}"
    await write_together(
        Statement(insert, (uuid4(), "ONE", "First")),
        Statement(insert, (uuid4(), "TWO", "Second")),
        Statement(rename, ("Renamed", "OLD")),
    )
    rows = await Lot.select(Lot.code, Lot.name).order_by(Lot.code)
    assert [(row["code"], row["name"]) for row in rows] == [("ONE", "First"), ("TWO", "Second")]

    with contextlib.suppress(RuntimeError):
        async with write_transaction():
            await write_together(
                Statement(insert, (uuid4(), "GONE", "Rolled back")),
                Statement(rename, ("Renamed", "ONE")),
            )
            raise RuntimeError("fail after the writes")
    rows = await Lot.select(Lot.code, Lot.name).order_by(Lot.code)
    assert [(row["code"], row["name"]) for row in rows] == [("ONE", "First"), ("TWO", "Second")]
