"""OCDS 1.1 releases of call-offs through the public API, on SQLite and PostgreSQL: each stage
(tender, tenderUpdate, award, contract) validated offline by libcoveocds against the OCDS 1.1.5
schema kept in tests/data/ocds (0 errors), with the checks of each stage named below."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonref
import pytest
from libcoveocds import api as cove
from libcoveocds.config import LibCoveOCDSConfig

from marketplace.awards.conclusion import conclude_due_awards
from marketplace.awards.tables import Award
from marketplace.config import get_settings
from marketplace.notifications.relay import run_due_in_process
from tests.call_off_fixtures import (
    POSTCODES,
    admitted_provider,
    cluster_body,
    commissioning,
    enablement_body,
    in_days,
    pilot_body,
    suffix_of,
)
from tests.factories import bearer
from tests.integration.awards.test_awards import accepted, award, bid, close, status_of
from tests.integration.bids.test_bids import published
from tests.support_mail import Sink

STANDARD_ZIP = Path(__file__).resolve().parents[2] / "data" / "ocds" / "standard-1__1__5.zip"
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


def validation_errors(package: dict[str, Any]) -> list[Any]:
    """libcoveocds' schema validation of a release package, offline (the schema from the zip);
    every code from a closed codelist must be one of its codes."""
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = STANDARD_ZIP.as_uri()
    result = cove.ocds_json_output(
        json_data=package, lib_cove_ocds_config=config, schema_version="1.1"
    )
    assert result["version_used"] == "1.1"
    assert result["additional_closed_codelist_values"] == {}, "a code not in a closed codelist"
    return list(result["validation_errors"])


def record_validation_errors(package: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The same for a record package. libcoveocds resolves the record package schema's reference
    to the versioned release schema by its URL (through jsonref, whatever `standard_zip` says):
    here that URL is answered from the same zip, so this stays offline too."""

    def from_the_zip(uri: str) -> io.BytesIO:
        assert uri.startswith(SCHEMA_URL), f"libcoveocds asked for {uri}"
        with zipfile.ZipFile(STANDARD_ZIP) as standard:
            return io.BytesIO(standard.read(f"standard-1__1__5/schema/{uri[len(SCHEMA_URL) :]}"))

    monkeypatch.setattr(jsonref, "requests", None)
    monkeypatch.setattr(jsonref, "urlopen", from_the_zip)
    return validation_errors(package)


async def feed(client: Any, **query: str) -> dict[str, Any]:
    """The public release feed, without signing in; every page validated."""
    response = await client.get("/api/v1/ocds/releases", params=query)
    assert response.status_code == 200, response.text
    package = response.json()
    assert validation_errors(package) == []
    return package


async def releases_of(client: Any, call_off_id: str) -> list[dict[str, Any]]:
    package = await feed(client, limit="200")
    return [r for r in package["releases"] if r["ocid"].endswith(call_off_id)]


def assert_nothing_private(release: dict[str, Any], suffix: str) -> None:
    text = str(release)
    assert f"P-{suffix}-" not in text, "a package reference"
    for entry in POSTCODES:
        assert entry.postcode not in text, "a postcode"
    assert "@" not in text, "an email address"


async def test_every_stage_of_an_enablement_request_is_a_valid_ocds_release(
    client: Any, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await commissioning()
    _, oakleaf = await admitted_provider(c, "Oakleaf Home Care")
    _, birch = await admitted_provider(c, "Birch Care")
    created = await client.post(
        "/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token)
    )
    call_off_id = created.json()["id"]
    attached = await client.post(
        f"/api/v1/call-offs/{call_off_id}/documents",
        files={"file": ("specification.txt", b"Outcomes: independence at home.\n", "text/plain")},
        headers=bearer(c.token),
    )
    assert attached.status_code == 201, attached.text
    document_id = attached.json()["documents"][0]["id"]
    publishing = await client.post(
        f"/api/v1/call-offs/{call_off_id}/publish", headers=bearer(c.token)
    )
    assert publishing.status_code == 200, publishing.text
    terms = (await client.get(f"/api/v1/call-offs/{call_off_id}", headers=bearer(c.token))).json()
    envelope = terms["envelope"]["weekly_pence"]

    # tender: the ocid from the prefix, lots and items from the call-off, the maximum rate as
    # each item's unit value, the envelope as the value, the tender period, no bids, no award.
    [tender] = await releases_of(client, call_off_id)
    assert tender["ocid"] == f"ocds-213czf-{call_off_id}" and tender["tag"] == ["tender"]
    assert tender["tender"]["status"] == "active"
    assert tender["tender"]["value"] == {"amount": envelope / 100, "currency": "GBP"}
    assert [lot["id"] for lot in tender["tender"]["lots"]] == [f"ASHFORD-{suffix_of(c)}"]
    [item] = tender["tender"]["items"]
    assert item["quantity"] == 10.0 and item["unit"]["value"]["amount"] == 24.0
    assert item["relatedLot"] == f"ASHFORD-{suffix_of(c)}"
    assert datetime.fromisoformat(tender["tender"]["tenderPeriod"]["endDate"]) == (
        datetime.fromisoformat(terms["deadline"])
    )
    assert tender["buyer"]["name"] == "Kent County Council"
    assert tender["tender"]["documents"] == [
        {
            "id": document_id,
            "documentType": "biddingDocuments",
            "title": "specification.txt",
            "url": f"{get_settings().base_url}/api/v1/documents/{document_id}",
        }
    ], "documents by link"
    assert "awards" not in tender and "bids" not in tender
    assert_nothing_private(tender, suffix_of(c))

    # tenderUpdate (extension): the new deadline; sealed bids in meanwhile appear nowhere.
    await bid(client, call_off_id, oakleaf, accepted(1900))
    await bid(client, call_off_id, birch, accepted(1850))
    later = in_days(5)
    extended = await client.patch(
        f"/api/v1/call-offs/{call_off_id}",
        json={"deadline": later},
        headers=bearer(c.token),
    )
    assert extended.status_code == 200, extended.text
    [_, update] = await releases_of(client, call_off_id)
    assert update["tag"] == ["tenderUpdate"]
    assert datetime.fromisoformat(update["tender"]["tenderPeriod"]["endDate"]) == (
        datetime.fromisoformat(later)
    )
    for release in (tender, update):
        assert "19.0" not in str(release) and "18.5" not in str(release), "a sealed rate"

    # award (when the award notice is sent): the supplier and its weekly value, the bids as
    # counts only.
    await close(call_off_id)
    confirmed = await award(client, c, call_off_id)
    assert confirmed.status_code == 200, confirmed.text
    assert len(await releases_of(client, call_off_id)) == 2, "no award release before the notice"
    await run_due_in_process()
    [_, _, awarded] = await releases_of(client, call_off_id)
    assert awarded["tag"] == ["award"]
    [line] = awarded["awards"]
    assert line["suppliers"][0]["name"] == "Birch Care"
    assert line["value"] == {"amount": 185.0, "currency": "GBP"}, "£18.50/h for 10 hours a week"
    assert awarded["bids"] == {
        "statistics": [
            {"id": "bids", "measure": "bids", "value": 2, "date": awarded["date"]},
        ]
    }
    assert awarded["tender"]["numberOfTenderers"] == 2
    assert "Oakleaf" not in str(awarded), "a losing bidder is only counted"
    assert_nothing_private(awarded, suffix_of(c))

    # contract (at conclusion): a contract for the award.
    await Award.update(
        {Award.standstill_ends_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
    )
    assert await conclude_due_awards() == 1
    [*_, contract] = await releases_of(client, call_off_id)
    assert contract["tag"] == ["contract"]
    assert contract["contracts"][0]["awardID"] == line["id"]
    assert contract["contracts"][0]["value"] == line["value"]

    # The record package: every release and the compiled release, public.
    record = await client.get(f"/api/v1/call-offs/{call_off_id}/ocds")
    assert record.status_code == 200, record.text
    [one] = record.json()["records"]
    assert [r["tag"] for r in one["releases"]] == [
        ["tender"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
    ]
    compiled = one["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["items"] == tender["tender"]["items"]
    assert {p["name"] for p in compiled["parties"]} == {"Kent County Council", "Birch Care"}
    assert record_validation_errors(record.json(), monkeypatch) == []


async def test_a_cluster_without_standstill_has_one_award_release_then_its_contract(
    client: Any,
) -> None:
    c = await commissioning()
    _, slow = await admitted_provider(c, "Slow Start Care")
    _, quick = await admitted_provider(c, "Quick Start Care")
    call_off_id = await published(client, c, cluster_body(c, standstill_working_days=0))
    start = date.today() + timedelta(days=3)
    await bid(
        client,
        call_off_id,
        slow,
        {"hourly_rate_pence": 1900, "mobilisation_date": str(start + timedelta(days=2))},
    )
    await bid(
        client, call_off_id, quick, {"hourly_rate_pence": 2000, "mobilisation_date": str(start)}
    )
    await close(call_off_id)
    assert (await award(client, c, call_off_id)).status_code == 200
    await run_due_in_process()
    assert await status_of(client, c, call_off_id) == "concluded"

    # tender (three packages in one area, its lot), award (once, whichever of the notice and the
    # conclusion ran first), contract (promising the winner's mobilisation date).
    tender, awarded, contract = await releases_of(client, call_off_id)
    assert [r["tag"] for r in (tender, awarded, contract)] == [["tender"], ["award"], ["contract"]]
    assert len(tender["tender"]["items"]) == 3 and len(tender["tender"]["lots"]) == 1
    assert {i["relatedLot"] for i in tender["tender"]["items"]} == {
        lot["id"] for lot in tender["tender"]["lots"]
    }
    [line] = awarded["awards"]
    assert line["suppliers"][0]["name"] == "Quick Start Care"
    assert sorted(line["relatedLots"]) == sorted(lot["id"] for lot in tender["tender"]["lots"])
    assert awarded["bids"]["statistics"][0]["value"] == 2
    [signed] = contract["contracts"]
    assert signed["awardID"] == line["id"] and str(start) in signed["description"]
    assert_nothing_private(contract, suffix_of(c))


async def test_the_release_feed_pages_and_starts_from_since(client: Any) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    first = await published(client, c, enablement_body(c))
    middle = datetime.now(UTC)
    second = await published(client, c, enablement_body(c, package_ids=[str(c.packages["3"])]))
    response = await client.get("/api/v1/ocds/releases", params={"limit": "1"})
    page = response.json()
    assert [r["ocid"][-36:] for r in page["releases"]] == [first]
    assert response.headers["link"] == f'<{page["links"]["next"]}>; rel="next"'
    following = await client.get(
        urlsplit(page["links"]["next"])._replace(scheme="", netloc="").geturl()
    )
    assert following.status_code == 200
    assert [r["ocid"][-36:] for r in following.json()["releases"]] == [second]
    since = await feed(client, since=middle.isoformat())
    assert [r["ocid"][-36:] for r in since["releases"]] == [second]
    for since, status, field_error in [
        ("yesterday", 400, None),
        ("2026-11-01T00:00:00", 400, "no_offset"),
        ("9999-12-31T23:59:59-23:59", 422, "out_of_range"),
    ]:
        bad = await client.get("/api/v1/ocds/releases", params={"since": since})
        assert bad.status_code == status, (since, bad.text)
        assert [e["field"] for e in bad.json()["errors"]] == ["since"], bad.text
        if field_error:
            assert bad.json()["errors"][0]["code"] == field_error


async def test_a_cancellation_is_a_valid_tender_update_and_a_draft_has_no_record(
    client: Any,
) -> None:
    c = await commissioning()
    await admitted_provider(c, "Oakleaf Home Care")
    call_off_id = await published(client, c, pilot_body(c))
    attached = await client.post(
        f"/api/v1/call-offs/{call_off_id}/documents",
        files={"file": ("map.txt", b"Pilot areas.\n", "text/plain")},
        headers=bearer(c.token),
    )
    assert attached.status_code == 201, attached.text
    cancelled = await client.post(
        f"/api/v1/call-offs/{call_off_id}/cancel",
        json={"reason": "Funding withdrawn"},
        headers=bearer(c.token),
    )
    assert cancelled.status_code == 200, cancelled.text
    [tender, documents, update] = await releases_of(client, call_off_id)
    assert tender["tag"] == ["tender"] and tender["tender"]["documents"] == []
    assert documents["tag"] == ["tenderUpdate"]
    assert [d["title"] for d in documents["tender"]["documents"]] == ["map.txt"]
    assert update["tag"] == ["tenderUpdate"]
    assert update["tender"]["status"] == "cancelled"
    assert {lot["status"] for lot in update["tender"]["lots"]} == {"cancelled"}
    assert len(update["tender"]["items"]) == len(update["tender"]["lots"]), "one per pilot area"
    assert "Funding withdrawn" not in str(update), "a free-text reason is not published"

    draft = await client.post("/api/v1/call-offs", json=enablement_body(c), headers=bearer(c.token))
    missing = await client.get(f"/api/v1/call-offs/{draft.json()['id']}/ocds")
    assert missing.status_code == 404

    page = await client.get("/notices")
    assert page.status_code == 200
    for words in ("Call-off published", "Document added", "Call-off cancelled"):
        assert words in page.text
    assert str(call_off_id) in page.text
