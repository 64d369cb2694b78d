"""`marketplace demo`: Kent's and Dorset's areas, lots, pricing, 36 providers, a pseudonymous
waiting list in demo postcodes, and demo sign-ins that work; idempotent; refused in production."""

from __future__ import annotations

import base64
import re
from decimal import Decimal

import pytest

from marketplace.accounts.authentication import issue_api_token
from marketplace.accounts.schemas import TokenCreate
from marketplace.accounts.service import set_password
from marketplace.accounts.tables import Organisation, User
from marketplace.admissions.eligibility import eligible_providers
from marketplace.admissions.tables import Admission
from marketplace.config import reset_settings
from marketplace.demo.loader import DemoRefused, load_demo
from marketplace.demo.sign_ins import DEMO_PROVIDER, DEMO_SIGN_INS
from marketplace.kpi.tables import KpiMeasure
from marketplace.reference.postcodes.rules import RURALITY_CATEGORIES
from marketplace.reference.tables import Area, Lot, Postcode, Pricing
from marketplace.tenders.tables import Package

KENT_WEEKLY_HOURS = {
    "Ashford": "5253.25",
    "Thanet & Coastal": "5578.59",
    "Sheppey": "2697.25",
    "Swale & Canterbury": "3789",
    "Canterbury & Coastal": "5423.99",
    "Canterbury and Rural": "2172.30",
    "South Kent Coastal": "6189.96",
    "Canterbury & South Kent Coast": "7912.80",
    "DGS East": "6655.86",
    "DGS West": "4593.75",
    "Maidstone West": "9366.70",
    "West Kent Rural East": "586.25",
    "West Kent Rural West": "1301.50",
    "West Kent3": "2239.40",
    "West Kent4": "3964.75",
    "West Kent10": "2453.89",
    "West Kent2": "677.70",
    "West Kent1": "1792.25",
    "West Kent8": "3778.50",
}
PSEUDONYMOUS_REFERENCE = re.compile(r"^DEMO-(KENT|DORSET)-\d{4}$")


async def _areas_of(commissioner_name: str) -> list[dict]:
    return await Area.select(Area.code, Area.name, Area.weekly_hours).where(
        Area.commissioner.name == commissioner_name
    )


async def _counts() -> dict[str, int]:
    return {
        "organisations": await Organisation.count(),
        "users": await User.count(),
        "lots": await Lot.count(),
        "areas": await Area.count(),
        "pricing": await Pricing.count(),
        "postcodes": await Postcode.count(),
        "packages": await Package.count(),
        "admissions": await Admission.count(),
        "kpi measures": await KpiMeasure.count(),
    }


async def test_demo_has_kent_cluster_groups_dorset_localities_lots_and_pricing(db: str) -> None:
    await load_demo()

    kent = await _areas_of("Kent County Council (demo)")
    assert {row["name"]: Decimal(row["weekly_hours"]) for row in kent} == {
        name: Decimal(hours) for name, hours in KENT_WEEKLY_HOURS.items()
    }
    assert all(row["code"].startswith("KENT-") for row in kent)
    dorset = await _areas_of("NHS Dorset (demo)")
    assert len(dorset) == 5
    assert "Weymouth & Portland" in {row["name"] for row in dorset}
    lots = await Lot.select(Lot.name)
    assert {row["name"] for row in lots} == {
        "Care and Support at Home",
        "Roaming Nights",
        "Complex Care",
        "Live-in Care",
    }
    assert await Pricing.count() == 2 * 4
    below_max = await Pricing.count().where(
        Pricing.envelope_base_rate_pence <= Pricing.max_hourly_rate_pence
    )
    assert below_max == 8
    measures = await KpiMeasure.select(
        KpiMeasure.lot.code.as_alias("lot"), KpiMeasure.reference, KpiMeasure.measure
    ).order_by(KpiMeasure.position)
    by_lot: dict[str, list[str]] = {}
    for row in measures:
        by_lot.setdefault(row["lot"], []).append(f"{row['reference']} {row['measure']}")
    assert by_lot["CSH"][1] == "R2 Number of Service Users declined and why"
    assert len(by_lot["CSH"]) == 8
    assert by_lot["NIGHTS"][8] == "R9 Number of requests refused and reason for refusal"
    assert len(by_lot["NIGHTS"]) == 10


async def test_demo_has_36_providers_with_a_realistic_spread_of_cqc_ratings(db: str) -> None:
    await load_demo()

    providers = await Organisation.select().where(Organisation.kind == "provider")
    assert len(providers) == 36
    assert all(p["name"].endswith("(demo)") for p in providers)
    assert all(re.fullmatch(r"1-\d{9}", p["cqc_location_id"]) for p in providers)
    assert len({p["cqc_location_id"] for p in providers}) == 36
    ratings = [p["cqc_rating"] for p in providers]
    assert ratings.count("inadequate") == 1
    assert 2 <= ratings.count("requires_improvement") <= 5
    assert ratings.count("good") > 18
    assert ratings.count("outstanding") >= 2
    assert ratings.count("not_yet_rated") >= 1
    assert sum(bool(p["enforcement_pending"]) for p in providers) == 1
    demo_provider = next(p for p in providers if p["name"] == DEMO_PROVIDER.organisation)
    assert demo_provider["cqc_rating"] == "good"
    assert not demo_provider["enforcement_pending"]


async def test_waiting_list_is_pseudonymous_in_demo_postcodes_of_every_rurality(db: str) -> None:
    await load_demo()

    packages = await Package.select()
    assert 180 <= len(packages) <= 220
    assert all(PSEUDONYMOUS_REFERENCE.match(p["reference"]) for p in packages)
    assert len({p["reference"] for p in packages}) == len(packages)
    assert {p["rurality"] for p in packages} == set(RURALITY_CATEGORIES)
    # All wait but the one in the demo call-off whose bids are already opened.
    assert [p["status"] for p in packages].count("waiting") == len(packages) - 1
    assert {p["service_level"] for p in packages} == {"standard", "complex", "highly_complex"}
    for p in packages:
        hours = Decimal(p["weekly_hours"])
        assert hours == hours.quantize(Decimal("0.25")) and Decimal(7) <= hours <= Decimal(42)
        assert (p["urgency"] == "urgent") == (p["urgency_reason"] is not None)
    assert {p["urgency_reason"] for p in packages} >= {
        "hospital_discharge",
        "end_of_life",
        "significant_harm",
    }

    directory = {row["postcode"]: row for row in await Postcode.select()}
    assert {row["source"] for row in directory.values()} == {"demo"}
    for p in packages:
        entry = directory[p["postcode"]]
        assert entry["rurality"] == p["rurality"]
        kent = p["reference"].startswith("DEMO-KENT")
        low, high = ((50.9, 51.5), (0.0, 1.5)) if kent else ((50.5, 51.1), (-2.8, -1.7))
        assert low[0] <= entry["latitude"] <= low[1], p
        assert high[0] <= entry["longitude"] <= high[1], p


async def test_most_demo_providers_are_admitted_to_csh_the_demo_provider_in_ashford(
    db: str,
) -> None:
    await load_demo()

    lot = await Lot.select(Lot.id).where(Lot.code == "CSH").first()
    areas = await Area.select(Area.id, Area.code, Area.commissioner)
    kent = [a for a in areas if a["code"].startswith("KENT-")]
    kent_commissioner = kent[0]["commissioner"]
    eligible = await eligible_providers(
        kent_commissioner, lot["id"], [a["id"] for a in kent], "cluster"
    )
    names = {
        row["id"]: row["name"]
        for row in await Organisation.select(Organisation.id, Organisation.name)
    }
    ashford = next(a["id"] for a in kent if a["code"] == "KENT-ASHFORD")
    demo_provider = next(i for i, n in names.items() if n == DEMO_PROVIDER.organisation)
    assert ashford in eligible[demo_provider]
    assert len(eligible) >= 15
    assert "Swale Estuary Care (demo)" not in {names[i] for i in eligible}, "inadequate"
    assert await Admission.count().where(Admission.status == "approved") >= 30


async def test_second_run_creates_nothing_and_changes_no_counts(db: str) -> None:
    first = await load_demo()
    counts = await _counts()

    second = await load_demo()

    assert first.created > 0
    assert second.created == 0
    assert await _counts() == counts
    assert "already there" in second.describe()


async def test_every_demo_sign_in_works_even_after_its_password_was_changed(db: str) -> None:
    await load_demo()
    await set_password(DEMO_SIGN_INS[0].email, "someone changed this password")

    result = await load_demo()

    for sign_in in DEMO_SIGN_INS:
        token = await issue_api_token(TokenCreate(email=sign_in.email, password=sign_in.password))
        assert token.token
        assert sign_in.email in result.describe() and sign_in.password in result.describe()
    roles = {row["email"]: row["role"] for row in await User.select(User.email, User.role)}
    # Besides the sign-ins, the authors of the demo call-off's other bids, whom nobody signs in as.
    bidders = {email: role for email, role in roles.items() if email.startswith("bids@")}
    assert set(bidders.values()) == {"provider"} and len(bidders) == 2
    assert {e: r for e, r in roles.items() if e not in bidders} == {
        sign_in.email: sign_in.role for sign_in in DEMO_SIGN_INS
    }


async def test_production_mode_refuses_to_load_the_demo(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "a production secret key of enough length")
    monkeypatch.setenv("MARKETPLACE_KEK", base64.b64encode(b"k" * 32).decode())
    reset_settings()

    with pytest.raises(DemoRefused, match="production"):
        await load_demo()

    assert await Organisation.count() == 0


async def test_the_demo_has_a_call_off_with_its_bids_opened_and_evaluated(db: str) -> None:
    from marketplace.awards.tables import Assessment
    from marketplace.demo.evaluated_call_off import TITLE
    from marketplace.tenders.tables import CallOff

    await load_demo()
    await load_demo()
    [call_off] = await CallOff.select().where(CallOff.title == TITLE)
    assert call_off["status"] == "evaluated"
    assessments = (
        await Assessment.select()
        .where(Assessment.call_off == call_off["id"])
        .order_by(Assessment.position)
    )
    assert [(a["rank"], a["winner"]) for a in assessments] == [(1, True), (2, False), (None, False)]
    assert "has not accepted the enablement budget" in assessments[2]["reason"]
    assert assessments[1]["provider_name"] == "Oakleaf Home Care (demo)"
