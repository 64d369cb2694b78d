"""OCDS 1.1 releases from what a call-off is at each step (docs/design.md 8.8), pure: the facts in,
the release's sections out, and a record's compiled release from its releases.

What goes in is chosen here and nowhere else, so that what must never appear cannot: a package is
an item with its hours, service level and area, never its reference or postcode; the parties are
organisations (id and name), never people; the bids are counts, and only after the award. Money is
in pounds (GBP) as OCDS expects; the envelope and award values are weekly, as the marketplace
prices care, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

CURRENCY = "GBP"
# What a release's `notice` is, in the order a call-off moves through them, with its OCDS tag.
TAGS = {
    "published": "tender",
    "extended": "tenderUpdate",
    "documents": "tenderUpdate",
    "cancelled": "tenderUpdate",
    "awarded": "award",
    "concluded": "contract",
}
KIND_WORDS = {
    "enablement": "Enablement request",
    "cluster": "Cluster of care packages",
    "pilot": "Pilot across areas",
}


@dataclass(frozen=True)
class Organisation:
    id: UUID
    name: str


@dataclass(frozen=True)
class Item:
    """One package (or, for a pilot, one area's hours) as the notice shows it."""

    description: str
    weekly_hours: Decimal
    area_code: str


@dataclass(frozen=True)
class Document:
    id: UUID
    filename: str


@dataclass(frozen=True)
class TenderFacts:
    call_off_id: UUID
    title: str
    kind: str
    lot_name: str
    buyer: Organisation
    published_at: datetime
    deadline: datetime
    max_hourly_rate_pence: int
    envelope_weekly_pence: int | None
    cancelled: bool
    # Area code -> area name: each area is a lot of the call-off.
    areas: dict[str, str]
    items: list[Item]
    documents: list[Document]
    budget_pence: int | None = None


@dataclass(frozen=True)
class AwardedLine:
    supplier: Organisation
    area_code: str | None
    hourly_rate_pence: int
    weekly_hours: Decimal
    mobilisation_date: date | None


@dataclass(frozen=True)
class AwardFacts:
    call_off_id: UUID
    buyer: Organisation
    awarded_at: datetime
    standstill_ends_at: datetime
    lines: list[AwardedLine]
    bids_received: int
    areas: list[str] = field(default_factory=list)


def ocid(prefix: str, call_off_id: UUID) -> str:
    return f"{prefix}-{call_off_id}"


def money(pence: int) -> dict[str, Any]:
    return {"amount": float(Decimal(pence) / 100), "currency": CURRENCY}


def pounds(pence: int) -> str:
    return f"£{Decimal(pence) / 100:,.2f}"


def _party(organisation: Organisation, role: str) -> dict[str, Any]:
    return {"id": str(organisation.id), "name": organisation.name, "roles": [role]}


def _description(facts: TenderFacts) -> str:
    words = [
        f"{KIND_WORDS.get(facts.kind, facts.kind)} for home care under the framework lot "
        f"{facts.lot_name}.",
        f"Maximum hourly rate {pounds(facts.max_hourly_rate_pence)}.",
    ]
    if facts.envelope_weekly_pence is not None:
        words.append(f"Weekly envelope {pounds(facts.envelope_weekly_pence)} (the tender's value).")
    if facts.budget_pence is not None:
        words.append(f"Enablement budget {pounds(facts.budget_pence)}.")
    return " ".join(words)


def tender_sections(facts: TenderFacts, base_url: str) -> dict[str, Any]:
    """The tender as it stands: lots (its areas), items (its packages or pilot areas, hours a
    week at up to the maximum hourly rate), the value (the weekly envelope), the tender period
    (publication to deadline) and the documents by link."""
    tender: dict[str, Any] = {
        "id": str(facts.call_off_id),
        "title": facts.title,
        "description": _description(facts),
        "status": "cancelled" if facts.cancelled else "active",
        "procuringEntity": {"id": str(facts.buyer.id), "name": facts.buyer.name},
        "procurementMethod": "selective",
        "procurementMethodDetails": "Mini-competition under a dynamic purchasing system",
        "mainProcurementCategory": "services",
        "tenderPeriod": {
            "startDate": facts.published_at.isoformat(),
            "endDate": facts.deadline.isoformat(),
        },
        "lots": [
            {"id": code, "title": name, "status": "cancelled" if facts.cancelled else "active"}
            for code, name in sorted(facts.areas.items())
        ],
        "items": [
            {
                "id": str(number),
                "description": item.description,
                "quantity": float(item.weekly_hours),
                "unit": {"name": "hour (a week)", "value": money(facts.max_hourly_rate_pence)},
                "relatedLot": item.area_code,
            }
            for number, item in enumerate(facts.items, start=1)
        ],
        "documents": [
            {
                "id": str(document.id),
                "documentType": "biddingDocuments",
                "title": document.filename,
                "url": f"{base_url}/api/v1/documents/{document.id}",
            }
            for document in facts.documents
        ],
    }
    if facts.envelope_weekly_pence is not None:
        tender["value"] = money(facts.envelope_weekly_pence)
    return {
        "buyer": {"id": str(facts.buyer.id), "name": facts.buyer.name},
        "parties": [
            {**_party(facts.buyer, "buyer"), "roles": ["buyer", "procuringEntity"]},
        ],
        "tender": tender,
    }


def _line_id(facts: AwardFacts, line: AwardedLine) -> str:
    return f"{facts.call_off_id}-{line.area_code or 'all'}"


def _weekly_pence(line: AwardedLine) -> int:
    return int((line.weekly_hours * line.hourly_rate_pence).quantize(Decimal(1)))


def award_sections(facts: AwardFacts) -> dict[str, Any]:
    """The award notice: each awarded line's supplier and weekly value (its hourly rate times the
    weekly hours), the standstill as the contract period's wait, and the bids as counts."""
    suppliers = {line.supplier.id: line.supplier for line in facts.lines}
    return {
        "parties": [
            {**_party(facts.buyer, "buyer"), "roles": ["buyer", "procuringEntity"]},
            *[_party(s, "supplier") for s in sorted(suppliers.values(), key=lambda s: s.name)],
        ],
        "tender": {
            "id": str(facts.call_off_id),
            "status": "complete",
            "numberOfTenderers": facts.bids_received,
            "awardPeriod": {"startDate": facts.awarded_at.isoformat()},
        },
        "awards": [
            {
                "id": _line_id(facts, line),
                "title": f"Awarded at {pounds(line.hourly_rate_pence)} an hour",
                "status": "active",
                "date": facts.awarded_at.isoformat(),
                "value": money(_weekly_pence(line)),
                "suppliers": [{"id": str(line.supplier.id), "name": line.supplier.name}],
                "relatedLots": [line.area_code] if line.area_code else sorted(facts.areas),
                "contractPeriod": {"startDate": facts.standstill_ends_at.isoformat()},
            }
            for line in facts.lines
        ],
        "bids": {
            "statistics": [
                {
                    "id": "bids",
                    "measure": "bids",
                    "value": facts.bids_received,
                    "date": facts.awarded_at.isoformat(),
                }
            ]
        },
    }


def contract_sections(facts: AwardFacts, concluded_at: datetime) -> dict[str, Any]:
    """At conclusion each awarded line is a contract in force from the conclusion (its care starts
    by the promised mobilisation date)."""
    contracts = []
    for line in facts.lines:
        period: dict[str, Any] = {"startDate": concluded_at.isoformat()}
        contract = {
            "id": f"{_line_id(facts, line)}-contract",
            "awardID": _line_id(facts, line),
            "status": "active",
            "value": money(_weekly_pence(line)),
            "period": period,
        }
        if line.mobilisation_date is not None:
            contract["description"] = (
                f"Care to start by {line.mobilisation_date.isoformat()} (promised mobilisation)."
            )
        contracts.append(contract)
    return {"contracts": contracts}


def release(
    ocid_: str, number: int, notice: str, moment: datetime, sections: dict[str, Any]
) -> dict[str, Any]:
    """A whole release: its id is the ocid with its number and notice, so it is stable."""
    return {
        "ocid": ocid_,
        "id": f"{ocid_}-{number:02d}-{notice}",
        "date": moment.isoformat(),
        "tag": [TAGS[notice]],
        "initiationType": "tender",
        "language": "en",
        **sections,
    }


def _merge(into: Any, update: Any) -> Any:
    """OCDS merging, as much as these releases need: objects merge field by field, arrays of
    objects with ids merge by id, anything else is replaced by the later value."""
    if isinstance(into, dict) and isinstance(update, dict):
        merged = dict(into)
        for key, value in update.items():
            merged[key] = _merge(into[key], value) if key in into else value
        return merged
    if (
        isinstance(into, list)
        and isinstance(update, list)
        and all(isinstance(v, dict) and "id" in v for v in into + update)
    ):
        by_id = {v["id"]: v for v in into}
        for value in update:
            by_id[value["id"]] = (
                _merge(by_id[value["id"]], value) if value["id"] in by_id else value
            )
        return list(by_id.values())
    return update


def compiled_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The call-off as it stands: its releases merged in date order, tagged `compiled`."""
    compiled: dict[str, Any] = {}
    for one in releases:
        compiled = _merge(compiled, {k: v for k, v in one.items() if k not in ("id", "tag")})
    if releases:
        compiled["id"] = f"{releases[-1]['id']}-compiled"
    compiled["tag"] = ["compiled"]
    return compiled
