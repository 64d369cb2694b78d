"""Load the demo marketplace through the domains' services: `marketplace demo`.

Idempotent: everything is looked up by its unique key (organisation name, lot and area code,
package reference, postcode, email) and only what is missing is created, so a second run creates
nothing. The demo users' passwords are reset to the documented ones on every run. Refused in
production mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from marketplace.accounts import schemas as accounts_schemas
from marketplace.accounts.seeding import UserSeed, ensure_organisations, ensure_users
from marketplace.admissions.seeding import AdmissionSeed, ensure_admissions
from marketplace.audit.service import record
from marketplace.config import ConfigurationError, get_settings
from marketplace.db import write_transaction
from marketplace.demo.admissions import ADMISSION_LOT, demo_admissions
from marketplace.demo.catalogue import COMMISSIONERS, LOTS, PROVIDERS
from marketplace.demo.evaluated_call_off import ensure_evaluated_call_off
from marketplace.demo.kpi_templates import KPI_TEMPLATES
from marketplace.demo.sign_ins import DEMO_SIGN_INS, DemoSignIn
from marketplace.demo.waiting_list import demo_waiting_list
from marketplace.kpi.service import ensure_measures
from marketplace.reference import schemas as tenders_schemas
from marketplace.reference.postcodes.directory import rurality_of_postcodes, save_postcodes
from marketplace.reference.seeding import ensure_areas, ensure_lots, ensure_pricing
from marketplace.tenders.waiting_list.seeding import ensure_packages


class DemoRefused(ConfigurationError):
    """The demo marketplace, with its published passwords, must never reach production."""


@dataclass
class Tally:
    what: str
    created: int
    total: int

    @property
    def already_there(self) -> int:
        return self.total - self.created


@dataclass
class DemoResult:
    """What a run of the demo loader created and found already there, and the demo sign-ins."""

    tallies: list[Tally] = field(default_factory=list)
    sign_ins: tuple[DemoSignIn, ...] = DEMO_SIGN_INS

    def count(self, what: str, created: int, total: int) -> None:
        self.tallies.append(Tally(what, created, total))

    @property
    def created(self) -> int:
        return sum(tally.created for tally in self.tallies)

    def describe(self) -> str:
        width = max(len(tally.what) for tally in self.tallies)
        lines = [
            'Demo marketplace loaded: invented organisations, postcodes (source "demo") and '
            "pseudonymous packages. Not for real use.",
            "",
            f"  {'':<{width}}  {'created':>7}  {'already there':>13}",
            *(f"  {t.what:<{width}}  {t.created:>7}  {t.already_there:>13}" for t in self.tallies),
            "",
            "Demo sign-ins (passwords reset to these on every run; development only):",
        ]
        who = max(len(s.who) for s in self.sign_ins)
        email = max(len(s.email) for s in self.sign_ins)
        password = max(len(s.password) for s in self.sign_ins)
        lines += [
            f"  {s.who:<{who}}  {s.email:<{email}}  {s.password:<{password}}  {s.role}"
            for s in self.sign_ins
        ]
        return "\n".join(lines)


async def load_demo(today: date | None = None) -> DemoResult:
    """Create whatever of the demo marketplace is missing and reset the demo users' passwords."""
    if get_settings().production:
        raise DemoRefused(
            "The demo marketplace cannot be loaded in production mode (MARKETPLACE_ENV=production): "
            "its users' passwords are published."
        )
    result = DemoResult()
    waiting_list = demo_waiting_list(today or date.today())
    async with write_transaction():
        commissioners, created = await ensure_organisations(
            [
                accounts_schemas.OrganisationCreate(kind="commissioner", name=c.name)
                for c in COMMISSIONERS
            ]
        )
        result.count("Commissioners", created, len(COMMISSIONERS))
        providers, created = await ensure_organisations(
            [
                accounts_schemas.OrganisationCreate(
                    kind="provider",
                    name=p.name,
                    cqc_location_id=p.cqc_location_id,
                    cqc_rating=p.cqc_rating,  # type: ignore[arg-type]
                    enforcement_pending=p.enforcement_pending,
                )
                for p in PROVIDERS
            ]
        )
        result.count("Providers", created, len(PROVIDERS))

        lot_ids, created = await ensure_lots(
            tenders_schemas.LotCreate(code=c, name=n) for c, n in LOTS.items()
        )
        result.count("Lots", created, len(LOTS))
        created = 0
        for lot_code, measures in KPI_TEMPLATES.items():
            created += await ensure_measures(lot_ids[lot_code], measures)
        result.count("KPI measures", created, sum(map(len, KPI_TEMPLATES.values())))
        areas = [
            tenders_schemas.AreaCreate(
                code=a.code,
                name=a.name,
                commissioner_id=commissioners[c.name],
                weekly_hours=None if a.weekly_hours is None else str(a.weekly_hours),
            )
            for c in COMMISSIONERS
            for a in c.areas
        ]
        area_ids, created = await ensure_areas(areas)
        result.count("Areas", created, len(areas))
        admissions = [
            AdmissionSeed(
                providers[name],
                lot_ids[ADMISSION_LOT],
                commissioners[commissioner],
                tuple(area_ids[code] for code in codes),
            )
            for name, (commissioner, codes) in demo_admissions().items()
        ]
        created = await ensure_admissions(admissions)
        result.count(f"Admissions to {ADMISSION_LOT}", created, len(admissions))
        created = 0
        for c in COMMISSIONERS:
            prices = {
                lot: tenders_schemas.PricingPut(
                    max_hourly_rate_pence=max_rate,
                    envelope_base_rate_pence=base_rate,
                    rurality_weights=c.rurality_weights,  # type: ignore[arg-type]
                )
                for lot, (max_rate, base_rate) in c.pricing.items()
            }
            created += await ensure_pricing(commissioners[c.name], prices)
        result.count("Pricing schedules", created, sum(len(c.pricing) for c in COMMISSIONERS))

        postcodes = waiting_list.postcodes
        known = await rurality_of_postcodes(entry.postcode for entry in postcodes)
        created = await save_postcodes(
            [e for e in postcodes if e.postcode not in known], source="demo"
        )
        if created:
            await record(None, "seed_postcodes", "postcode_directory", details={"created": created})
        result.count("Demo postcodes", created, len(postcodes))
        created = 0
        for c in COMMISSIONERS:
            created += await ensure_packages(commissioners[c.name], waiting_list.packages[c.name])
        result.count("Waiting packages", created, sum(map(len, waiting_list.packages.values())))

    # Outside the transaction above: hashing the passwords is deliberately slow.
    organisations = commissioners | providers
    users = [
        UserSeed(
            s.email, s.password, s.role, organisations[s.organisation] if s.organisation else None
        )
        for s in DEMO_SIGN_INS
    ]
    result.count("Demo users", await ensure_users(users), len(users))
    # Last: it bids and evaluates through the services as the demo users.
    result.count("Evaluated call-offs", await ensure_evaluated_call_off(organisations), 1)
    return result
