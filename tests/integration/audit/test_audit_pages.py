"""The audit log's pages: a commissioner's staff read the events filed under their organisation
(an admin all), in words, filtered, a page at a time, each with its seal checked; a change made
to a sealed event shows; the whole chain's check; providers are refused."""

from __future__ import annotations

import re
from typing import Any

from marketplace.accounts import schemas
from marketplace.accounts.service import update_organisation
from marketplace.admissions.blocks import block
from marketplace.admissions.schemas import BlockCreate
from marketplace.audit.sealing import seal_audit_log
from marketplace.audit.tables import AuditEvent
from tests.factories import make_admin, make_organisation, make_user, principal_of
from tests.integration.audit.test_audit import as_operator
from tests.support import sign_in


async def _commissioner_with_history() -> tuple[Any, Any]:
    kent = await make_organisation("commissioner", name="Kent County Council")
    officer, _ = await make_user(kent.id, "commissioner")
    provider = await make_organisation("provider", name="Oakleaf Home Care")
    await update_organisation(
        principal_of(officer, kent),
        provider.id,
        schemas.OrganisationUpdate(enforcement_pending=True),
    )
    await block(
        principal_of(officer, kent),
        BlockCreate(provider_id=provider.id, reason="Safeguarding inquiry"),
    )
    return kent, officer


async def test_a_commissioner_reads_its_own_events_in_words_with_their_seals(client: Any) -> None:
    _, officer = await _commissioner_with_history()
    other = await make_organisation("commissioner", name="Dorset Council")
    await make_user(other.id, "commissioner")
    await seal_audit_log()
    await sign_in(client, officer.email)
    page = await client.get("/audit")
    assert page.status_code == 200
    assert "User added" in page.text and "Signed in" in page.text
    assert "Sealed, unchanged" in page.text and "Not sealed yet" in page.text
    table = page.text.split('id="events"')[1]
    # The provider's id in the details is shown by its name.
    assert "Provider blocked" in table and "Oakleaf Home Care" in table
    assert "create_user" not in table and "{&#34;" not in table
    # Dorset's events are not Kent's to read.
    assert "Dorset Council" not in page.text.split('id="events"')[1]
    filtered = await client.get("/audit", params={"action": "sign_in"})
    rows = re.findall(r'<tr class="govuk-table__row" id="event-\d+">', filtered.text)
    assert len(rows) == 1 and "User added" not in filtered.text.split('id="events"')[1]


async def test_an_admin_reads_every_event_a_page_at_a_time_and_sees_a_changed_one(
    client: Any,
) -> None:
    await _commissioner_with_history()
    admin, _ = await make_admin()
    await seal_audit_log()
    created = await AuditEvent.select().where(AuditEvent.action == "create_organisation").first()
    await as_operator(
        "UPDATE audit_event SET details = {} WHERE id = {}", '{"name":"Forged"}', created["id"]
    )
    await sign_in(client, admin.email)
    page = await client.get("/audit")
    assert "Changed after sealing" in page.text
    assert "Forged" in page.text and "Oakleaf Home Care" in page.text
    assert "Organisation changed" in page.text and "from no to yes" in page.text
    first = re.findall(r'id="event-(\d+)"', page.text)
    total = await AuditEvent.count()
    assert len(first) == min(total, 50)
    if total > 50:
        older = await client.get(
            re.search(r'href="(/audit\?[^"]+cursor=[^"]+)"', page.text)[1].replace("&amp;", "&")
        )
        assert not set(re.findall(r'id="event-(\d+)"', older.text)) & set(first)
    check = await client.get("/audit/verification")
    assert check.status_code == 200
    assert 'data-state="broken"' in check.text and "was changed after it was sealed" in check.text


async def test_the_chain_check_says_it_is_unbroken_and_providers_may_not_read_the_log(
    client: Any,
) -> None:
    _, officer = await _commissioner_with_history()
    await seal_audit_log()
    await sign_in(client, officer.email)
    check = await client.get("/audit/verification")
    assert 'data-state="ok"' in check.text and "The chain is unbroken" in check.text
    assert "sealed events in" not in check.text  # the counts are every organisation's
    bad = await client.get("/audit", params={"cursor": "not a cursor", "action": "nonsense"})
    assert bad.status_code == 400 and "govuk-heading-l" in bad.text
    client.cookies.clear()
    provider = await make_organisation("provider")
    staff, _ = await make_user(provider.id, "provider")
    await sign_in(client, staff.email)
    assert (await client.get("/audit")).status_code == 403
    assert (await client.get("/audit/verification")).status_code == 403
