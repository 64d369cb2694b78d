"""Use cases of the postcode directory: each postcode's rurality category and coordinates."""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound
from marketplace.principal import Principal
from marketplace.reference import schemas
from marketplace.reference.postcodes.rules import NotAPostcode, PostcodeEntry, normalise_postcode
from marketplace.reference.tables import Postcode


def postcode_or_400(text: str) -> str:
    try:
        return normalise_postcode(text)
    except NotAPostcode as exc:
        raise BadInput(str(exc), [FieldError("postcode", "is not a UK postcode")]) from exc


async def put_postcode(
    actor: Principal, text: str, body: schemas.PostcodePut
) -> tuple[schemas.Postcode, bool]:
    """An admin records one postcode's rurality and coordinates; returns it and whether it was new."""
    if not actor.is_admin:
        raise NotAllowed("Only a platform admin can change the postcode directory")
    postcode = postcode_or_400(text)
    async with write_transaction():
        created = not await Postcode.exists().where(Postcode.postcode == postcode)
        await save_postcodes(
            [PostcodeEntry(postcode, body.rurality, body.latitude, body.longitude)]
        )
        await record(
            actor,
            "put_postcode",
            "postcode",
            postcode,
            details={
                "created": created,
                "rurality": body.rurality,
                "latitude": body.latitude,
                "longitude": body.longitude,
            },
        )
    return schemas.Postcode(
        postcode=postcode, rurality=body.rurality, latitude=body.latitude, longitude=body.longitude
    ), created


async def get_postcode(text: str) -> schemas.Postcode:
    postcode = postcode_or_400(text)
    row = await Postcode.select().where(Postcode.postcode == postcode).first()
    if row is None:
        raise NotFound(f"{postcode} is not in the postcode directory")
    return schemas.Postcode(
        postcode=row["postcode"],
        rurality=row["rurality"],
        latitude=row["latitude"],
        longitude=row["longitude"],
    )


async def save_postcodes(entries: Iterable[PostcodeEntry], source: str = "manual") -> int:
    """Insert or update directory entries in one statement, recording where they came from
    ("manual", "ons" or "demo"); returns how many were written. Postcodes must be distinct."""
    rows = [
        Postcode(
            postcode=e.postcode,
            rurality=e.rurality,
            latitude=e.latitude,
            longitude=e.longitude,
            source=source,
        )
        for e in entries
    ]
    if not rows:
        return 0
    async with write_transaction():
        await Postcode.insert(*rows).on_conflict(
            target=Postcode.postcode,
            action="DO UPDATE",
            values=[Postcode.rurality, Postcode.latitude, Postcode.longitude, Postcode.source],
        )
    return len(rows)


async def rurality_of_postcodes(postcodes: Iterable[str]) -> dict[str, str]:
    """The rurality category of each of these (normalised) postcodes that the directory holds."""
    wanted = list(dict.fromkeys(postcodes))
    if not wanted:
        return {}
    rows = await Postcode.select(Postcode.postcode, Postcode.rurality).where(
        Postcode.postcode.is_in(wanted)
    )
    return {row["postcode"]: row["rurality"] for row in rows}


async def coordinates_of_postcodes(postcodes: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Latitude and longitude of each of these (normalised) postcodes that the directory holds."""
    wanted = sorted(set(postcodes))
    found: dict[str, tuple[float, float]] = {}
    for start in range(0, len(wanted), 500):  # keeps within SQLite's limit on parameters
        rows = await Postcode.select(
            Postcode.postcode, Postcode.latitude, Postcode.longitude
        ).where(Postcode.postcode.is_in(wanted[start : start + 500]))
        found |= {row["postcode"]: (row["latitude"], row["longitude"]) for row in rows}
    return found
