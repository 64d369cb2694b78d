"""Reading call-offs: a commissioner's own, with their areas, packages, hours, rurality mix and
the envelope's workings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from marketplace.errors import NotAllowed, NotFound
from marketplace.pagination import check_limit, decode_moment_cursor, encode_cursor
from marketplace.principal import Principal
from marketplace.reference.queries import lots_with_one_provider_per_area
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.answers import decline_tallies
from marketplace.tenders.call_offs.bidding import package_tallies, packages_envelope
from marketplace.tenders.call_offs.envelope import PackageHours
from marketplace.tenders.tables import (
    CallOff,
    CallOffArea,
    CallOffDocument,
    CallOffPackage,
    Invitation,
)


def commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotAllowed("Only commissioners manage call-offs"))


async def call_off_row(actor: Principal, call_off_id: UUID) -> dict[str, Any]:
    """The commissioner's own call-off; 404 for anyone else's."""
    commissioner_id = commissioner_of(actor)
    row = (
        await CallOff.select(*CallOff.all_columns(), CallOff.lot.code.as_alias("lot_code"))
        .where((CallOff.id == call_off_id) & (CallOff.commissioner == commissioner_id))
        .first()
    )
    if row is None:
        raise NotFound("No such call-off")
    return row


async def call_off_facts(row: dict[str, Any]) -> dict[str, Any]:
    """What every view of a call-off shares: areas, packages, hours, rurality mix, envelope."""
    return (await call_offs_facts([row]))[row["id"]]


# The joined columns call_offs_facts reads, made once (Piccolo copies a joined column at every
# attribute access of a foreign key).
_AREA_COLUMNS = (
    CallOffArea.call_off,
    CallOffArea.area.code.as_alias("code"),
    CallOffArea.weekly_hours,
)
_PACKAGE_COLUMNS = (
    CallOffPackage.call_off,
    CallOffPackage.package.id.as_alias("id"),
    CallOffPackage.package.rurality.as_alias("rurality"),
    CallOffPackage.package.weekly_hours.as_alias("weekly_hours"),
    CallOffPackage.package.service_level.as_alias("service_level"),
)


async def call_offs_facts(rows: list[dict[str, Any]]) -> dict[UUID, dict[str, Any]]:
    """call_off_facts for many call-offs at once, by id: four queries however many there are
    (areas, packages, documents, the lots' rule; three when each row already says its lot's rule
    as `one_provider_per_area`), never a query per call-off."""
    if not rows:
        return {}
    ids = [row["id"] for row in rows]
    areas = await CallOffArea.select(*_AREA_COLUMNS).where(CallOffArea.call_off.is_in(ids))
    packages = (
        await CallOffPackage.select(*_PACKAGE_COLUMNS)
        .where(CallOffPackage.call_off.is_in(ids))
        .order_by(CallOffPackage.package)
    )
    documents = await CallOffDocument.select(
        CallOffDocument.call_off, CallOffDocument.document_id, CallOffDocument.filename
    ).where(CallOffDocument.call_off.is_in(ids))
    if all("one_provider_per_area" in row for row in rows):
        one_per_area = {row["lot"] for row in rows if row["one_provider_per_area"]}
    else:
        one_per_area = await lots_with_one_provider_per_area({row["lot"] for row in rows})
    by_call_off: dict[UUID, dict[str, list[dict[str, Any]]]] = {
        call_off_id: {"areas": [], "packages": [], "documents": []} for call_off_id in ids
    }
    for kind, found in (("areas", areas), ("packages", packages), ("documents", documents)):
        for item in found:
            by_call_off[item["call_off"]][kind].append(item)
    return {
        row["id"]: _facts(row, **by_call_off[row["id"]], one_per_area=row["lot"] in one_per_area)
        for row in rows
    }


def _facts(
    row: dict[str, Any],
    *,
    areas: list[dict[str, Any]],
    packages: list[dict[str, Any]],
    documents: list[dict[str, Any]],
    one_per_area: bool,
) -> dict[str, Any]:
    mix, levels = package_tallies([(p["rurality"], p["service_level"]) for p in packages])
    envelope = None
    if packages:
        envelope = packages_envelope(
            row["envelope_base_rate_pence"],
            row["rurality_weights"],
            [
                PackageHours(
                    str(p["id"]),
                    p["rurality"],
                    Decimal(p["weekly_hours"]).quantize(Decimal("0.01")),
                )
                for p in packages
            ],
            row["envelope_weekly_pence"],
        )
    hours = (
        envelope.total_weekly_hours
        if envelope
        else sum((Decimal(a["weekly_hours"] or 0) for a in areas), Decimal("0.00"))
    )
    return {
        "area_codes": [a["code"] for a in areas],
        "package_ids": [p["id"] for p in packages],
        "total_weekly_hours": Decimal(hours).quantize(Decimal("0.01")),
        "rurality_mix": mix,
        "service_levels": levels,
        "envelope": envelope,
        "documents": [
            schemas.CallOffDocument(id=d["document_id"], filename=d["filename"]) for d in documents
        ],
        "terms": terms_of(row["kind"], row["terms"]),
        "one_provider_per_area": one_per_area,
    }


_TERMS: dict[str, type[Any]] = {
    "enablement": schemas.EnablementTerms,
    "cluster": schemas.ClusterTerms,
    "pilot": schemas.PilotTerms,
}


def terms_of(kind: str, terms: str) -> dict[str, Any]:
    """A call-off's stored terms (JSON) as its answer's fields: the kind's terms decoded, the
    other kinds' None."""
    return {
        name: (msgspec.json.decode(terms, type=struct) if name == kind else None)
        for name, struct in _TERMS.items()
    }


def _workings(envelope: Any) -> schemas.EnvelopeWorkings | None:
    if envelope is None:
        return None
    return schemas.EnvelopeWorkings(
        base_rate_pence=envelope.base_rate_pence,
        computed_weekly_pence=envelope.computed_weekly_pence,
        explicit_weekly_pence=envelope.explicit_weekly_pence,
        weekly_pence=envelope.weekly_pence,
        total_weekly_hours=envelope.total_weekly_hours,
        lines=[
            schemas.EnvelopeLine(
                package_id=line.package,
                rurality=line.rurality,
                weight=line.weight,
                weighted_rate_pence=line.weighted_rate_pence,
                weekly_hours=line.weekly_hours,
                weekly_pence=line.weekly_pence,
            )
            for line in envelope.lines
        ],
    )


# How many live bids each call-off has: the bids domain knows, and it sits above this one, so the
# composition root hands its counter in at start-up (marketplace/wiring.py).
BidCounter = Callable[[list[UUID]], Awaitable[dict[UUID, int]]]
_bid_counter: BidCounter | None = None


def count_bids_with(counter: BidCounter) -> None:
    global _bid_counter
    _bid_counter = counter


async def _count_bids(call_off_ids: list[UUID]) -> dict[UUID, int]:
    if _bid_counter is None:
        raise RuntimeError("No bid counter: call marketplace.wiring.wire() at start-up")
    return await _bid_counter(call_off_ids)


async def present(row: dict[str, Any]) -> schemas.CallOff:
    facts = await call_off_facts(row)
    invited = await Invitation.count().where(Invitation.call_off == row["id"])
    bids = (await _count_bids([row["id"]]))[row["id"]]
    return schemas.CallOff(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        status=row["status"],
        lot_code=row["lot_code"],
        area_codes=facts["area_codes"],
        deadline=row["deadline"],
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        envelope_base_rate_pence=row["envelope_base_rate_pence"],
        envelope_weekly_pence=row["envelope_weekly_pence"],
        opening_quorum=row["opening_quorum"],
        standstill_working_days=row["standstill_working_days"],
        min_bids=row["min_bids"],
        package_ids=facts["package_ids"],
        total_weekly_hours=facts["total_weekly_hours"],
        rurality_mix=facts["rurality_mix"],
        envelope=_workings(facts["envelope"]),
        documents=facts["documents"],
        invited_provider_count=invited,
        bid_count=bids,
        created_at=row["created_at"],
        published_at=row["published_at"],
        cancel_reason=row["cancel_reason"],
        declines=(await decline_tallies([row["id"]]))[row["id"]],
        one_provider_per_area=facts["one_provider_per_area"],
        sourcing=row["sourcing"],
        cancelled_at=row["cancelled_at"],
        invitee_ids=(
            None
            if row.get("chosen_invitees") is None
            else msgspec.json.decode(row["chosen_invitees"], type=list[UUID])
        ),
        **facts["terms"],
    )


async def get_call_off(actor: Principal, call_off_id: UUID) -> schemas.CallOff:
    return await present(await call_off_row(actor, call_off_id))


async def list_call_offs(
    actor: Principal, status: str | None, limit: int, cursor: str | None
) -> schemas.CallOffPage:
    """The commissioner's own call-offs, newest first."""
    commissioner_id = commissioner_of(actor)
    check_limit(limit)
    query = CallOff.select(*CallOff.all_columns(), CallOff.lot.code.as_alias("lot_code")).where(
        CallOff.commissioner == commissioner_id
    )
    if status:
        query = query.where(CallOff.status == status)
    if cursor:
        query = query.where(CallOff.created_at < decode_moment_cursor(cursor))
    rows = await query.order_by(CallOff.created_at, ascending=False).limit(limit + 1)
    next_cursor = (
        encode_cursor(rows[limit - 1]["created_at"].isoformat()) if len(rows) > limit else None
    )
    return schemas.CallOffPage(
        items=[await present(row) for row in rows[:limit]], next_cursor=next_cursor
    )


async def invitations_since(
    commissioner_id: UUID, provider_ids: Iterable[UUID], since: datetime
) -> list[tuple[UUID, UUID]]:
    """(provider, call-off) for each invitation of these providers to the commissioner's
    call-offs since `since`."""
    providers = list(provider_ids)
    if not providers:
        return []
    rows = await Invitation.select(Invitation.provider, Invitation.call_off).where(
        Invitation.provider.is_in(providers)
        & (Invitation.call_off.commissioner == commissioner_id)
        & (Invitation.invited_at >= since)
    )
    return [(row["provider"], row["call_off"]) for row in rows]


async def is_invited(call_off_id: UUID, provider_id: UUID) -> bool:
    return bool(
        await Invitation.exists().where(
            (Invitation.call_off == call_off_id) & (Invitation.provider == provider_id)
        )
    )


# The commissioner's home page works from these (marketplace/home.py): each call-off with work
# waiting, in one query, and never a query per row.
QUEUE_STATUSES = ("closed", "evaluated")


async def call_offs_needing_action(commissioner_id: UUID, closing_by: datetime) -> list[Any]:
    """The commissioner's published call-offs whose deadline is by `closing_by` (the end of
    today), closed ones whose bids wait to be opened and evaluated ones waiting for the award,
    soonest deadline first."""
    return list(
        await CallOff.select(CallOff.id, CallOff.title, CallOff.status, CallOff.deadline)
        .where(
            (CallOff.commissioner == commissioner_id)
            & (
                ((CallOff.status == "published") & (CallOff.deadline <= closing_by))
                | CallOff.status.is_in(list(QUEUE_STATUSES))
            )
        )
        .order_by(CallOff.deadline)
    )


async def open_invitations(provider_id: UUID) -> list[Any]:
    """The published call-offs the provider is invited to (id, title, deadline, when it was
    invited), soonest deadline first: what its home page sorts into new invitations and
    deadlines in the next 48 hours."""
    return list(
        await Invitation.select(
            Invitation.call_off.as_alias("id"),
            Invitation.call_off.title.as_alias("title"),
            Invitation.call_off.deadline.as_alias("deadline"),
            Invitation.invited_at,
        )
        .where((Invitation.provider == provider_id) & (Invitation.call_off.status == "published"))
        .order_by(Invitation.call_off.deadline)
    )


async def call_offs_inviting(provider_id: UUID, statuses: Iterable[str]) -> list[dict[str, Any]]:
    """The call-offs in these statuses that invited the provider: id, title, commissioner and
    status (what a change in the provider's standing may touch)."""
    rows = await Invitation.select(
        Invitation.call_off.id.as_alias("id"),
        Invitation.call_off.title.as_alias("title"),
        Invitation.call_off.commissioner.as_alias("commissioner"),
        Invitation.call_off.status.as_alias("status"),
    ).where((Invitation.provider == provider_id) & Invitation.call_off.status.is_in(list(statuses)))
    return sorted(rows, key=lambda row: (str(row["commissioner"]), row["title"]))
