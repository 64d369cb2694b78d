"""The OCDS release builder (pure): what each stage's sections hold, and the compiled release."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from marketplace.transparency import releases

CALL_OFF = UUID("00000000-0000-4000-8000-000000000001")
BUYER = releases.Organisation(UUID("00000000-0000-4000-8000-000000000002"), "Kent County Council")
OAK = releases.Organisation(UUID("00000000-0000-4000-8000-000000000003"), "Oakleaf Home Care")
PUBLISHED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OCID = releases.ocid("ocds-213czf", CALL_OFF)


def tender(deadline: datetime, *, cancelled: bool = False) -> releases.TenderFacts:
    return releases.TenderFacts(
        call_off_id=CALL_OFF,
        title="Enablement at home, Ashford",
        kind="enablement",
        lot_name="Care and Support at Home",
        buyer=BUYER,
        published_at=PUBLISHED,
        deadline=deadline,
        max_hourly_rate_pence=2400,
        envelope_weekly_pence=19500,
        cancelled=cancelled,
        areas={"ASHFORD": "Ashford"},
        items=[releases.Item("Home care package in Ashford", Decimal("10.00"), "ASHFORD")],
        documents=[],
        budget_pence=150000,
    )


def award(rate: int, hours: Decimal = Decimal("10.00")) -> releases.AwardFacts:
    return releases.AwardFacts(
        call_off_id=CALL_OFF,
        buyer=BUYER,
        awarded_at=PUBLISHED + timedelta(days=5),
        standstill_ends_at=PUBLISHED + timedelta(days=15),
        lines=[releases.AwardedLine(OAK, None, rate, hours, date(2026, 12, 1))],
        bids_received=3,
        areas=["ASHFORD"],
    )


def test_the_tender_states_the_maximum_rate_the_envelope_and_the_budget_in_words_and_values() -> (
    None
):
    sections = releases.tender_sections(tender(PUBLISHED + timedelta(days=3)), "https://m.example")
    assert sections["tender"]["value"] == {"amount": 195.0, "currency": "GBP"}
    assert sections["tender"]["items"][0]["unit"]["value"] == {"amount": 24.0, "currency": "GBP"}
    description = sections["tender"]["description"]
    assert "£24.00" in description and "£195.00" in description and "£1,500.00" in description


@given(
    rate=st.integers(1, 10_000_00),
    hours=st.decimals(Decimal("0.25"), Decimal("200.00"), places=2),
)
def test_an_awards_value_is_its_rate_times_the_weekly_hours_to_the_penny(
    rate: int, hours: Decimal
) -> None:
    [line] = releases.award_sections(award(rate, hours))["awards"]
    pence = int((hours * rate).quantize(Decimal(1)))
    assert Decimal(str(line["value"]["amount"])) == Decimal(pence) / 100
    assert line["relatedLots"] == ["ASHFORD"] and line["suppliers"][0]["name"] == OAK.name


def test_the_compiled_release_is_the_latest_of_each_field_and_keeps_the_rest() -> None:
    first = releases.release(
        OCID,
        1,
        "published",
        PUBLISHED,
        releases.tender_sections(tender(PUBLISHED + timedelta(days=3)), "https://m.example"),
    )
    later = PUBLISHED + timedelta(days=5)
    second = releases.release(
        OCID,
        2,
        "extended",
        PUBLISHED + timedelta(days=1),
        releases.tender_sections(tender(later), "https://m.example"),
    )
    third = releases.release(
        OCID, 3, "awarded", PUBLISHED + timedelta(days=6), releases.award_sections(award(1850))
    )
    assert [r["tag"] for r in (first, second, third)] == [["tender"], ["tenderUpdate"], ["award"]]
    assert third["id"] == f"{OCID}-03-awarded"
    compiled = releases.compiled_release([first, second, third])
    assert compiled["tag"] == ["compiled"] and compiled["id"] == f"{OCID}-03-awarded-compiled"
    assert compiled["tender"]["tenderPeriod"]["endDate"] == later.isoformat()
    assert (
        compiled["tender"]["status"] == "complete"
        and compiled["tender"]["items"] == (first["tender"]["items"])
    )
    assert [p["name"] for p in compiled["parties"]] == [BUYER.name, OAK.name], "merged by id"
    assert compiled["date"] == third["date"]
