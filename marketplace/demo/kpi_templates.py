"""The lots' KPI templates, in the commissioning documents' words: Dorset Care Framework Lot 1
(Care and Support at Home), section 15 (and 7.1), R1 to R8; Roaming Nights (Lot 5), section 7.1,
R1 to R10. `prefill` names what the marketplace records of each (marketplace/kpi/rules.py)."""

from __future__ import annotations

from marketplace.kpi.service import MeasureSeed

KPI_TEMPLATES: dict[str, tuple[MeasureSeed, ...]] = {
    "CSH": (
        MeasureSeed(
            "R1", "Number of Service Users accepted into the service", "count", prefill="accepted"
        ),
        MeasureSeed("R2", "Number of Service Users declined and why", "count", True, "declined"),
        MeasureSeed(
            "R3", "Number of Service Users completing the service", "count", prefill="completed"
        ),
        MeasureSeed(
            "R4",
            "Number of Service Users leaving the service prior to completion and why",
            "count",
            True,
            "handed_back",
        ),
        MeasureSeed(
            "R5", "Response to emergency referrals within 24 hours (weekdays)", "percentage"
        ),
        MeasureSeed("R6", "Response to referrals within week one", "percentage"),
        MeasureSeed(
            "R7",
            "Service users who received first visit within 7 working days from referral acceptance",
            "percentage",
            prefill="first_visit_within_7_working_days",
        ),
        MeasureSeed(
            "R8",
            "A support solution, with outcomes agreed with Service User / Carer within 5 working "
            "days of first visit",
            "percentage",
        ),
    ),
    "NIGHTS": (
        MeasureSeed("R1", "Response times to emergency situations 30 – 60 minutes", "minutes"),  # noqa: RUF001 (the seed's dash)
        MeasureSeed("R2", "Total number of hospital admissions prevented each week", "count"),
        MeasureSeed("R3", "Area that services are provided", "text", prefill="areas"),
        MeasureSeed(
            "R4",
            "Number of contact hours per week (to assess ratio of contact to travel/non-contact "
            "time)",
            "count",
        ),
        MeasureSeed("R5", "Number of non-contact hours and travel time each week", "count"),
        MeasureSeed("R6", "Number of miles travelled each week", "count"),
        MeasureSeed("R7", "Number of visits in a week", "count"),
        MeasureSeed(
            "R8",
            "Number of packages handed back to brokerage to broker long term packages",
            "count",
            prefill="handed_back",
        ),
        MeasureSeed(
            "R9", "Number of requests refused and reason for refusal", "count", True, "declined"
        ),
        MeasureSeed("R10", "Type of requests refused", "text", prefill="declined_kinds"),
    ),
}
