"""Organisations, their users, browser sessions and API tokens."""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    ForeignKey,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Organisation(Table, tablename="organisation"):
    """A commissioner (council, NHS body) or a provider (home care agency)."""

    id = UUID(primary_key=True)
    kind = Varchar(length=16, index=True)
    name = Varchar(length=200)
    cqc_location_id = Varchar(length=32, null=True, default=None)
    cqc_rating = Varchar(length=32, null=True, default=None)
    enforcement_pending = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class CqcRatingChange(Table, tablename="cqc_rating_change"):
    """A provider's CQC rating as it changed: from the regulator's export or set by a platform
    admin with a reason; the organisation keeps only the latest."""

    id = UUID(primary_key=True)
    provider = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    previous_rating = Varchar(length=32, null=True, default=None)
    rating = Varchar(length=32)
    rated_on = Date(null=True, default=None)  # the regulator's publication date
    source = Text()  # "CQC import <file> <day>" or "admin: <reason>"
    recorded_by = UUID(null=True, default=None)  # the admin; none for an import
    recorded_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="app_user"):
    """A person who signs in; platform admins belong to no organisation."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    email = Varchar(length=254, unique=True)
    password_hash = Text()
    role = Varchar(length=16)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class BrowserSession(Table, tablename="browser_session"):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    """A bearer token for API clients, stored hashed, with an expiry."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
