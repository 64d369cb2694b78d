"""The OCDS releases the marketplace has published: append-only, one row per release."""

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OcdsRelease(Table, tablename="ocds_release"):
    """One release of a call-off's contracting process, written in the transaction of the event
    that caused it and never changed: `body` is the release's JSON as published.

    `position` orders every release as text (its date, its number within its call-off, then its
    row id), for the release feed's pages and a record's releases; `release_id` is unique (index ocds_release_one_id, created in the migration).
    """

    id = UUID(primary_key=True)
    call_off = UUID(index=True)
    ocid = Varchar(length=120, index=True)
    release_id = Varchar(length=160)
    # published, extended, documents, cancelled, awarded or concluded (marketplace/transparency/releases.py).
    notice = Varchar(length=16)
    released_at = Timestamptz()
    position = Varchar(length=80, index=True)
    title = Varchar(length=200)
    buyer_name = Varchar(length=200)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
