"""How care reads on the pages: statuses and their tags, variations, kinds and parties."""

from __future__ import annotations

CARE_STATUSES = {
    "awaiting_start": "Awaiting start",
    "active": "Active",
    "ended": "Ended",
    "handed_back": "Handed back",
}
CARE_STATUS_TAGS = {
    "awaiting_start": "govuk-tag--yellow",
    "active": "govuk-tag--green",
    "ended": "govuk-tag--grey",
    "handed_back": "govuk-tag--red",
}
VARIATION_STATUSES = {
    "applied": "Applied (within the tolerance)",
    "requested": "Waiting for the commissioner",
    "approved": "Approved",
    "refused": "Refused",
    "lapsed": "Lapsed (the care ended first)",
}
CARE_KINDS = {"enablement": "Enablement", "cluster": "Cluster", "pilot": "Pilot"}
PARTIES = {"provider": "Provider", "commissioner": "Commissioner", "system": "Marketplace"}
DONE = {
    "start": "The actual start is recorded.",
    "vary": "The change of weekly hours is recorded.",
    "hand-back": "The care is handed back.",
    "correct": "The actual start is corrected.",
    "decide": "The change of hours is decided.",
    "end": "The care is ended.",
    "outcomes": "The enablement outcomes are recorded.",
}

CARE_WORDS = {
    "care_statuses": CARE_STATUSES,
    "care_status_tags": CARE_STATUS_TAGS,
    "variation_statuses": VARIATION_STATUSES,
    "care_kinds": CARE_KINDS,
    "parties": PARTIES,
    "done_words": DONE,
}
