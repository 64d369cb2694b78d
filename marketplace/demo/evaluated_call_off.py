"""A demo call-off whose bids are already opened and evaluated, so that the console shows the
award engine at work from the first sign-in: an enablement request in Ashford with three sealed
bids (one not accepting the enablement budget), closed and evaluated, ready for the award."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

from marketplace.accounts.authentication import principal_for_email
from marketplace.accounts.seeding import UserSeed, ensure_users
from marketplace.awards.closing import close_call_off
from marketplace.bids.schemas import BidSubmission
from marketplace.bids.service import submit_bid
from marketplace.config import get_settings
from marketplace.db import write_transaction
from marketplace.demo.admissions import demo_admissions
from marketplace.demo.sign_ins import DEMO_COMMISSIONER, DEMO_PROVIDER
from marketplace.tenders.call_offs.drafting import create_call_off
from marketplace.tenders.call_offs.publication import publish_call_off
from marketplace.tenders.call_offs.schemas import CallOffCreate, EnablementTerms
from marketplace.tenders.tables import CallOff
from marketplace.tenders.waiting_list.packages import list_packages

TITLE = "Enablement at home, Ashford (demo: bids opened)"
AREA = "KENT-ASHFORD"
# Two other Ashford agencies bid beside the demo provider: one wins, one does not accept the
# enablement budget and is excluded (a rate above the maximum is refused at submission).
RATES = (1790, 1810)
DEMO_PROVIDER_RATE = 1825


def _bidder_email(name: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower().removesuffix(" (demo)"))
    return f"bids@{slug.strip('-')}.demo.marketplace.test"


async def ensure_evaluated_call_off(organisation_ids: Mapping[str, UUID]) -> int:
    """Create the evaluated demo call-off unless it exists; returns 1 when created, else 0."""
    if await CallOff.exists().where(CallOff.title == TITLE):
        return 0
    commissioner = await principal_for_email(DEMO_COMMISSIONER.email)
    if commissioner is None:
        return 0
    page = await list_packages(commissioner, 100, None, status="waiting", area_code=AREA)
    if not page.items:
        return 0
    others = sorted(
        name
        for name, (_, codes) in demo_admissions().items()
        if AREA in codes and name != DEMO_PROVIDER.organisation
    )[: len(RATES)]
    # The other bidders' users have passwords nobody knows: they exist to be the bids' authors.
    await ensure_users(
        [
            UserSeed(
                _bidder_email(name), secrets.token_urlsafe(24), "provider", organisation_ids[name]
            )
            for name in others
        ]
    )
    settings = get_settings()
    deadline = datetime.now(UTC) + timedelta(seconds=settings.min_deadline_seconds + 60)
    created = await create_call_off(
        commissioner,
        CallOffCreate(
            kind="enablement",
            title=TITLE,
            lot_code="CSH",
            deadline=deadline,
            package_ids=[page.items[0].id],
            enablement=EnablementTerms(
                budget_pence=150000,
                weeks=6,
                outcomes=["Wash and dress independently", "Prepare a simple meal"],
            ),
        ),
    )
    await publish_call_off(commissioner, created.id)
    bidders = [(DEMO_PROVIDER.email, DEMO_PROVIDER_RATE)] + [
        (_bidder_email(name), rate) for name, rate in zip(others, RATES, strict=False)
    ]
    for email, rate in bidders:
        provider = await principal_for_email(email)
        if provider is not None:
            await submit_bid(
                provider,
                created.id,
                BidSubmission(hourly_rate_pence=rate, accepts_enablement_budget=rate != 1810),
            )
    # Demo only: the deadline is brought forward so that the bids can be opened at once.
    async with write_transaction():
        await CallOff.update({CallOff.deadline: datetime.now(UTC) - timedelta(seconds=1)}).where(
            CallOff.id == created.id
        )
    await close_call_off(created.id)
    return 1
