"""Wiring the domains together where a lower one needs something only a higher one knows: the outbox
runs every domain's jobs, a call-off shows how many bids it has, and the archive learns what
kind an owner organisation is. Called once at start-up by
the web process and the worker (and by the tests); calling it again changes nothing."""

from __future__ import annotations

from marketplace.accounts.queries import organisation_kind
from marketplace.archive.service import look_up_organisation_kinds_with
from marketplace.bids.queries import bid_counts
from marketplace.jobs import register_jobs
from marketplace.tenders.call_offs.queries import count_bids_with


def wire() -> None:
    register_jobs()
    count_bids_with(bid_counts)
    look_up_organisation_kinds_with(organisation_kind)
