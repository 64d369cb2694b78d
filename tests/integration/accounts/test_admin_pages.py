"""The admin's pages for organisations and users: create an organisation (every field error at
once), add a user with a role its kind allows, deactivate one (who can no longer sign in) and
reactivate them, all audited; nobody but an admin reaches them."""

from __future__ import annotations

import re
from typing import Any

from marketplace.audit.tables import AuditEvent
from tests.factories import PASSWORD, bearer, make_admin, make_organisation, make_user
from tests.support import csrf_token_in, sign_in


async def _admin(client: Any) -> Any:
    admin, _ = await make_admin()
    await sign_in(client, admin.email)
    return admin


async def test_an_admin_creates_a_provider_and_adds_its_first_user(client: Any) -> None:
    await _admin(client)
    form = await client.get("/admin/organisations/new")
    token = csrf_token_in(form.text)
    refused = await client.post(
        "/admin/organisations/new", data={"csrf_token": token, "cqc_location_id": "x"}
    )
    assert refused.status_code == 400
    assert re.findall(r'href="#(kind|name)"', refused.text) == ["kind", "name"]
    bad_id = await client.post(
        "/admin/organisations/new",
        data={"csrf_token": token, "kind": "provider", "name": "Oakleaf", "cqc_location_id": "x"},
    )
    assert bad_id.status_code == 400 and "Enter the CQC location ID like 1-123456789" in bad_id.text
    created = await client.post(
        "/admin/organisations/new",
        data={
            "csrf_token": token,
            "kind": "provider",
            "name": "Oakleaf Home Care",
            "cqc_location_id": "1-123456789",
            "cqc_rating": "good",
        },
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"].split("?")[0]
    page = await client.get(path)
    assert "Oakleaf Home Care" in page.text and "Good" in page.text
    no_user = await client.post(f"{path}/users", data={"csrf_token": token})
    assert no_user.status_code == 400
    assert re.findall(r'href="#(email|password)"', no_user.text) == ["email", "password"]
    added = await client.post(
        f"{path}/users",
        data={
            "csrf_token": token,
            "email": "Jo@Oakleaf.example",
            "role": "provider",
            "password": PASSWORD,
        },
    )
    assert added.status_code == 303
    listed = await client.get(path)
    assert "jo@oakleaf.example" in listed.text and "Care provider&#39;s staff" in listed.text
    again = await client.post(
        f"{path}/users",
        data={
            "csrf_token": token,
            "email": "jo@oakleaf.example",
            "role": "provider",
            "password": PASSWORD,
        },
    )
    assert again.status_code == 422 and "is already in use" in again.text
    index = await client.get("/admin/organisations")
    assert "Oakleaf Home Care" in index.text and "Care provider" in index.text
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert "create_organisation" in actions and "create_user" in actions


async def test_a_deactivated_user_cannot_sign_in_or_use_a_token_until_reactivated(
    client: Any,
) -> None:
    provider = await make_organisation("provider", name="Oakleaf")
    user, token = await make_user(provider.id, "provider")
    assert (await client.get("/api/v1/admissions", headers=bearer(token))).status_code == 200
    await _admin(client)
    page = await client.get(f"/admin/organisations/{provider.id}")
    csrf = csrf_token_in(page.text)
    off = await client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": csrf})
    assert off.status_code == 303
    assert "Deactivated" in (await client.get(f"/admin/organisations/{provider.id}")).text
    assert (await client.get("/api/v1/admissions", headers=bearer(token))).status_code == 401
    twice = await client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": csrf})
    assert twice.status_code == 409
    client.cookies.clear()
    assert (await sign_in(client, user.email)).status_code == 401
    await _admin(client)
    csrf = csrf_token_in((await client.get("/admin/organisations")).text)
    on = await client.post(f"/admin/users/{user.id}/reactivate", data={"csrf_token": csrf})
    assert on.status_code == 303
    client.cookies.clear()
    assert (await sign_in(client, user.email)).status_code == 303
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert actions.count("deactivate_user") == 1 and actions.count("reactivate_user") == 1


async def test_only_admins_manage_organisations_and_users(client: Any) -> None:
    kent = await make_organisation("commissioner", name="Kent")
    officer, token = await make_user(kent.id, "commissioner")
    await sign_in(client, officer.email)
    assert (await client.get("/admin/organisations")).status_code == 403
    assert (await client.get(f"/admin/organisations/{kent.id}")).status_code == 403
    csrf = csrf_token_in((await client.get("/")).text)
    refused = await client.post(f"/admin/users/{officer.id}/deactivate", data={"csrf_token": csrf})
    assert refused.status_code == 403
    api = await client.get("/api/v1/organisations", headers=bearer(token))
    assert api.status_code == 403
    own = await client.get(f"/api/v1/organisations/{kent.id}/users", headers=bearer(token))
    assert own.status_code == 200 and own.json()[0]["email"] == officer.email


async def test_the_api_lists_organisations_and_deactivates_a_user_but_never_oneself(
    client: Any,
) -> None:
    provider = await make_organisation("provider", name="Oakleaf")
    user, _ = await make_user(provider.id, "provider")
    admin, token = await make_admin()
    listed = await client.get("/api/v1/organisations", headers=bearer(token))
    assert listed.status_code == 200
    (oakleaf,) = [o for o in listed.json() if o["name"] == "Oakleaf"]
    assert oakleaf["users"] == 1 and oakleaf["active_users"] == 1
    off = await client.post(f"/api/v1/users/{user.id}/deactivate", headers=bearer(token))
    assert off.status_code == 200 and off.json()["active"] is False
    users = await client.get(f"/api/v1/organisations/{provider.id}/users", headers=bearer(token))
    assert [u["active"] for u in users.json()] == [False]
    myself = await client.post(f"/api/v1/users/{admin.id}/deactivate", headers=bearer(token))
    assert myself.status_code == 409
    unknown = await client.post(
        "/api/v1/users/00000000-0000-0000-0000-000000000000/deactivate", headers=bearer(token)
    )
    assert unknown.status_code == 404
