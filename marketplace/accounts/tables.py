"""Organisations, their users, browser sessions and API tokens."""

from piccolo.columns import (
    UUID,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Organisation(Table, tablename="organisation"):
    """A commissioner (council, NHS body), a provider (home care agency), or a guest supplier:
    outside the framework, registered by a commissioner (`registered_by`) with a contact email,
    without users (docs/design.md 3.5)."""

    id = UUID(primary_key=True)
    kind = Varchar(length=16, index=True)
    name = Varchar(length=200)
    cqc_location_id = Varchar(length=32, null=True, default=None)
    cqc_rating = Varchar(length=32, null=True, default=None)
    enforcement_pending = Boolean(default=False)
    contact_email = Varchar(length=254, null=True, default=None)
    registered_by = UUID(null=True, default=None, index=True)
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
    # The last request seen from this browser (updated at most once a minute): a session idle
    # for longer than SESSION_IDLE_TIMEOUT is over.
    last_seen_at = Timestamptz(default=TimestamptzNow())
    # Signed in with the password only, waiting for the second factor: "code" (enrolled) or
    # "enrolment" (required but not enrolled yet). Such a session signs nobody in.
    awaiting = Varchar(length=16, null=True, default=None)
    second_factor_at = Timestamptz(null=True, default=None)  # when this session passed it


class TwoFactor(Table, tablename="two_factor"):
    """A user's authenticator: the shared secret, sealed; enrolled once a code confirmed it."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True)
    sealed_secret = Bytea()
    started_at = Timestamptz(default=TimestamptzNow())
    enrolled_at = Timestamptz(null=True, default=None)
    last_used_step = Integer(null=True, default=None)  # a code's time step is used once
    failures = Integer(default=0)  # wrong codes in a row
    last_failure_at = Timestamptz(null=True, default=None)


class RecoveryCode(Table, tablename="recovery_code"):
    """One single-use recovery code of a user, stored as its SHA-256."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A bearer token for API clients, stored hashed, with an expiry."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    second_factor = Boolean(default=False)  # created with the second factor
