"""Spend and activity on SQLite and PostgreSQL, exact against a known set of care: two packages
of active care at £19.50 an hour (one of them varied from 10.00 to 12.00 hours a week), a third
awarded but not started (not committed), and another commissioner's care (never counted)."""

from __future__ import annotations

import calendar
import csv
import html
import io
import json
import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import openpyxl
import pytest

from marketplace.reporting.spend import spend_of
from marketplace.web.templating import month_name
from tests.call_off_fixtures import Commissioning, admitted_provider, commissioning, suffix_of
from tests.care_fixtures import (
    care_ids,
    concluded_cluster,
    started,
    today,
)
from tests.factories import bearer
from tests.integration.platform.test_work_queues import counting_queries


async def known_care(client: Any) -> tuple[Commissioning, str, UUID]:
    """The known set of care: two active Oakleaf packages (one varied to 12.00 hours), a third
    awarded but not started, and Dorset's care; the commissioner, Oakleaf's token and the id of
    the care not started."""
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    # Package 3 is awarded too but never started: not committed.
    first, second, third = await care_ids(
        await concluded_cluster(client, c, oakleaf, ("1", "2", "3"))
    )
    await started(client, oakleaf, first)
    await started(client, oakleaf, second)
    varied = await client.post(
        f"/api/v1/care/{first}/variations",
        json={"weekly_hours": "12.00", "effective_from": str(today()), "reason": "More calls"},
        headers=bearer(oakleaf),
    )
    assert varied.status_code in (200, 201), varied.text
    assert varied.json()["status"] == "applied"
    other = await commissioning("Dorset Council")
    _, theirs = await admitted_provider(other, "Dorset Care")
    for care_id in await care_ids(await concluded_cluster(client, other, theirs)):
        await started(client, theirs, care_id)
    return c, oakleaf, third


async def test_committed_weekly_spend_is_exact_by_every_grouping_and_month(client: Any) -> None:
    c, oakleaf, _ = await known_care(client)
    answer = await client.get("/api/v1/spend", headers=bearer(c.token))
    assert answer.status_code == 200, answer.text
    spend = answer.json()
    # 12.00 h x 1950p = 23400p; 7.25 h x 1950p = 14137.5p, half-up 14138p.
    whole = {"packages": 2, "weekly_hours": "19.25", "weekly_spend_pence": 37538}
    assert {k: spend["overall"][k] for k in whole} == whole
    area = f"ASHFORD-{suffix_of(c)}"
    for grouping, key in [
        ("by_lot", "CSH"),
        ("by_area", area),
        ("by_provider", "Oakleaf Home Care"),
    ]:
        assert spend[grouping] == [{"key": key, **whole}], grouping
    assert spend["by_service_level"] == [
        {"key": "complex", "packages": 1, "weekly_hours": "7.25", "weekly_spend_pence": 14138},
        {"key": "standard", "packages": 1, "weekly_hours": "12.00", "weekly_spend_pence": 23400},
    ]
    assert sum(g["weekly_spend_pence"] for g in spend["by_rurality"]) == 37538
    months = spend["by_month"]
    assert len(months) == 12 and months[-1] == {"key": today().strftime("%Y-%m"), **whole}
    assert all(m["weekly_spend_pence"] == 0 for m in months[:-1])
    assert spend["rates"] == [
        {
            "key": key,
            "weekly_hours": "19.25",
            "awarded_rate_pence": 1950,
            "maximum_rate_pence": 2400,
            "envelope_rate_pence": 1950,
            "of_maximum_percent": "81.25",
            "of_envelope_percent": "100.00",
        }
        for key in ("CSH", "all")
    ]

    page = await client.get("/spend", headers=bearer(c.token))
    assert page.status_code == 200
    assert 'id="spend-weekly">£375.38<' in page.text
    assert 'href="/spend/by-provider.xlsx"' in page.text
    table = await client.get("/spend/by-service-level.csv", headers=bearer(c.token))
    assert list(csv.reader(io.StringIO(table.text))) == [
        ["Service level", "Packages", "Weekly hours", "Weekly spend (£)"],
        ["complex", "1", "7.25", "141.38"],
        ["standard", "1", "12.00", "234.00"],
    ]
    workbook = await client.get("/spend/by-service-level.xlsx", headers=bearer(c.token))
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == [
        ["complex", 1, 7.25, 141.38],
        ["standard", 1, 12.0, 234.0],
    ]
    assert (await client.get("/spend/nothing.csv", headers=bearer(c.token))).status_code == 404
    assert (await client.get("/api/v1/spend", headers=bearer(oakleaf))).status_code == 403


async def test_a_month_counts_the_care_in_force_at_its_end_at_the_hours_then(client: Any) -> None:
    from marketplace.care.tables import AwardedCare

    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    care_id, _ = await care_ids(await concluded_cluster(client, c, oakleaf))
    await started(client, oakleaf, care_id)
    # As if it had started 70 days ago and ended 40 days ago.
    await AwardedCare.update(
        {
            AwardedCare.actual_start: today() - timedelta(days=70),
            AwardedCare.last_care_date: today() - timedelta(days=40),
            AwardedCare.status: "ended",
        }
    ).where(AwardedCare.id == care_id)
    spend = (await client.get("/api/v1/spend", headers=bearer(c.token))).json()
    assert spend["overall"]["weekly_spend_pence"] == 0
    counted = [m for m in spend["by_month"] if m["weekly_spend_pence"]]
    # Exactly the months whose last day falls between its start and its last day of care.
    start, end = today() - timedelta(days=70), today() - timedelta(days=40)
    ends = {
        m["key"]: date(y, n, calendar.monthrange(y, n)[1])
        for m in spend["by_month"]
        for y, n in [(int(m["key"][:4]), int(m["key"][5:7]))]
    }
    assert [m["key"] for m in counted] == [k for k, day in ends.items() if start <= day <= end]
    assert counted, "70 to 40 days ago always holds a month's end"
    assert all(m["weekly_spend_pence"] == 19500 and m["packages"] == 1 for m in counted)


def figures(page: str) -> dict[str, str]:
    """The headline figures of a page, by their element's id."""
    return dict(
        re.findall(r'<p class="govuk-body app-figure" id="(spend-[a-z]+)">([^<]*)</p>', page)
    )


def element(page: str, pattern: str) -> str:
    match = re.search(pattern, page, re.S)
    assert match, f"the page has {pattern}"
    return match.group(0)


MONTH_TABLE = r'<table [^>]*id="spend-by-month".*?</table>'
CHART = r'<canvas id="spend-chart".*?id="spend-chart-data">.*?</script>'


async def test_the_commissioner_home_shows_the_spend_pages_headline_chart_and_months(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, oakleaf, not_started = await known_care(client)
    home = (await client.get("/", headers=bearer(c.token))).text
    spend = (await client.get("/spend", headers=bearer(c.token))).text
    # 12.00 h and 7.25 h at £19.50 an hour, against a maximum of £24.00.
    assert (
        figures(home)
        == figures(spend)
        == {
            "spend-weekly": "£375.38",
            "spend-hours": "19.25",
            "spend-packages": "2",
            "spend-rate": "81.25%",
        }
    )
    assert "£19.50 an hour awarded against £24.00" in element(
        home, r'id="spend-headline".*?</div>\s*</div>\s*</div>'
    )
    # The chart, its figures and the month table (its text alternative) are the spend page's.
    assert element(home, CHART) == element(spend, CHART)
    # Money, the months short on the axis and in full in the tooltip, this month's spend last.
    data = element(home, r'(?<=id="spend-chart-data">)[^<]*')
    chart = json.loads(html.unescape(data))
    assert chart["unit"] == "money" and len(chart["labels"]) == len(chart["titles"]) == 12
    this_month = today().strftime("%Y-%m")
    assert chart["labels"][-1] == month_name(this_month, short=True)
    assert chart["titles"][-1] == month_name(this_month)
    assert chart["series"][0]["values"][-1] == 375.38
    assert element(home, MONTH_TABLE) == element(spend, MONTH_TABLE)
    assert (
        f'<th scope="row" class="govuk-table__header">{month_name(today().strftime("%Y-%m"))}</th>'
        in element(home, MONTH_TABLE)
    )
    assert "£375.38" in element(home, MONTH_TABLE)
    assert 'href="/spend"' in element(home, r'<section id="spend".*?</section>')

    # The headline reads the care in a fixed number of statements, however much there is.
    with counting_queries(monkeypatch) as before:
        await client.get("/", headers=bearer(c.token))
    await started(client, oakleaf, not_started)
    with counting_queries(monkeypatch) as after:
        home = (await client.get("/", headers=bearer(c.token))).text
    assert figures(home)["spend-packages"] == "3"
    assert len(after) == len(before), (before, after)
    # Two of them: the care, then its changes of hours; two as well with no care at all.
    nobody = await commissioning("Somerset Council")
    for commissioner_id in (c.commissioner.id, nobody.commissioner.id):
        with counting_queries(monkeypatch) as headline:
            await spend_of(commissioner_id)
        assert len(headline) == 2, headline


async def test_a_provider_home_has_no_spend_headline(client: Any) -> None:
    _, oakleaf, _ = await known_care(client)
    home = await client.get("/", headers=bearer(oakleaf))
    assert home.status_code == 200
    assert '<h1 class="govuk-heading-l">' in home.text
    for mark in ('id="spend"', "spend-headline", "spend-chart", "spend-by-month", 'href="/spend"'):
        assert mark not in home.text, mark
    assert (await client.get("/spend", headers=bearer(oakleaf))).status_code == 403
