"""Failed gates are stored and answered with their codes, on SQLite and PostgreSQL: the evaluation
and the opened bids name each by its code, and evaluations stored before the codes (sentences
only) are given them by the migrations."""

from __future__ import annotations

import importlib
from typing import Any

import msgspec

from marketplace.awards.closing import close_due_call_offs
from marketplace.awards.tables import Assessment
from marketplace.bids.tables import Bid
from marketplace.db import write_transaction
from marketplace.tenders.tables import CallOff
from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body
from tests.factories import bearer, rate_provider
from tests.integration.awards.test_awards import accepted, bid, by_provider, evaluation
from tests.integration.bids.test_bids import pass_the_deadline, published

AWARDS_MIGRATION = importlib.import_module(
    "marketplace.awards.piccolo_migrations.awards_2026_11_24t10_00_01_000000"
)
BIDS_MIGRATION = importlib.import_module(
    "marketplace.bids.piccolo_migrations.bids_2026_11_24t10_00_00_000000"
)


async def evaluated_with_exclusions(client: Any) -> tuple[Any, str]:
    """An evaluated enablement request: Birch compliant, Cedar above the maximum price and
    outside the envelope, Falling's CQC rating dropped to inadequate before the close."""
    c = await commissioning()
    falling, falling_token = await admitted_provider(c, "Falling Care", cqc_rating="good")
    _, birch = await admitted_provider(c, "Birch Care")
    _, cedar = await admitted_provider(c, "Cedar Care")
    call_off_id = await published(client, c, enablement_body(c))
    await bid(client, call_off_id, falling_token, accepted(1800))
    await bid(client, call_off_id, birch, accepted(1850))
    await bid(client, call_off_id, cedar, accepted(2500))
    await rate_provider(falling.id, "inadequate")
    await pass_the_deadline(call_off_id)
    assert await close_due_call_offs() == 1
    return c, call_off_id


def exclusion_codes(found: dict[str, Any]) -> dict[str, list[str]]:
    return {item["provider_name"]: item["exclusion_codes"] for item in found["items"]}


async def test_the_evaluation_names_every_exclusion_by_its_code(client: Any) -> None:
    c, call_off_id = await evaluated_with_exclusions(client)

    found = await evaluation(client, c, call_off_id)
    assert exclusion_codes(found) == {
        "Birch Care": [],
        "Falling Care": ["cqc_inadequate"],
        "Cedar Care": ["above_max_rate", "outside_envelope"],
    }
    cedar = by_provider(found["items"], "Cedar Care")
    assert len(cedar["exclusions"]) == 2, "each code comes with its sentence, in the same order"
    opened = (
        await client.get(f"/api/v1/call-offs/{call_off_id}/bids", headers=bearer(c.token))
    ).json()
    assert sorted(tuple(b["gate_failure_codes"]) for b in opened) == [(), (), ("cqc_inadequate",)]


async def test_evaluations_stored_before_the_codes_are_given_them_by_the_migrations(
    client: Any,
) -> None:
    c, call_off_id = await evaluated_with_exclusions(client)
    before = await evaluation(client, c, call_off_id)
    # Put the stored rows back in the old shape: JSON lists of sentences only.
    async with write_transaction():
        for row in await Assessment.select(Assessment.id, Assessment.exclusions):
            await Assessment.update(
                {Assessment.exclusions: AWARDS_MIGRATION.sentences_only(row["exclusions"])}
            ).where(Assessment.id == row["id"])
        for row in await Bid.select(Bid.id, Bid.gate_failures):
            await Bid.update(
                {Bid.gate_failures: BIDS_MIGRATION.sentences_only(row["gate_failures"])}
            ).where(Bid.id == row["id"])
    stored = await Assessment.select(Assessment.exclusions).where(
        Assessment.provider_name == "Falling Care"
    )
    assert msgspec.json.decode(stored[0]["exclusions"]) == ["CQC rating inadequate"]

    async with write_transaction():
        await BIDS_MIGRATION.add_codes()
        await AWARDS_MIGRATION.add_codes()

    after = await evaluation(client, c, call_off_id)
    assert exclusion_codes(after) == exclusion_codes(before)
    assert [item["exclusions"] for item in after["items"]] == [
        item["exclusions"] for item in before["items"]
    ]
    [falling] = await Bid.select(Bid.gate_failures).where(Bid.gate_failures != "[]")
    assert msgspec.json.decode(falling["gate_failures"]) == [
        {"code": "cqc_inadequate", "sentence": "CQC rating inadequate"}
    ]
    status = await CallOff.select(CallOff.status).where(CallOff.id == call_off_id).first()
    assert status["status"] == "evaluated"
