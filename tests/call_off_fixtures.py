"""A commissioner with pricing, areas and waiting packages, ready to draft call-offs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from marketplace.accounts import schemas as account_schemas
from marketplace.principal import Principal
from marketplace.reference import schemas as tender_schemas
from marketplace.reference.postcodes.directory import save_postcodes
from marketplace.reference.postcodes.rules import PostcodeEntry
from marketplace.reference.service import create_area, create_lot, put_pricing
from marketplace.tenders.waiting_list.seeding import PackageSeed, ensure_packages
from tests.factories import admin_principal, make_admin, make_organisation, make_user, principal_of

POSTCODES = [
    PostcodeEntry("TN23 1AA", "urban_city_and_town", 51.146, 0.874),
    PostcodeEntry("TN25 5AA", "rural_town_and_fringe", 51.170, 0.930),
    PostcodeEntry("TN26 2AA", "rural_village_and_dispersed", 51.100, 0.800),
    PostcodeEntry("CT1 1AA", "urban_city_and_town", 51.280, 1.080),
]


@dataclass
class Commissioning:
    commissioner: account_schemas.Organisation
    officer: Principal
    token: str
    packages: dict[str, Any]


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def commissioning(name: str = "Kent County Council") -> Commissioning:
    """Lot CSH priced at max £24.00 / base £19.50 with rural weights; areas ASHFORD and
    CANTERBURY; four waiting packages (three in Ashford, one in Canterbury)."""
    admin, _ = await make_admin()
    commissioner = await make_organisation("commissioner", name=name)
    user, token = await make_user(commissioner.id, "commissioner")
    officer = principal_of(user, commissioner)
    suffix = str(commissioner.id)[:4].upper()
    from marketplace.reference.tables import Lot

    if not await Lot.exists().where(Lot.code == "CSH"):
        await create_lot(
            admin_principal(admin),
            tender_schemas.LotCreate(code="CSH", name="Care and Support at Home"),
        )
    for code in ("ASHFORD", "CANTERBURY"):
        await create_area(
            admin_principal(admin),
            tender_schemas.AreaCreate(
                code=f"{code}-{suffix}", name=code.title(), commissioner_id=commissioner.id
            ),
        )
    await put_pricing(
        officer,
        "CSH",
        tender_schemas.PricingPut(
            max_hourly_rate_pence=2400,
            envelope_base_rate_pence=1950,
            rurality_weights={
                "rural_town_and_fringe": Decimal("1.05"),
                "rural_village_and_dispersed": Decimal("1.10"),
            },
        ),
    )
    await save_postcodes(POSTCODES)
    start = date.today() + timedelta(days=14)
    seeds = [
        PackageSeed(
            f"P-{suffix}-1",
            f"ASHFORD-{suffix}",
            "TN23 1AA",
            Decimal("10.00"),
            "standard",
            "standard",
            None,
            start,
        ),
        PackageSeed(
            f"P-{suffix}-2",
            f"ASHFORD-{suffix}",
            "TN25 5AA",
            Decimal("7.25"),
            "complex",
            "urgent",
            "hospital_discharge",
            start,
        ),
        PackageSeed(
            f"P-{suffix}-3",
            f"ASHFORD-{suffix}",
            "TN26 2AA",
            Decimal("12.50"),
            "standard",
            "standard",
            None,
            start,
        ),
        PackageSeed(
            f"P-{suffix}-4",
            f"CANTERBURY-{suffix}",
            "CT1 1AA",
            Decimal("14.00"),
            "standard",
            "standard",
            None,
            start,
        ),
    ]
    await ensure_packages(commissioner.id, seeds)
    from marketplace.tenders.tables import Package

    rows = await Package.select(Package.id, Package.reference).where(
        Package.commissioner == commissioner.id
    )
    packages = {row["reference"].rsplit("-", 1)[1]: row["id"] for row in rows}
    return Commissioning(commissioner, officer, token, packages)


def suffix_of(c: Commissioning) -> str:
    return str(c.commissioner.id)[:4].upper()


def enablement_body(c: Commissioning, **overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "enablement",
        "title": "Enablement at home, Ashford",
        "lot_code": "CSH",
        "package_ids": [str(c.packages["1"])],
        "deadline": in_days(3),
        "enablement": {
            "budget_pence": 150000,
            "weeks": 6,
            "outcomes": ["Wash and dress independently"],
        },
    }
    return {**body, **overrides}


def cluster_body(c: Commissioning, **overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "cluster",
        "title": "Ashford run",
        "lot_code": "CSH",
        "package_ids": [str(c.packages[n]) for n in ("1", "2", "3")],
        "deadline": in_days(3),
        "cluster": {"latest_start": (date.today() + timedelta(days=10)).isoformat()},
    }
    return {**body, **overrides}


def pilot_body(c: Commissioning, **overrides: Any) -> dict[str, Any]:
    s = suffix_of(c)
    body = {
        "kind": "pilot",
        "title": "Outcomes pilot",
        "lot_code": "CSH",
        "deadline": in_days(3),
        "pilot": {
            "areas": [
                {"area_code": f"ASHFORD-{s}", "weekly_hours": "200.00"},
                {"area_code": f"CANTERBURY-{s}", "weekly_hours": "150.00"},
            ],
            "questions": [
                {"id": "q1", "text": "How will you recruit locally?", "weight": 60},
                {"id": "q2", "text": "How will you measure outcomes?", "weight": 40},
            ],
            "quality_weight": 60,
            "price_weight": 40,
            "min_quality_percent": 50,
        },
    }
    return {**body, **overrides}


async def admitted_provider(
    c: Commissioning, name: str, areas: tuple[str, ...] = ("ASHFORD",), **fields: Any
) -> tuple[account_schemas.Organisation, str]:
    """A provider admitted to CSH in these of the commissioner's areas, and a token for one of
    its users."""
    from marketplace.admissions.applications import apply
    from marketplace.admissions.decisions import decide
    from marketplace.admissions.schemas import AdmissionCreate, AdmissionDecision

    provider = await make_organisation("provider", name=name, **fields)
    user, token = await make_user(provider.id, "provider")
    application = await apply(
        principal_of(user, provider),
        AdmissionCreate(
            lot_code="CSH",
            area_codes=[f"{area}-{suffix_of(c)}" for area in areas],
            accepts_maximum_prices=True,
        ),
    )
    await decide(c.officer, application.id, AdmissionDecision(decision="approve"))
    return provider, token


async def many_admitted_providers(c: Commissioning, count: int, prefix: str) -> dict[UUID, str]:
    """`count` providers admitted to CSH, alternately in the commissioner's ASHFORD and
    CANTERBURY, each with one active user, written in bulk (a market of thousands in seconds;
    their users never sign in). Returns each provider's user's email."""
    from marketplace.accounts.tables import Organisation, User
    from marketplace.admissions.tables import Admission, AdmissionArea
    from marketplace.db import insert_rows, write_transaction
    from marketplace.reference.tables import Area, Lot

    lot = await Lot.select(Lot.id).where(Lot.code == "CSH").first()
    areas = [
        row["id"]
        for row in await Area.select(Area.id)
        .where(Area.commissioner == c.commissioner.id)
        .order_by(Area.code)
    ]
    providers = [uuid4() for _ in range(count)]
    admissions = [uuid4() for _ in range(count)]
    slug = "-".join(prefix.lower().split())
    emails = {p: f"{slug}-{n}@example.org" for n, p in enumerate(providers)}
    now = datetime.now(UTC)
    async with write_transaction():
        await insert_rows(
            Organisation,
            ("id", "kind", "name", "enforcement_pending", "created_at"),
            [(p, "provider", f"{prefix} {n:04d}", False, now) for n, p in enumerate(providers)],
        )
        await insert_rows(
            User,
            ("id", "organisation", "email", "password_hash", "role", "active", "created_at"),
            # "-" matches no password: these users never sign in.
            [(uuid4(), p, emails[p], "-", "provider", True, now) for p in providers],
        )
        await insert_rows(
            Admission,
            ("id", "provider", "lot", "commissioner", "status", "applied_at", "decided_at"),
            [
                (a, p, lot["id"], c.commissioner.id, "approved", now, now)
                for a, p in zip(admissions, providers, strict=True)
            ],
        )
        await insert_rows(
            AdmissionArea,
            ("id", "admission", "area"),
            [(uuid4(), a, areas[n % len(areas)]) for n, a in enumerate(admissions)],
        )
    return emails
