"""People read names, not codes: the main pages of both parties show area and lot names, money in
pounds, places and dates in words; never an area code, "pence", coordinates or an ISO timestamp
(docs/design.md 3)."""

from __future__ import annotations

import html
import re

import httpx

from tests.call_off_fixtures import admitted_provider, commissioning, enablement_body, suffix_of
from tests.care_fixtures import care_ids, concluded_cluster
from tests.factories import make_user
from tests.integration.bids.test_bids import published
from tests.support import sign_in

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
COORDINATES = re.compile(r"\b5\d\.\d+, -?[01]\.\d+")


def visible_text(page: str) -> str:
    """What a person reads: no scripts, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_reads_as_words(page: httpx.Response, suffix: str) -> str:
    assert page.status_code == 200, page.text[:500]
    text = visible_text(page.text)
    url = page.request.url.path
    for area in ("ASHFORD", "CANTERBURY"):
        assert f"{area}-{suffix}" not in text, f"an area code on {url}"
    assert "CSH" not in text, f"the lot code on {url}"
    # "in pounds and pence" is a hint for people; a figure in pence or a field name is not.
    assert not re.search(r"(?<!pounds and )pence", text, re.I), f"pence on {url}"
    assert not COORDINATES.search(text), f"coordinates on {url}"
    assert not ISO_TIMESTAMP.search(text), f"an ISO timestamp on {url}"
    return text


async def signed_in(client: httpx.AsyncClient, organisation_id: object, role: str) -> None:
    user, _ = await make_user(organisation_id, role)  # type: ignore[arg-type]
    assert (await sign_in(client, user.email)).status_code == 303


async def test_the_main_pages_read_names_and_words(client: httpx.AsyncClient) -> None:
    c = await commissioning()
    suffix = suffix_of(c)
    provider, token = await admitted_provider(c, "Oakleaf Home Care", ("ASHFORD", "CANTERBURY"))
    await signed_in(client, c.commissioner.id, "commissioner")
    bundles = assert_reads_as_words(
        await client.get(
            "/waiting-list/bundles", params={"max_radius_km": "30", "max_weekly_hours": "60"}
        ),
        suffix,
    )
    assert "km of their centre (near TN" in bundles, "a place, not coordinates"
    client.cookies.clear()
    concluded = await concluded_cluster(client, c, token)
    care_id, _ = await care_ids(concluded)
    open_call_off = await published(
        client, c, enablement_body(c, package_ids=[str(c.packages["4"])], title="Canterbury")
    )

    await signed_in(client, c.commissioner.id, "commissioner")
    waiting = assert_reads_as_words(await client.get("/waiting-list"), suffix)
    assert "Ashford" in waiting or "Canterbury" in waiting
    package = assert_reads_as_words(
        await client.get(f"/waiting-list/packages/{c.packages['1']}"), suffix
    )
    assert "Ashford" in package and "Postcode district TN23" in package
    assert "Ashford run" in package, "the package's call-off history"
    waiting_one = assert_reads_as_words(
        await client.get(f"/waiting-list/packages/{c.packages['4']}"), suffix
    )
    assert "Canterbury" in waiting_one
    call_off = assert_reads_as_words(await client.get(f"/call-offs/{concluded}"), suffix)
    assert "Care and Support at Home" in call_off and "Ashford" in call_off
    assert_reads_as_words(await client.get(f"/call-offs/{open_call_off}"), suffix)
    evaluation = assert_reads_as_words(
        await client.get(f"/call-offs/{concluded}/evaluation"), suffix
    )
    assert "£19.50" in evaluation
    assert_reads_as_words(await client.get(f"/call-offs/{concluded}/award/report"), suffix)
    assert_reads_as_words(await client.get("/call-offs"), suffix)
    assert_reads_as_words(await client.get("/contingency"), suffix)
    assert_reads_as_words(await client.get("/care"), suffix)
    assert_reads_as_words(await client.get(f"/care/{care_id}"), suffix)

    client.cookies.clear()
    await signed_in(client, provider.id, "provider")
    opportunity = assert_reads_as_words(await client.get(f"/opportunities/{open_call_off}"), suffix)
    assert "Canterbury" in opportunity and "Care and Support at Home" in opportunity
    assert_reads_as_words(await client.get("/opportunities"), suffix)
    assert_reads_as_words(await client.get(f"/opportunities/{open_call_off}/bid"), suffix)
    assert_reads_as_words(await client.get("/my-bids"), suffix)
    assert_reads_as_words(await client.get("/my-care"), suffix)
    assert_reads_as_words(await client.get(f"/my-care/{care_id}"), suffix)
    assert_reads_as_words(await client.get(f"/my-bids/{concluded}/outcome"), suffix)
