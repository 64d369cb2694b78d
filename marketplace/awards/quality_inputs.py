"""What the provider quality ranking rests on, gathered from the domains that record it (their
query functions, never their tables): the CQC rating (accounts), the invitations whose deadline
passed (tenders), the bids and declines that answered them (bids), the tender score at admission
(admissions), the awarded care, its starts and hand-backs (care) and the commissioner's quality
records (quality). Everything but the tender score looks back over the window (docs/design.md
4.8)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.accounts.queries import standing_of
from marketplace.admissions.queries import tender_scores
from marketplace.awards.engine.quality import QualityInputs
from marketplace.bids.queries import bids_made, declines_by
from marketplace.care.queries import CareFacts, care_facts
from marketplace.config import get_settings
from marketplace.quality.queries import QualityFacts, quality_facts
from marketplace.tenders.call_offs.answers import invitations_closed_since

# docs/design.md 4.8: every counted factor looks back six months.
LOOK_BACK = timedelta(days=183)


async def quality_inputs(
    commissioner_id: UUID, provider_ids: list[UUID], now: datetime
) -> dict[UUID, QualityInputs]:
    """Each provider's inputs to the ranking with the commissioner, as recorded at `now`."""
    since = now - LOOK_BACK
    standing = await standing_of(provider_ids)
    due = set(await invitations_closed_since(commissioner_id, provider_ids, since, now))
    call_offs = {call_off for _, call_off in due}
    bid = set(await bids_made(provider_ids, call_offs)) & due
    declined = set(await declines_by(provider_ids, call_offs)) & due
    local_since = since.astimezone(ZoneInfo(get_settings().timezone)).date()
    records = await quality_facts(commissioner_id, provider_ids, local_since)
    tenders = await tender_scores(commissioner_id, provider_ids)
    cares = await care_facts(commissioner_id, provider_ids, since)
    invitations = Counter(provider for provider, _ in due)
    responses = Counter(provider for provider, _ in bid | declined)
    declines = Counter(provider for provider, _ in declined)
    inputs = {}
    for provider_id in provider_ids:
        facts = records.get(provider_id, QualityFacts())
        care = cares.get(provider_id, CareFacts())
        rating = standing[provider_id].cqc_rating if provider_id in standing else None
        inputs[provider_id] = QualityInputs(
            cqc_rating=rating,
            invitations=invitations[provider_id],
            responses=responses[provider_id],
            declines=declines[provider_id],
            # The care domain's records: a count of 0 out of 0 reads "no records yet".
            care_awarded=care.awarded,
            hand_backs=care.hand_backs,
            care_started=care.started,
            late_starts=care.late_starts,
            monitoring_scores=facts.monitoring_scores,
            tender_score=tenders.get(provider_id),
            safeguarding_concerns=facts.safeguarding_concerns,
            upheld_complaints=facts.upheld_complaints,
            compliments=facts.compliments,
        )
    return inputs
