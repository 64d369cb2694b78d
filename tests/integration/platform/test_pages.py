"""The HTML pages through the whole ASGI app: sign in and out, CSRF, home pages, static files and
/healthz, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from marketplace.reference import schemas as tender_schemas
from marketplace.reference.service import create_area, create_lot, put_pricing
from marketplace.web.assets import ONE_YEAR, OWN_STATIC
from marketplace.web.security import SESSION_COOKIE
from tests.conftest import service_url
from tests.factories import (
    PASSWORD,
    admin_principal,
    make_admin,
    make_organisation,
    make_user,
    principal_of,
)
from tests.support import csrf_token_in, sign_in, sign_in_form

STYLESHEET = re.compile(
    r'<link rel="stylesheet" href="(/static/govuk-frontend\.[0-9a-f]{12}\.min\.css)">'
)
FORM_EXPIRED = "The form has expired or was not sent from this service"


def count_on(page: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}">\s*(\d+)\s*<', page)
    assert match, f"the page shows no #{element_id}"
    return int(match.group(1))


def session_cookie(client: httpx.AsyncClient) -> str | None:
    return client.cookies.get(SESSION_COOKIE)


def set_session_cookie(client: httpx.AsyncClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)


async def signed_in_home(client: httpx.AsyncClient, email: str) -> str:
    response = await sign_in(client, email)
    assert response.status_code == 303, response.text
    home = await client.get("/")
    assert home.status_code == 200
    return home.text


async def seed_marketplace() -> dict[str, Any]:
    """Two commissioners (one area each, plus a second for Kent), two providers, three lots."""
    admin, _ = await make_admin()
    kent = await make_organisation("commissioner", name="Kent County Council")
    dorset = await make_organisation("commissioner", name="NHS Dorset")
    oakleaf = await make_organisation("provider", name="Oakleaf Home Care", cqc_rating="good")
    await make_organisation("provider", name="Birchwood Care", cqc_rating="outstanding")
    principal = admin_principal(admin)
    for code in ("HOME-CARE", "LIVE-IN", "NIGHT-SITS"):
        await create_lot(principal, tender_schemas.LotCreate(code=code, name=f"{code.title()} lot"))
    for code, commissioner in (("KENT-EAST", kent), ("KENT-WEST", kent), ("DORSET", dorset)):
        await create_area(
            principal,
            tender_schemas.AreaCreate(
                code=code, name=f"{code.title()} area", commissioner_id=commissioner.id
            ),
        )
    return {"admin": admin, "kent": kent, "dorset": dorset, "oakleaf": oakleaf}


@asynccontextmanager
async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app created now, after the test has set its environment."""
    from marketplace.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


# Signing in and out


async def test_signed_out_home_redirects_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/"


async def test_sign_in_page_sets_a_session_cookie_and_a_csrf_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/sign-in", params={"next": "/"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert session_cookie(client)
    assert csrf_token_in(response.text)
    assert '<input type="hidden" name="next" value="/">' in response.text
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in response.text
    # The same browser keeps its cookie, and so its token, until it signs in.
    cookie = session_cookie(client)
    again = await client.get("/sign-in")
    assert "set-cookie" not in again.headers
    assert session_cookie(client) == cookie
    assert csrf_token_in(again.text) == csrf_token_in(response.text)


async def test_commissioner_signs_in_and_sees_their_home(client: httpx.AsyncClient) -> None:
    seeded = await seed_marketplace()
    user, _ = await make_user(seeded["kent"].id, "commissioner")
    token = await sign_in_form(client, "/")
    before = session_cookie(client)

    response = await client.post(
        "/sign-in",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD, "next": "/"},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    after = session_cookie(client)
    assert after and after != before, "the session cookie is rotated at sign-in"

    home = await client.get("/")
    assert home.status_code == 200
    page = home.text
    assert "Commissioner home" in page
    assert "Kent County Council" in page
    assert user.email in page
    assert count_on(page, "count-areas") == 2
    assert count_on(page, "count-priced-lots") == 0
    assert count_on(page, "count-providers") == 2
    assert count_on(page, "count-waiting-packages") == 0
    # The token of the cookie from before sign-in is worth nothing now.
    assert csrf_token_in(page) != token
    stale = await client.post("/sign-out", data={"csrf_token": token})
    assert stale.status_code == 403
    assert (await client.get("/")).status_code == 200


async def test_sign_in_goes_to_the_page_asked_for(client: httpx.AsyncClient) -> None:
    kent = await make_organisation("commissioner", name="Kent County Council")
    user, _ = await make_user(kent.id, "commissioner")
    asked = await client.get("/", params={"tab": "areas"})
    assert asked.headers["location"] == "/sign-in?next=/%3Ftab%3Dareas"
    response = await sign_in(client, user.email, next_path="/?tab=areas")
    assert response.status_code == 303
    assert response.headers["location"] == "/?tab=areas"


async def test_provider_signs_in_and_sees_their_home(client: httpx.AsyncClient) -> None:
    seeded = await seed_marketplace()
    user, _ = await make_user(seeded["oakleaf"].id, "provider")
    page = await signed_in_home(client, user.email)
    assert "Provider home" in page
    assert "Commissioner home" not in page
    assert "Oakleaf Home Care" in page
    assert count_on(page, "count-lots") == 3
    assert count_on(page, "count-areas") == 3
    assert re.search(r'id="cqc-rating">\s*Good\s*<', page)


async def test_admin_signs_in_and_sees_the_platform_counts(client: httpx.AsyncClient) -> None:
    seeded = await seed_marketplace()
    page = await signed_in_home(client, seeded["admin"].email)
    assert "Platform administration" in page
    assert count_on(page, "count-commissioners") == 2
    assert count_on(page, "count-providers") == 2
    assert count_on(page, "count-lots") == 3
    assert count_on(page, "count-areas") == 3


async def test_wrong_password_shows_the_error_summary_and_signs_nobody_in(
    client: httpx.AsyncClient,
) -> None:
    kent = await make_organisation("commissioner", name="Kent County Council")
    user, _ = await make_user(kent.id, "commissioner")
    token = await sign_in_form(client)
    before = session_cookie(client)
    response = await client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": user.email,
            "password": "not the password",
            "next": "/",
        },
    )
    assert response.status_code == 401
    page = response.text
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert '<a href="#email">' in page
    assert f'value="{user.email}"' in page, "the email address is kept in the form"
    assert "not the password" not in page
    assert "<title>Error: Sign in" in page
    assert "set-cookie" not in response.headers
    assert session_cookie(client) == before
    home = await client.get("/")
    assert home.status_code == 303
    assert home.headers["location"] == "/sign-in?next=/"


async def test_unknown_email_is_refused_like_a_wrong_password(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, "nobody@example.org")
    assert response.status_code == 401
    assert "There is a problem" in response.text
    assert (await client.get("/")).status_code == 303


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"email": "", "password": ""}, ["Enter your email address", "Enter your password"]),
        ({"email": "someone@example.org", "password": ""}, ["Enter your password"]),
        ({"email": "   ", "password": PASSWORD}, ["Enter your email address"]),
        ({}, ["Enter your email address", "Enter your password"]),
    ],
)
async def test_missing_fields_get_400_naming_them(
    client: httpx.AsyncClient, fields: dict[str, str], messages: list[str]
) -> None:
    token = await sign_in_form(client)
    response = await client.post("/sign-in", data={"csrf_token": token, "next": "/", **fields})
    assert response.status_code == 400
    page = response.text
    assert "There is a problem" in page
    for message in messages:
        assert page.count(message) >= 2, f"{message!r} is in the summary and by the field"
    for field, message in (
        ("email", "Enter your email address"),
        ("password", "Enter your password"),
    ):
        assert (f'<a href="#{field}">' in page) == (message in messages)
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("given", [None, "", "0" * 64, "not-a-token", "jeton-\u00e9t\u00e9"])
async def test_sign_in_without_the_right_csrf_token_is_refused(
    client: httpx.AsyncClient, given: str | None
) -> None:
    kent = await make_organisation("commissioner", name="Kent County Council")
    user, _ = await make_user(kent.id, "commissioner")
    await sign_in_form(client)
    before = session_cookie(client)
    data = {"email": user.email, "password": PASSWORD, "next": "/"}
    if given is not None:
        data["csrf_token"] = given
    response = await client.post("/sign-in", data=data)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Not allowed" in response.text
    assert FORM_EXPIRED in response.text
    assert session_cookie(client) == before
    assert (await client.get("/")).status_code == 303


async def test_csrf_token_of_another_browser_is_refused(client: httpx.AsyncClient) -> None:
    kent = await make_organisation("commissioner", name="Kent County Council")
    user, _ = await make_user(kent.id, "commissioner")
    their_token = await sign_in_form(client)
    set_session_cookie(client, "A" * 43)  # a different browser's cookie
    response = await client.post(
        "/sign-in",
        data={"csrf_token": their_token, "email": user.email, "password": PASSWORD, "next": "/"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "https://evil.example/",
        "/\\evil.example",
        "evil.example",
    ],
)
async def test_open_redirect_attempts_land_on_home(client: httpx.AsyncClient, target: str) -> None:
    kent = await make_organisation("commissioner", name="Kent County Council")
    user, _ = await make_user(kent.id, "commissioner")
    form = await client.get("/sign-in", params={"next": target})
    assert '<input type="hidden" name="next" value="/">' in form.text
    token = csrf_token_in(form.text)
    response = await client.post(
        "/sign-in",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    # Signed in, the sign-in page sends the browser on, but never off the site.
    again = await client.get("/sign-in", params={"next": target})
    assert again.status_code == 303
    assert again.headers["location"] == "/"


async def test_sign_out_ends_the_session(client: httpx.AsyncClient) -> None:
    kent = await make_organisation("commissioner", name="Kent County Council")
    user, _ = await make_user(kent.id, "commissioner")
    page = await signed_in_home(client, user.email)
    signed_in_cookie = session_cookie(client)
    assert signed_in_cookie
    token = csrf_token_in(page)

    refused = await client.post("/sign-out")
    assert refused.status_code == 403
    assert (await client.get("/")).status_code == 200, "a sign-out without a token changes nothing"

    response = await client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    fresh = session_cookie(client)
    assert fresh and fresh != signed_in_cookie
    home = await client.get("/")
    assert home.status_code == 303
    assert home.headers["location"] == "/sign-in?next=/"

    set_session_cookie(client, signed_in_cookie)
    replayed = await client.get("/")
    assert replayed.status_code == 303, "the cookie of an ended session no longer works"
    assert replayed.headers["location"] == "/sign-in?next=/"


async def test_session_cookie_needs_the_csrf_header_for_unsafe_api_requests(
    client: httpx.AsyncClient,
) -> None:
    admin, _ = await make_admin()
    page = await signed_in_home(client, admin.email)
    token = csrf_token_in(page)
    body = {"kind": "provider", "name": "Acme Care"}

    # A safe request needs no token.
    listed = await client.get("/api/v1/lots")
    assert listed.status_code == 200

    refused = await client.post("/api/v1/organisations", json=body)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["title"] == "Not allowed"

    wrong = await client.post(
        "/api/v1/organisations", json=body, headers={"X-CSRF-Token": "0" * 64}
    )
    assert wrong.status_code == 403

    # A token in a JSON body is not looked for: only the header counts on the API.
    in_body = await client.post("/api/v1/organisations", json={**body, "csrf_token": token})
    assert in_body.status_code == 403

    created = await client.post("/api/v1/organisations", json=body, headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Acme Care"


async def test_bearer_token_needs_no_csrf_token(client: httpx.AsyncClient) -> None:
    _, token = await make_admin()
    created = await client.post(
        "/api/v1/organisations",
        json={"kind": "commissioner", "name": "Kent County Council"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    assert "set-cookie" not in created.headers


# Static files


async def test_fingerprinted_stylesheet_is_cached_for_a_year_and_gzipped(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/sign-in")
    match = STYLESHEET.search(page.text)
    assert match, "the sign-in page links the fingerprinted GOV.UK stylesheet"
    url = match.group(1)

    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/css")
    assert "content-encoding" not in plain.headers
    cache_control = plain.headers["cache-control"]
    assert "immutable" in cache_control
    assert "public" in cache_control
    max_age = re.search(r"max-age=(\d+)", cache_control)
    assert max_age, cache_control
    assert int(max_age.group(1)) == ONE_YEAR, f"cached for a year, not {cache_control}"
    assert ".govuk-" in plain.text
    assert "font-family:system-ui" in plain.text
    assert "GDS Transport" not in plain.text and "/assets/" not in plain.text

    gzipped = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzipped.status_code == 200
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in gzipped.headers.get("vary", "").lower()
    assert int(gzipped.headers["content-length"]) < int(plain.headers["content-length"])
    assert gzipped.text == plain.text  # httpx decompresses it


async def test_every_linked_static_file_is_served(client: httpx.AsyncClient) -> None:
    page = (await client.get("/sign-in")).text
    urls = set(re.findall(r'(?:href|src|from) ?=? ?"(/static/[^"]+)"', page))
    assert len(urls) >= 4, urls  # two stylesheets, govuk-frontend.js, htmx.js
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["cache-control"], url


async def test_the_favicon_is_the_marketplaces_and_govuks_crown_is_not_served(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/sign-in")).text
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert len(icons) == 1 and re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", icons[0])
    icon = await client.get(icons[0])
    assert icon.status_code == 200
    assert icon.content == (OWN_STATIC / "favicon.svg").read_bytes()
    for path in ("/assets/images/favicon.ico", "/assets/images/govuk-crest.svg", "/assets/fonts/"):
        assert (await client.get(path)).status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/static/nothing-here.css",
        "/static/govuk-frontend.000000000000.min.css",
        "/assets/fonts/none.woff2",
    ],
)
async def test_unknown_static_path_is_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "set-cookie" not in response.headers


# /healthz


async def test_healthz_reports_the_database_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    body = response.json()
    assert body["status"] == "ok"
    assert body["dependencies"]["database"] == {"status": "ok"}
    for name in ("redis", "s3", "smtp"):
        assert body["dependencies"][name]["status"] == "embedded"


async def test_healthz_is_503_when_redis_is_down(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from marketplace.config import reset_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    reset_settings()
    async with app_client() as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["dependencies"]["database"] == {"status": "ok"}
    assert body["dependencies"]["redis"]["status"] == "down"
    assert body["dependencies"]["redis"]["detail"]


async def test_healthz_checks_each_configured_service(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from marketplace.config import reset_settings

    bucket = f"healthz-{uuid.uuid4().hex[:12]}"
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "eu-west-2"),
        ("REDIS_URL", service_url("REDIS_URL")),
        ("S3_ENDPOINT_URL", service_url("S3_ENDPOINT_URL")),
        ("S3_BUCKET", bucket),
        ("SMTP_URL", service_url("SMTP_URL")),
    ):
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=service_url("S3_ENDPOINT_URL"), region_name="eu-west-2")
    await asyncio.to_thread(
        s3.create_bucket,
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
    )
    reset_settings()
    try:
        async with app_client() as client:
            response = await client.get("/healthz")
    finally:
        await asyncio.to_thread(s3.delete_bucket, Bucket=bucket)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert {name: state["status"] for name, state in body["dependencies"].items()} == {
        "database": "ok",
        "redis": "ok",
        "s3": "ok",
        "smtp": "ok",
    }


async def test_healthz_is_503_when_the_s3_bucket_is_missing(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.config import reset_settings

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("S3_ENDPOINT_URL", service_url("S3_ENDPOINT_URL"))
    monkeypatch.setenv("S3_BUCKET", f"missing-{uuid.uuid4().hex[:12]}")
    reset_settings()
    async with app_client() as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["dependencies"]["s3"]["status"] == "down"


async def test_reference_data_page_shows_a_commissioners_own_areas_and_pricing(
    client: httpx.AsyncClient,
) -> None:
    admin, _ = await make_admin()
    kent = await make_organisation("commissioner", name="Kent County Council")
    dorset = await make_organisation("commissioner", name="NHS Dorset")
    lot = tender_schemas.LotCreate(code="CSH", name="Care and Support at Home")
    await create_lot(admin_principal(admin), lot)
    for code, owner in (("KENT-ASHFORD", kent.id), ("DORSET-NORTH", dorset.id)):
        area = tender_schemas.AreaCreate(code=code, name=code.title(), commissioner_id=owner)
        await create_area(admin_principal(admin), area)
    user, _ = await make_user(kent.id, "commissioner")
    pricing = tender_schemas.PricingPut(max_hourly_rate_pence=2400, envelope_base_rate_pence=2000)
    await put_pricing(principal_of(user, kent), "CSH", pricing)

    await sign_in(client, user.email)
    page = await client.get("/reference-data")
    assert page.status_code == 200
    assert "Care and Support at Home" in page.text
    assert "KENT-ASHFORD" in page.text
    assert "DORSET-NORTH" not in page.text
    assert "£24.00" in page.text and "£20.00" in page.text
