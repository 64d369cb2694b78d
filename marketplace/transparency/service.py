"""Writing a call-off's OCDS releases in the transaction of the event that causes them, and reading
them back as a record package (one call-off) or a release package (the public feed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from marketplace.config import get_settings
from marketplace.errors import NotFound
from marketplace.pagination import keyset_page
from marketplace.transparency import releases
from marketplace.transparency.tables import OcdsRelease

PUBLISHER = "Care call-off marketplace"


async def add_release(
    call_off_id: UUID,
    notice: str,
    moment: datetime,
    sections: dict[str, Any],
    *,
    title: str,
    buyer_name: str,
) -> dict[str, Any]:
    """Append the call-off's next release (inside the caller's write transaction, so that the
    release stands or falls with the event it records)."""
    ocid = releases.ocid(get_settings().ocid_prefix, call_off_id)
    number = await OcdsRelease.count().where(OcdsRelease.call_off == call_off_id) + 1
    release = releases.release(ocid, number, notice, moment, sections)
    row_id = uuid4()
    await OcdsRelease.insert(
        OcdsRelease(
            id=row_id,
            call_off=call_off_id,
            ocid=ocid,
            release_id=release["id"],
            notice=notice,
            released_at=moment,
            position=f"{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}/{number:06d}/{row_id}",
            title=title,
            buyer_name=buyer_name,
            body=msgspec.json.encode(release).decode(),
        )
    )
    return release


async def has_release(call_off_id: UUID, notice: str) -> bool:
    return bool(
        await OcdsRelease.exists().where(
            (OcdsRelease.call_off == call_off_id) & (OcdsRelease.notice == notice)
        )
    )


def _package(uri: str, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": datetime.now(UTC).isoformat(),
        "publisher": {"name": PUBLISHER},
        key: items,
    }


async def call_off_releases(call_off_id: UUID) -> list[dict[str, Any]]:
    rows = (
        await OcdsRelease.select(OcdsRelease.body)
        .where(OcdsRelease.call_off == call_off_id)
        .order_by(OcdsRelease.position)
    )
    return [msgspec.json.decode(row["body"]) for row in rows]


async def record_package(call_off_id: UUID) -> dict[str, Any]:
    """The call-off's record: every release it has had and the compiled release; 404 for a
    call-off never published (it has no release)."""
    found = await call_off_releases(call_off_id)
    if not found:
        raise NotFound("No published call-off has this id")
    base = get_settings().base_url
    return _package(
        f"{base}/api/v1/call-offs/{call_off_id}/ocds",
        "records",
        [
            {
                "ocid": found[0]["ocid"],
                "releases": found,
                "compiledRelease": releases.compiled_release(found),
            }
        ],
    )


async def release_package(
    since: datetime | None, limit: int, cursor: str | None
) -> tuple[dict[str, Any], str | None]:
    """Every call-off's releases dated from `since`, oldest first, a page at a time."""
    query = OcdsRelease.select(OcdsRelease.position, OcdsRelease.body)
    if since is not None:
        query = query.where(OcdsRelease.released_at >= since)
    rows, next_cursor = await keyset_page(query, OcdsRelease.position, limit, cursor)
    uri = f"{get_settings().base_url}/api/v1/ocds/releases"
    return _package(uri, "releases", [msgspec.json.decode(r["body"]) for r in rows]), next_cursor


async def notices(limit: int = 200) -> list[dict[str, Any]]:
    """The public notices page: the call-offs with releases, latest first, each with its notices
    in order (what, when) and its current standing."""
    rows = await OcdsRelease.select(
        OcdsRelease.call_off,
        OcdsRelease.ocid,
        OcdsRelease.notice,
        OcdsRelease.released_at,
        OcdsRelease.title,
        OcdsRelease.buyer_name,
        OcdsRelease.position,
    ).order_by(OcdsRelease.position)
    by_call_off: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        entry = by_call_off.setdefault(
            row["call_off"],
            {"call_off_id": row["call_off"], "ocid": row["ocid"], "notices": []},
        )
        entry.update(title=row["title"], buyer_name=row["buyer_name"], latest=row["position"])
        entry["notices"].append({"notice": row["notice"], "at": row["released_at"]})
    newest = sorted(by_call_off.values(), key=lambda e: e["latest"], reverse=True)
    return newest[:limit]
