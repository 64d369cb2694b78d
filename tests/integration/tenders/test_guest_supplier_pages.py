"""The console's side of guest suppliers (docs/design.md 3.5): registering one, with every field's
problem shown at once, and choosing who a wider call-off invites on its form."""

from __future__ import annotations

import httpx

from tests.call_off_fixtures import admitted_provider
from tests.factories import bearer
from tests.integration.tenders.test_console_pages import (
    as_commissioner,
    create_through_form,
    enablement_form,
    error_summary,
    post_form,
)


async def test_a_guest_supplier_is_registered_through_the_console(
    client: httpx.AsyncClient,
) -> None:
    await as_commissioner(client)
    page = await client.get("/guest-suppliers")
    assert page.status_code == 200 and "You have not registered any guest suppliers" in page.text
    registered = await post_form(
        client,
        "/guest-suppliers",
        "/guest-suppliers",
        {
            "name": "Harbour Home Care",
            "cqc_location_id": "1-1234567",
            "contact_email": "a@h.example",
        },
    )
    assert registered.status_code == 303
    shown = await client.get(registered.headers["location"])
    assert "Harbour Home Care is registered" in shown.text and "a@h.example" in shown.text


async def test_the_registration_form_names_every_problem_at_once(
    client: httpx.AsyncClient,
) -> None:
    await as_commissioner(client)
    refused = await post_form(
        client,
        "/guest-suppliers",
        "/guest-suppliers",
        {"name": " ", "cqc_location_id": "CQC", "contact_email": "nobody"},
    )
    assert refused.status_code == 400
    summary = error_summary(refused.text)
    for href, words in (
        ("#name", "Enter the supplier&#39;s name"),
        ("#cqc_location_id", "Enter a CQC location ID in the format 1-123456789"),
        ("#contact_email", "Enter an email address in the format name@example.com"),
    ):
        assert href in summary and words in summary, words


async def test_the_wider_form_offers_admitted_providers_and_guests_to_choose(
    client: httpx.AsyncClient,
) -> None:
    c = await as_commissioner(client)
    provider, _ = await admitted_provider(c, "Canterbury Carers", areas=("CANTERBURY",))
    await post_form(
        client,
        "/guest-suppliers",
        "/guest-suppliers",
        {
            "name": "Harbour Home Care",
            "cqc_location_id": "1-1234567",
            "contact_email": "a@h.example",
        },
    )
    [guest] = (await client.get("/api/v1/guest-suppliers", headers=bearer(c.token))).json()
    form = (await client.get("/call-offs/new?kind=enablement&sourcing=wider")).text
    assert 'name="invitee_ids"' in form
    assert f'value="{provider.id}"' in form and f'value="{guest["id"]}"' in form
    assert "Guest supplier, a@h.example" in form and "Admitted to CSH" in form
    location = await create_through_form(
        client, enablement_form(c, sourcing="wider", invitee_ids=[guest["id"]])
    )
    shown = (await client.get(f"/api/v1{location}", headers=bearer(c.token))).json()
    assert shown["invitee_ids"] == [guest["id"]]
    assert "Only those chosen (1)" in (await client.get(location)).text
    framework = await create_through_form(
        client, enablement_form(c, sourcing="framework", invitee_ids=[guest["id"]])
    )
    shown = (await client.get(f"/api/v1{framework}", headers=bearer(c.token))).json()
    assert shown["invitee_ids"] is None, "a hidden reveal's ticks do not count"
