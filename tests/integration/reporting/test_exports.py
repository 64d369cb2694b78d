"""The exports through the whole ASGI app, on SQLite and PostgreSQL: a download holds the rows its
page lists under the same filters and no other commissioner's; the XLSX holds the CSV's rows; the
API pages the same CSV with a Link header."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl

from marketplace.accounts.tables import Organisation
from marketplace.kpi.tables import KpiAnswer, KpiReturn
from tests.call_off_fixtures import admitted_provider, commissioning, suffix_of
from tests.care_fixtures import care_ids, concluded_cluster
from tests.factories import bearer
from tests.integration.kpi.test_kpi_pages import two_quarters


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The sheet's rows as text: numbers as floats, blanks empty."""
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [
        ["" if v is None else v if isinstance(v, str) else str(float(v)) for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def same_numbers(rows: list[list[str]]) -> list[list[str]]:
    """CSV cells that are numbers, normalised as the XLSX's are."""
    return [
        [str(float(Decimal(v))) if re.fullmatch(r"-?\d+(\.\d+)?", v) else v for v in row]
        for row in rows
    ]


async def test_the_waiting_list_download_holds_the_filtered_page_and_no_other_commissioners(
    client: Any,
) -> None:
    c = await commissioning()
    other = await commissioning("Dorset Council")
    area = f"ASHFORD-{suffix_of(c)}"
    listed = await client.get(
        "/api/v1/packages",
        params={"status": "waiting", "area_code": area, "limit": 200},
        headers=bearer(c.token),
    )
    expected = [p["reference"] for p in listed.json()["items"]]
    assert len(expected) == 3

    answer = await client.get(
        f"/exports/waiting-list.csv?area_code={area}", headers=bearer(c.token)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="waiting-list.csv"' in answer.headers["content-disposition"]
    rows = csv_rows(answer.text)
    assert rows[0][:3] == ["Reference", "Area", "Weekly hours"]
    assert [r[0] for r in rows[1:]] == expected
    assert {r[1] for r in rows[1:]} == {area}

    everything = csv_rows(
        (await client.get("/exports/waiting-list.csv", headers=bearer(c.token))).text
    )
    theirs = csv_rows(
        (await client.get("/exports/waiting-list.csv", headers=bearer(other.token))).text
    )
    assert len(everything) == 5 and len(theirs) == 5
    assert not {r[0] for r in everything[1:]} & {r[0] for r in theirs[1:]}

    page = await client.get(f"/waiting-list?area_code={area}", headers=bearer(c.token))
    assert f'href="/exports/waiting-list.csv?area_code={area}"' in page.text
    assert f'href="/exports/waiting-list.xlsx?area_code={area}"' in page.text

    workbook = await client.get(
        f"/exports/waiting-list.xlsx?area_code={area}", headers=bearer(c.token)
    )
    assert workbook.status_code == 200
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx_rows(workbook.content) == same_numbers(rows)


async def test_the_care_download_as_xlsx_holds_the_csv_rows_and_only_the_commissioners_care(
    client: Any,
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    mine = await care_ids(await concluded_cluster(client, c, token))
    other = await commissioning("Dorset Council")
    _, their_token = await admitted_provider(other, "Dorset Care")
    theirs = await care_ids(await concluded_cluster(client, other, their_token))

    text = (await client.get("/exports/care.csv", headers=bearer(c.token))).text
    rows = csv_rows(text)
    assert sorted(r[0] for r in rows[1:]) == sorted(str(i) for i in mine)
    assert not {r[0] for r in rows[1:]} & {str(i) for i in theirs}
    workbook = await client.get("/exports/care.xlsx", headers=bearer(c.token))
    assert xlsx_rows(workbook.content) == same_numbers(rows)

    provider = await client.get("/exports/care.csv", headers=bearer(token))
    assert provider.status_code == 403
    unknown = await client.get("/exports/care.pdf", headers=bearer(c.token))
    assert unknown.status_code == 404


async def test_the_api_pages_an_export_as_csv_with_a_link_to_the_next_page(client: Any) -> None:
    c = await commissioning()
    whole = csv_rows((await client.get("/exports/waiting-list.csv", headers=bearer(c.token))).text)
    url: str | None = "/api/v1/exports/waiting-list?limit=3"
    pages = []
    while url:
        answer = await client.get(url, headers=bearer(c.token))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/csv")
        pages.append(csv_rows(answer.text))
        link = answer.headers.get("link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link)[1] if link else None  # type: ignore[index]
    assert [len(p) for p in pages] == [4, 2]
    assert all(p[0] == whole[0] for p in pages)
    assert [r for p in pages for r in p[1:]] == whole[1:]
    forged = await client.get(
        "/api/v1/exports/call-offs?cursor=bm90LWEtZGF0ZQ", headers=bearer(c.token)
    )
    assert forged.status_code == 400 and forged.json()["errors"][0]["field"] == "cursor"
    too_many = await client.get("/api/v1/exports/waiting-list?limit=0", headers=bearer(c.token))
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["field"] == "limit"


async def test_a_call_offs_evaluation_and_award_download_to_their_commissioner_only(
    client: Any,
) -> None:
    c = await commissioning()
    _, token = await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await concluded_cluster(client, c, token)
    other = await commissioning("Dorset Council")

    award = csv_rows(
        (
            await client.get(
                f"/exports/award.csv?call_off_id={call_off_id}", headers=bearer(c.token)
            )
        ).text
    )
    assert award[0][:4] == ["Bid", "Provider", "Area", "Hourly rate (pence)"]
    assert [(r[1], r[3]) for r in award[1:]] == [("Oakleaf Home Care", "1950")]
    evaluation = await client.get(
        f"/exports/evaluation.xlsx?call_off_id={call_off_id}", headers=bearer(c.token)
    )
    rows = xlsx_rows(evaluation.content)
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [("Oakleaf Home Care", "yes", "yes")]
    page = await client.get(f"/call-offs/{call_off_id}/evaluation", headers=bearer(c.token))
    assert f'href="/exports/evaluation.csv?call_off_id={call_off_id}"' in page.text

    theirs = await client.get(
        f"/exports/award.csv?call_off_id={call_off_id}", headers=bearer(other.token)
    )
    assert theirs.status_code == 404
    missing = await client.get("/exports/evaluation.csv", headers=bearer(c.token))
    assert missing.status_code == 422
    in_api = await client.get("/api/v1/exports/evaluation", headers=bearer(c.token))
    assert in_api.status_code == 422
    assert in_api.json()["errors"][0]["field"] == "call_off_id"


async def test_the_placements_download_holds_every_placement_and_the_api_pages_them(
    client: Any,
) -> None:
    c = await commissioning()
    for n in ("1", "2", "3"):
        placed = await client.post(
            f"/api/v1/packages/{c.packages[n]}/off-framework",
            json={
                "lot_code": "CSH",
                "supplier_name": f"Harbour Spot Care {n}",
                "hourly_rate_pence": 2650,
                "weekly_hours": "10.50",
                "start_date": "2026-12-07",
                "reason": "No framework provider could take the package",
                "override_reason": "Hospital discharge tomorrow",
            },
            headers=bearer(c.token),
        )
        assert placed.status_code == 201, placed.text
    whole = csv_rows((await client.get("/exports/placements.csv", headers=bearer(c.token))).text)
    assert sorted(r[2] for r in whole[1:]) == [f"Harbour Spot Care {n}" for n in "123"]
    first = await client.get("/api/v1/exports/placements?limit=2", headers=bearer(c.token))
    link = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["link"])
    assert link is not None
    second = await client.get(link[1], headers=bearer(c.token))
    assert "link" not in second.headers
    assert csv_rows(first.text)[1:] + csv_rows(second.text)[1:] == whole[1:]
    other = await commissioning("Dorset Council")
    theirs = csv_rows(
        (await client.get("/exports/placements.csv", headers=bearer(other.token))).text
    )
    assert theirs == whole[:1]


async def test_the_kpi_returns_download_holds_a_row_per_return_and_kpi_filtered_as_the_page(
    client: Any,
) -> None:
    s = await two_quarters(client, submit_q4=False)
    c = s["c"]
    rows = csv_rows((await client.get("/exports/kpi-returns.csv", headers=bearer(c.token))).text)
    assert rows[0][:7] == ["Return", "Provider", "Lot", "Quarter", "Due", "Status", "KPI reference"]
    body = rows[1:]
    assert [(r[3], r[6]) for r in body] == [
        (q, f"R{n}") for q in ("2026-Q4", "2026-Q3") for n in range(1, 9)
    ], "latest quarter first, each return's KPIs in the template's order"
    heading = rows[0]
    q3_r1 = dict(zip(heading, body[8], strict=True))
    assert q3_r1["Provider"] == "Oakleaf Home Care" and q3_r1["Status"] == "submitted"
    assert (q3_r1["Pre-filled value"], q3_r1["Value"], q3_r1["Corrected"]) == ("2", "3", "yes")
    assert len(q3_r1["SHA-256"]) == 64 and q3_r1["Submitted"]
    assert {r[5] for r in body[:8]} == {"open"}, "Q4 is not yet due"

    workbook = await client.get("/exports/kpi-returns.xlsx", headers=bearer(c.token))
    assert workbook.status_code == 200
    assert xlsx_rows(workbook.content) == same_numbers(rows)

    query = f"lot=CSH&quarter=2026-Q3&provider_id={s['oakleaf'].id}&status=submitted"
    filtered = csv_rows(
        (await client.get(f"/exports/kpi-returns.csv?{query}", headers=bearer(c.token))).text
    )
    assert filtered == rows[:1] + body[8:]
    for other_filter in ("quarter=2026-Q2", "status=overdue", "lot=NIGHTS"):
        none = await client.get(f"/exports/kpi-returns.csv?{other_filter}", headers=bearer(c.token))
        assert csv_rows(none.text) == rows[:1], other_filter
    page = await client.get(f"/kpi-returns?{query}", headers=bearer(c.token))
    assert f'href="/exports/kpi-returns.xlsx?{query.replace("&", "&amp;")}"' in page.text
    assert page.text.count('id="return-') == 1

    # A second return in Q3 (Birch's, open), so that the pages also cross two returns of one quarter.
    oakleaf_q3 = await KpiReturn.select().where(KpiReturn.id == s["q3"]).first()
    birch = (
        await Organisation.select(Organisation.id).where(Organisation.name == "Birch Care").first()
    )
    assert oakleaf_q3 is not None and birch is not None
    birch_q3 = KpiReturn(
        **{
            k: v
            for k, v in oakleaf_q3.items()
            if k in ("commissioner", "lot", "year", "quarter", "due_on")
        },
        provider=birch["id"],
        status="open",
    )
    await birch_q3.save()
    for answer in await KpiAnswer.select(KpiAnswer.measure).where(KpiAnswer.kpi_return == s["q3"]):
        await KpiAnswer(kpi_return=birch_q3.id, measure=answer["measure"]).save()
    body = csv_rows((await client.get("/exports/kpi-returns.csv", headers=bearer(c.token))).text)[
        1:
    ]
    assert len(body) == 24 and sorted({r[1] for r in body[8:]}) == [
        "Birch Care",
        "Oakleaf Home Care",
    ]

    url: str | None = "/api/v1/exports/kpi-returns?limit=5"
    pages = []
    while url:
        answer = await client.get(url, headers=bearer(c.token))
        assert answer.status_code == 200, answer.text
        pages.append(csv_rows(answer.text)[1:])
        link = answer.headers.get("link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link)[1] if link else None  # type: ignore[index]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 4]
    assert [r for p in pages for r in p] == body
    forged = await client.get(
        "/api/v1/exports/kpi-returns?cursor=bm90LWEta2V5", headers=bearer(c.token)
    )
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "cursor"

    other = await commissioning("Dorset Council")
    theirs = await client.get("/exports/kpi-returns.csv", headers=bearer(other.token))
    assert csv_rows(theirs.text) == rows[:1], "another commissioner's returns are never read"
    provider = await client.get("/exports/kpi-returns.csv", headers=bearer(s["token"]))
    assert provider.status_code == 403
