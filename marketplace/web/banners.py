"""The success banner after an action: a page redirects to `?done=<code>` and the layout shows
the fixed sentence for that code in a GOV.UK success notification banner (role="alert"). Only
codes from this list are shown: nothing in the URL is ever echoed into the page."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

DONE_PARAMETER = "done"

SUCCESS_MESSAGES = {
    # call-offs
    "draft-saved": "The call-off is saved as a draft. Check it, then publish it.",
    "draft-edited": "The draft is saved with your changes.",
    "document-uploaded": "The document is uploaded and listed on the call-off.",
    "published": "The call-off is published: every eligible provider is invited and emailed.",
    "cancelled": "The call-off is cancelled: the invited providers are emailed the reason.",
    "deadline-changed": "The deadline is changed: the invited providers are emailed.",
    "opening-approved": (
        "Your approval is recorded. The bids open when enough authorised officers have approved."
    ),
    "bids-opened": "The bids are opened and evaluated.",
    "awarded": (
        "The award is confirmed: every bidder is sent its assessment summary, then the winner "
        "the award notice, and the standstill has started."
    ),
    "scores-saved": "Your scores are saved and the evaluation is worked out again.",
    # bids
    "declined": "You declined the call-off. The commissioner sees how many declined and why, "
    "never who.",
    "attachment-added": "The document is attached to your bid, sealed with it.",
    "attachment-removed": "The document is removed from your bid.",
    # the waiting list and contingency
    "placed": "The placement is recorded: the package has left the waiting list.",
    # quality and ranking
    "record-added": "The quality record is added.",
    "record-withdrawn": "The quality record is withdrawn.",
    "report-attached": "The report is attached to the quality record.",
    "review-recorded": "The ranking review is recorded.",
    "weights-changed": "The quality weights are changed: the ranking is worked out again.",
    # KPI returns
    "kpi-return-saved": "Your values are saved. Submit the return when it is complete.",
    "kpi-return-submitted": "The KPI return is submitted and archived: it can no longer change.",
    # administration
    "retry-queued": "The delivery is queued to be tried again.",
}


def success_message(code: str | None) -> str | None:
    """The sentence for a known code, else None (an unknown code shows no banner)."""
    return SUCCESS_MESSAGES.get(code or "")


def done(path: str, code: str) -> str:
    """`path` with `?done=<code>` added before its fragment: where a page redirects after an
    action (the code must be one of SUCCESS_MESSAGES)."""
    if code not in SUCCESS_MESSAGES:
        raise ValueError(f"No success message for {code!r}")
    parts = urlsplit(path)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=f"{query}{DONE_PARAMETER}={code}"))
