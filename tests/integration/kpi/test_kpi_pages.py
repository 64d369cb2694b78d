"""The KPI return pages, without JavaScript, on SQLite and PostgreSQL: the provider sees the
pre-filled values in its form, is told which value is wrong, corrects and submits; commissioner
staff see the returns received per quarter and each KPI across providers and quarters."""

from __future__ import annotations

import re
from typing import Any

from marketplace.kpi.service import open_returns
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
