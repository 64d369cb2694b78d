"""What the bids domain needs to know of a call-off when a provider bids, read under the call-off's
row lock so that a bid and the close at the deadline can never interleave."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from marketplace.db import for_update, is_postgres
from marketplace.reference.postcodes.rules import RURALITY_CATEGORIES
from marketplace.tenders.call_offs.envelope import Envelope, PackageHours, weighted_envelope
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS, CallOffStatus
from marketplace.tenders.tables import CallOff, CallOffArea, Invitation


@dataclass(frozen=True)
class BiddingTerms:
    call_off_id: UUID
    commissioner_id: UUID
    kind: str
    title: str
    status: CallOffStatus
    deadline: datetime
    terms: dict[str, Any]
    invited_area_codes: list[str]
    max_hourly_rate_pence: int = 0
    # The commissioner's explicit weekly envelope and what the computed one is worked out from
    # (`bidding_envelope`, worked out only when a bid is priced against it).
    explicit_envelope_weekly_pence: int | None = None
    envelope_base_rate_pence: int = 0
    rurality_weights: str = "{}"
    # The call-off's packages, by id (read in the same statement).
    packages: tuple[PackageHours, ...] = ()


# One row per package of the call-off (one row, its package columns null, when it has none).
_BIDDING_SQL = """
SELECT i.area_codes AS area_codes, c.id AS id, c.commissioner AS commissioner, c.kind AS kind,
       c.title AS title, c.status AS status, c.deadline AS deadline, c.terms AS terms,
       c.max_hourly_rate_pence AS max_hourly_rate_pence,
       c.envelope_weekly_pence AS envelope_weekly_pence,
       c.envelope_base_rate_pence AS envelope_base_rate_pence,
       c.rurality_weights AS rurality_weights,
       p.id AS package_id, p.rurality AS package_rurality, p.weekly_hours AS package_hours
FROM invitation i JOIN call_off c ON c.id = i.call_off
LEFT JOIN call_off_package cp ON cp.call_off = c.id
LEFT JOIN package p ON p.id = cp.package
WHERE i.call_off = {} AND i.provider = {}
"""
# The provider's invitation exclusively, the call-off shared (SQLite's IMMEDIATE transaction
# already serialises every writer).
_BIDDING_LOCKS = "FOR UPDATE OF i FOR SHARE OF c"


async def lock_for_bidding(call_off_id: UUID, provider_id: UUID) -> BiddingTerms | None:
    """The call-off, held until the caller's transaction ends, if this provider is invited to it;
    None otherwise (the caller answers 404: never reveal another's call-off).

    Bids on one call-off share its row lock, so providers racing the deadline are not served one
    by one; the close takes the row exclusively, so it waits for the bids in flight and every later
    bid waits for it, then finds the call-off closed. The provider's own invitation row is taken
    exclusively: one provider's submissions and withdrawals follow each other (no lost version).
    The call-off's packages come in the same statement (the envelope is worked out from them).
    """
    # One hand-written statement: this runs for every bid, at the deadline rush above all.
    rows = await CallOff.raw(
        _BIDDING_SQL + (_BIDDING_LOCKS if is_postgres() else ""), call_off_id, provider_id
    )
    if not rows:
        return None
    row = rows[0]
    return BiddingTerms(
        call_off_id=row["id"],
        commissioner_id=row["commissioner"],
        kind=row["kind"],
        title=row["title"],
        status=CallOffStatus(row["status"]),
        deadline=row["deadline"],
        terms=msgspec.json.decode(row["terms"]),
        invited_area_codes=msgspec.json.decode(row["area_codes"]),
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        explicit_envelope_weekly_pence=row["envelope_weekly_pence"],
        envelope_base_rate_pence=row["envelope_base_rate_pence"],
        rurality_weights=row["rurality_weights"],
        packages=tuple(
            sorted(
                (
                    PackageHours(
                        str(p["package_id"]),
                        p["package_rurality"],
                        Decimal(p["package_hours"]).quantize(Decimal("0.01")),
                    )
                    for p in rows
                    if p["package_id"] is not None
                ),
                key=lambda package: package.package,
            )
        ),
    )


def bidding_envelope(terms: BiddingTerms) -> tuple[int | None, Decimal]:
    """(the envelope in force in pence a week, the weekly hours of the packages) of the call-off
    being bid for, as the award engine will work them out (`award_terms`): the computed envelope
    of its packages (or the explicit one, when lower); without packages, the explicit one."""
    if not terms.packages:
        return terms.explicit_envelope_weekly_pence, Decimal("0.00")
    envelope = packages_envelope(
        terms.envelope_base_rate_pence,
        terms.rurality_weights,
        terms.packages,
        terms.explicit_envelope_weekly_pence,
    )
    return envelope.weekly_pence, envelope.total_weekly_hours.quantize(Decimal("0.01"))


def packages_envelope(
    base_rate_pence: int,
    rurality_weights: str,
    packages: Sequence[PackageHours],
    explicit_weekly_pence: int | None,
) -> Envelope:
    """The rurality-weighted envelope of a call-off's packages from its stored weights (JSON, as
    the call-off row holds them): what bidding, the opportunity feed and the call-off's facts
    all show."""
    weights = {k: Decimal(v) for k, v in msgspec.json.decode(rurality_weights).items()}
    return weighted_envelope(base_rate_pence, weights, packages, explicit_weekly_pence)


def package_tallies(packages: Iterable[tuple[str, str]]) -> tuple[dict[str, int], dict[str, int]]:
    """(packages per rurality category, every category shown; packages per service level) of a
    call-off's (rurality, service level) pairs."""
    mix = dict.fromkeys(RURALITY_CATEGORIES, 0)
    levels: dict[str, int] = {}
    for rurality, level in packages:
        mix[rurality] += 1
        levels[level] = levels.get(level, 0) + 1
    return mix, levels


@dataclass(frozen=True)
class ClosingCallOff:
    call_off_id: UUID
    commissioner_id: UUID
    opening_quorum: int
    lot_id: UUID
    # The area ids each invited provider was invited for (the gates are re-checked for them).
    invited_area_ids: dict[UUID, list[UUID]]
    # enablement | cluster | pilot: an enablement request also checks the enablement bar.
    kind: str
    # Sourced wider (docs/design.md 3.5): admission to the lot in any area passes the area gate.
    wider: bool = False


async def due_to_close(call_off_id: UUID, now: datetime) -> ClosingCallOff | None:
    """The call-off, if it is open for bids and its deadline has come, locked until the caller's
    transaction ends (exclusively, the row every bid shares): no bid can be accepted from here on,
    and none is lost; the caller re-checks the bidders' gates and moves it to closed. None when
    it is not due."""
    row = await for_update(CallOff.select().where(CallOff.id == call_off_id)).first()
    if row is None or row["status"] not in OPEN_FOR_BIDS or now < row["deadline"]:
        return None
    invited = await invited_area_ids(call_off_id)
    return ClosingCallOff(
        row["id"],
        row["commissioner"],
        row["opening_quorum"],
        row["lot"],
        invited,
        row["kind"],
        row["sourcing"] == "wider",
    )


async def invited_area_ids(call_off_id: UUID) -> dict[UUID, list[UUID]]:
    """The ids of the call-off's areas each invited provider was invited for (the provider gates
    are checked for them)."""
    areas = await CallOffArea.select(
        CallOffArea.area, CallOffArea.area._.code.as_alias("code")
    ).where(CallOffArea.call_off == call_off_id)
    area_id = {area["code"]: area["area"] for area in areas}
    return {
        invitation["provider"]: [
            area_id[code]
            for code in msgspec.json.decode(invitation["area_codes"])
            if code in area_id
        ]
        for invitation in await Invitation.select(Invitation.provider, Invitation.area_codes).where(
            Invitation.call_off == call_off_id
        )
    }


async def due_for_closing(now: datetime) -> list[UUID]:
    """Call-offs open for bids whose deadline has passed (the sweep behind the scheduled close)."""
    rows = await CallOff.select(CallOff.id).where(
        CallOff.status.is_in(sorted(OPEN_FOR_BIDS)) & (CallOff.deadline <= now)
    )
    return [row["id"] for row in rows]


async def call_off_for_opening(call_off_id: UUID, commissioner_id: UUID) -> dict[str, Any] | None:
    """The commissioner's own call-off, locked, with what opening needs to know."""
    return await for_update(
        CallOff.select(
            CallOff.id,
            CallOff.status,
            CallOff.deadline,
            CallOff.opening_quorum,
            CallOff.commissioner,
        ).where((CallOff.id == call_off_id) & (CallOff.commissioner == commissioner_id))
    ).first()
