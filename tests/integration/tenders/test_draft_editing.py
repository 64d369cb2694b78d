"""A draft call-off is edited through a form page like the creation form, audited, and refused in
words once published; the cluster form's package picker filters and pages through the waiting
packages without JavaScript, keeping the chosen ones. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from marketplace.audit.tables import AuditEvent
from marketplace.tenders.call_offs import picker
from marketplace.tenders.tables import CallOff, CallOffPackage
from tests.call_off_fixtures import admitted_provider, suffix_of
from tests.integration.tenders.test_console_pages import (
    as_commissioner,
    create_through_form,
    london_in,
    post_form,
)
from tests.support import csrf_token_in


def cluster_form(c: Any, packages: list[str], **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "cluster",
        "title": "Ashford run",
        "lot_code": "CSH",
        "deadline": london_in(3),
        "package_ids": [str(c.packages[n]) for n in packages],
        "latest_start": (datetime.now(UTC).date() + timedelta(days=10)).isoformat(),
        **overrides,
    }


async def test_a_draft_is_edited_through_its_form_and_audited(client: httpx.AsyncClient) -> None:
    c = await as_commissioner(client)
    location = await create_through_form(client, cluster_form(c, ["1", "2"]))
    call_off_id = location.rsplit("/", 1)[1]
    page = (await client.get(location)).text
    assert f'href="/call-offs/{call_off_id}/edit"' in page

    form = (await client.get(f"/call-offs/{call_off_id}/edit")).text
    assert 'value="Ashford run"' in form and f'action="/call-offs/{call_off_id}/edit"' in form
    ticked = re.findall(r'name="package_ids" type="checkbox" value="([^"]+)" checked', form)
    assert sorted(ticked) == sorted(str(c.packages[n]) for n in ("1", "2"))

    edited = await post_form(
        client,
        f"/call-offs/{call_off_id}/edit",
        f"/call-offs/{call_off_id}/edit",
        cluster_form(c, ["1", "2", "3"], title="Ashford morning run"),
    )
    assert edited.status_code == 303, edited.text
    assert edited.headers["location"] == f"/call-offs/{call_off_id}"
    row = await CallOff.select(CallOff.title, CallOff.status).where(CallOff.id == call_off_id)
    assert row == [{"title": "Ashford morning run", "status": "draft"}]
    held = await CallOffPackage.select(CallOffPackage.package).where(
        CallOffPackage.call_off == call_off_id
    )
    assert {r["package"] for r in held} == {c.packages[n] for n in ("1", "2", "3")}
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "edit_call_off") & (AuditEvent.entity_id == call_off_id)
    )

    refused = await post_form(
        client,
        f"/call-offs/{call_off_id}/edit",
        f"/call-offs/{call_off_id}/edit",
        cluster_form(c, ["1"], title="Ashford morning run"),
    )
    assert refused.status_code == 422 and 'href="#package_ids"' in refused.text


async def test_a_published_call_off_cannot_be_edited_and_says_why(
    client: httpx.AsyncClient,
) -> None:
    c = await as_commissioner(client)
    await admitted_provider(c, "Oakleaf Home Care")
    location = await create_through_form(client, cluster_form(c, ["1", "2"]))
    call_off_id = location.rsplit("/", 1)[1]
    published = await post_form(client, location, f"{location}/publish", {})
    assert published.status_code == 303, published.text
    page = (await client.get(location)).text
    assert 'id="edit-draft"' not in page

    shown = await client.get(f"/call-offs/{call_off_id}/edit")
    assert shown.status_code == 409
    assert "only a draft can be edited" in shown.text
    token = csrf_token_in(page)
    refused = await client.post(
        f"/call-offs/{call_off_id}/edit",
        data={"csrf_token": token, **cluster_form(c, ["1", "2"], title="Changed")},
    )
    assert refused.status_code == 409
    assert "Only a draft can be edited" in refused.text
    titles = await CallOff.select(CallOff.title).where(CallOff.id == call_off_id)
    assert titles == [{"title": "Ashford run"}]


async def test_the_package_picker_filters_and_pages_keeping_the_chosen(
    client: httpx.AsyncClient, monkeypatch: Any
) -> None:
    c = await as_commissioner(client)
    monkeypatch.setattr(picker, "PAGE_SIZE", 2)
    form = (await client.get("/call-offs/new?kind=cluster")).text
    assert "Page 1 of 2: 4 matching packages" in form
    token = csrf_token_in(form)
    ashford = f"ASHFORD-{suffix_of(c)}"

    filtered = await client.post(
        "/call-offs/new",
        data={
            "csrf_token": token,
            **cluster_form(c, ["4"]),
            "picker_area_code": ashford,
            "picker_move": "filter",
        },
    )
    assert filtered.status_code == 200
    assert "Page 1 of 2: 3 matching packages" in filtered.text
    assert f'name="package_ids" value="{c.packages["4"]}"' in filtered.text, "kept, hidden"
    assert await CallOff.count() == 0, "moving the picker creates nothing"

    urgent = await client.post(
        "/call-offs/new",
        data={
            "csrf_token": token,
            **cluster_form(c, []),
            "picker_area_code": ashford,
            "picker_urgency": "urgent",
            "picker_move": "filter",
        },
    )
    assert "Page 1 of 1: 1 matching package" in urgent.text
    assert f"P-{suffix_of(c)}-2" in urgent.text

    second = await client.post(
        "/call-offs/new",
        data={
            "csrf_token": token,
            **cluster_form(c, ["1"]),
            "picker_area_code": ashford,
            "picker_page": "2",
        },
    )
    assert "Page 2 of 2" in second.text
    assert f'name="package_ids" value="{c.packages["1"]}"' in second.text
    assert "Chosen:" in second.text and "Previous packages" in second.text
