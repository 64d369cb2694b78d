"""The award report: the evaluation and the decision as a CSV, archived write-once with its
digest when the award is confirmed (the HTML page shows the same rows)."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any
from uuid import UUID

from marketplace.archive.service import store_document
from marketplace.awards.queries import assessment_rows
from marketplace.awards.tables import Award
from marketplace.principal import Principal
from marketplace.tenders.call_offs.lifecycle import AwardTerms

COLUMNS = (
    "call_off_id",
    "title",
    "kind",
    "area_code",
    "position",
    "rank",
    "provider",
    "bid_id",
    "compliant",
    "awarded",
    "flags",
    "hourly_rate_pence",
    "weekly_cost_pence",
    "mobilisation_date",
    "quality_percent",
    "price_percent",
    "total_score",
    "provider_quality_score",
    "received_at",
    "exclusions",
    "exclusion_codes",
    "reason",
    "confirmed_at",
    "departed_from_computed",
    "departure_reason",
    "abnormally_low_checked",
    "standstill_ends_at",
)
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def award_report_csv(
    terms: AwardTerms,
    rows: list[dict[str, Any]],
    awarded: set[tuple[UUID, str | None]],
    decision: dict[str, Any],
) -> bytes:
    """One row per assessment (per bid and area for a pilot), in the evaluation's order, with the
    decision repeated on each row so that every row stands alone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        figures = row["figures"]
        writer.writerow(
            _cell(value)
            for value in (
                str(terms.call_off_id),
                terms.title,
                terms.kind,
                row["area_code"],
                row["position"] + 1,
                row["rank"],
                row["provider_name"],
                str(row["bid_id"]),
                "yes" if row["compliant"] else "no",
                "yes" if (row["bid_id"], row["area_code"]) in awarded else "no",
                " ".join(row["flags"]),
                figures.get("hourly_rate_pence"),
                figures.get("weekly_cost_pence"),
                figures.get("mobilisation_date"),
                figures.get("quality_percent"),
                figures.get("price_percent"),
                figures.get("total_score"),
                figures.get("quality_score"),
                figures.get("received_at"),
                "; ".join(row["exclusions"]),
                " ".join(failure.code for failure in row["exclusions"]),
                row["reason"],
                decision["confirmed_at"],
                "yes" if decision["departed"] else "no",
                decision["reason"],
                "yes" if decision["abnormally_low_checked"] else "no",
                decision["standstill_ends_at"],
            )
        )
    return out.getvalue().encode("utf-8")


async def archive_award_report(
    actor: Principal, terms: AwardTerms, award: Award, picked: list[dict[str, Any]]
) -> tuple[UUID, str]:
    """Archive the award report write-once (commissioner only) and return its id and SHA-256."""
    content = award_report_csv(
        terms,
        await assessment_rows(terms.call_off_id),
        {(row["bid_id"], row["area_code"]) for row in picked},
        {
            "confirmed_at": award.confirmed_at.isoformat(),
            "departed": award.departed,
            "reason": award.reason,
            "abnormally_low_checked": award.abnormally_low_checked,
            "standstill_ends_at": award.standstill_ends_at.isoformat(),
        },
    )
    document = await store_document(
        actor,
        f"award-report-{terms.call_off_id}.csv",
        content,
        "commissioner_only",
        terms.commissioner_id,
    )
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    return document.id, document.sha256
