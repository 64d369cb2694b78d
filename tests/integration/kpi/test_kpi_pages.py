"""The KPI return pages, without JavaScript, on SQLite and PostgreSQL: the provider sees the
pre-filled values in its form, is told which value is wrong, corrects and submits; commissioner
staff see the returns received per quarter and each KPI across providers and quarters."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from marketplace.kpi.pages import chart_of
from marketplace.kpi.rules import Quarter
from marketplace.kpi.service import MeasureTable, open_returns
from marketplace.web.charts import ChartData, Series
from tests.factories import bearer
from tests.integration.care.test_care_pages import error_summary, post_form, signed_in
from tests.integration.kpi.test_kpi_returns import Q3, recorded_quarter


async def test_the_provider_completes_and_submits_its_return_in_pages(client: Any) -> None:
    s = await recorded_quarter(client)
    await open_returns(Q3)
    await signed_in(client, s["oakleaf"].id, "provider")
    listed = await client.get("/kpi-returns")
    assert listed.status_code == 200
    assert "Quarter 3 2026" in listed.text and "Overdue" in listed.text
    path = listed.text.split('href="/kpi-returns/', 1)[1].split('"', 1)[0]
    page = f"/kpi-returns/{path}"
    form = (await client.get(page)).text
    r1 = re.search(r'<input[^>]*name="value-R1"[^>]*>', form)
    assert r1 is not None and 'value="2"' in r1.group(0), "the pre-filled count is in the form"
    assert "Pre-filled from what the marketplace records: 1 (We cannot staff the calls (1))" in form

    fields = {"value-R1": "3", "value-R5": "101", "value-R6": "90", "value-R8": "75"}
    fields |= {"value-R2": "1", "reasons-R2": "Our carers are on training that week (1)"}
    wrong = await post_form(client, page, page, {**fields, "action": "submit"})
    assert wrong.status_code == 400
    assert [href for href, _ in error_summary(wrong.text)] == ["#value-R5"]
    assert 'value="101"' in wrong.text, "what was typed is kept"

    fields["value-R5"] = "95"
    saved = await post_form(client, page, page, {**fields, "action": "save"})
    assert saved.status_code == 303
    submitted = await post_form(client, page, page, {**fields, "action": "submit"})
    assert submitted.status_code == 303
    shown = (await client.get(page)).text
    assert "Submitted" in shown and "SHA-256" in shown and 'id="kpi-form"' not in shown
    assert "Corrected" in shown

    client.cookies.clear()
    await signed_in(client, s["c"].commissioner.id, "commissioner")
    quarters = (await client.get("/kpi-returns")).text
    row = quarters.split('id="kpi-quarters"', 1)[1].split("Quarter 3 2026", 1)[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('numeric">')[1:]] == ["1", "0", "0"]
    tables = (await client.get("/kpi-returns/measures")).text
    r1 = tables.split('id="kpi-care-and-support-at-home-R1"', 1)[1].split("</table>", 1)[0]
    assert "Q3 2026" in r1 and "Oakleaf Home Care" in r1 and ">3<" in r1
    r5 = tables.split('id="kpi-care-and-support-at-home-R5"', 1)[1].split("</table>", 1)[0]
    assert ">95%<" in r5


Q4 = Quarter(2026, 4)


async def submitted(client: Any, token: str, return_id: str, values: dict[str, str]) -> None:
    """The provider gives these values (and any the pre-fill left empty: 50) and submits."""
    path = f"/api/v1/kpi-returns/{return_id}"
    shown = (await client.get(path, headers=bearer(token))).json()
    given = {a["reference"]: "50" for a in shown["answers"] if a["prefilled_value"] is None}
    given |= values
    answers = [{"reference": r, "value": v} for r, v in given.items()]
    answered = await client.put(f"{path}/answers", json={"answers": answers}, headers=bearer(token))
    assert answered.status_code == 200, answered.text
    done = await client.post(f"{path}/submit", headers=bearer(token))
    assert done.status_code == 200, done.text


async def two_quarters(client: Any, *, submit_q4: bool = True) -> dict[str, Any]:
    """Oakleaf's returns on CSH for Q3 2026 (submitted) and Q4 2026 (submitted unless told
    otherwise: then open), its Q3 R1 corrected from the pre-filled 2 to 3."""
    s = await recorded_quarter(client)
    await open_returns(Q3)
    await open_returns(Q4)
    listed = (await client.get("/api/v1/kpi-returns", headers=bearer(s["token"]))).json()
    ids = {(r["year"], r["quarter"]): r["id"] for r in listed}
    await submitted(client, s["token"], ids[2026, 3], {"R1": "3", "R5": "95", "R6": "87.5"})
    if submit_q4:
        await submitted(client, s["token"], ids[2026, 4], {"R5": "100", "R6": "60"})
    return {**s, "q3": ids[2026, 3], "q4": ids[2026, 4]}


def table_cells(html: str, table_id: str) -> list[tuple[str, list[str]]]:
    """A table's rows: its row heading and its cells' text."""
    table = re.split(f'<table class="govuk-table[^"]*" id="{table_id}">', html, maxsplit=1)[
        1
    ].split("</table>")[0]
    body = table.split("<tbody", 1)[1]
    rows = []
    for row in body.split("<tr")[1:]:
        heading = re.search(r"<th[^>]*>([^<]*)</th>", row)
        assert heading is not None
        rows.append((heading[1], re.findall(r"<td[^>]*>([^<]*)</td>", row)))
    return rows


async def test_each_kpi_chart_draws_the_figures_of_its_table(client: Any) -> None:
    s = await two_quarters(client)
    await signed_in(client, s["c"].commissioner.id, "commissioner")
    page = (await client.get("/kpi-returns/measures")).text
    charts = re.findall(
        r'<script type="application/json" id="(kpi-[^"]+)-chart-data">([^<]*)</script>', page
    )
    assert [table_id.rsplit("-", 1)[1] for table_id, _ in charts] == [f"R{n}" for n in range(1, 9)]
    for table_id, data in charts:
        chart = json.loads(html.unescape(data))
        assert f'aria-details="{table_id}"' in page, "the chart names its table"
        assert chart["kind"] == "bar" and chart["labels"] == ["Q3 2026", "Q4 2026"]
        cells = table_cells(page, table_id)
        assert [series["label"] for series in chart["series"]] == [p for p, _ in cells]
        for series, (_, row) in zip(chart["series"], cells, strict=True):
            assert series["values"] == [float(v.rstrip("%")) for v in row], table_id
    r1 = next(json.loads(html.unescape(d)) for t, d in charts if t.endswith("-R1"))
    assert r1["series"][0]["values"] == [3.0, 0.0] and r1["unit"] == "count"
    r6 = next(json.loads(html.unescape(d)) for t, d in charts if t.endswith("-R6"))
    assert r6["series"][0]["values"] == [87.5, 60.0] and r6["unit"] == "percentage"
    scripts = re.findall(r'<script src="/static/(chart|charts)\.[0-9a-f]{12}\.', page)
    assert scripts == ["chart", "charts"], "Chart.js and the charts' script, once"


def test_a_kpi_in_words_has_a_table_and_no_chart() -> None:
    table = MeasureTable("Roaming Nights", "R3", "Area", "text", ["Q3 2026"], [("A", ["Poole"])])
    assert chart_of(table) is None
    counts = MeasureTable(
        "Roaming Nights", "R2", "Admissions", "count", ["Q3 2026"], [("A", ["4"])]
    )
    assert chart_of(counts) == ChartData(
        "bar", ["Q3 2026"], [Series("A", [4.0])], "Number", "count"
    )
