"""Organisations, their users, browser sessions and API tokens."""

from piccolo.columns import UUID, Boolean, ForeignKey, OnDelete, Text, Timestamptz, Varchar
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
    # The last request seen from this browser (updated at most once a minute): a session idle
    # for longer than SESSION_IDLE_TIMEOUT is over.
    last_seen_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table, tablename="api_token"):
    """A bearer token for API clients, stored hashed, with an expiry."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
