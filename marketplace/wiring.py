"""Wiring the domains together where a lower one needs something only a higher one knows: the outbox
runs every domain's jobs, a call-off shows how many bids it has and why invitees declined it, the
archive learns what kind an owner organisation is (and the audit log's pages their names), the audit
log anchors its seals in the archive, and the records the quality ranking rests on
recompute it when they change, and a CQC rating falling to inadequate re-checks the
provider's call-offs and awards. Called once at start-up by the web process and the worker (and by
the tests); calling it again changes nothing."""

from __future__ import annotations

from marketplace.accounts.cqc_ratings import react_to_inadequate_with
from marketplace.accounts.queries import organisation_kind, organisation_names
from marketplace.archive.anchors import anchor_store
from marketplace.archive.service import look_up_organisation_kinds_with
from marketplace.audit.anchors import keep_anchors_in
from marketplace.audit.pages import name_organisations_with
from marketplace.awards.quality_ranking import rerank_providers
from marketplace.awards.standing_changes import when_rated_inadequate
from marketplace.bids.queries import bid_counts, decline_reasons
from marketplace.jobs import register_jobs
from marketplace.reranking import rerank_with
from marketplace.tenders.call_offs.answers import read_declines_with
from marketplace.tenders.call_offs.queries import count_bids_with


def wire() -> None:
    register_jobs()
    count_bids_with(bid_counts)
    read_declines_with(decline_reasons)
    rerank_with(rerank_providers)
    look_up_organisation_kinds_with(organisation_kind)
    name_organisations_with(organisation_names)
    react_to_inadequate_with(when_rated_inadequate)
    keep_anchors_in(anchor_store)
