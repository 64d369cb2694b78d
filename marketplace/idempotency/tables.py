"""The first response to each Idempotency-Key, kept so that a repeat gets it back."""

from piccolo.columns import UUID, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotentResponse(Table, tablename="idempotent_response"):
    """One (user, key): the request it answered and, once finished, the response it got.

    `status_code` is null while the first request is still in progress. `request_fingerprint` is
    the SHA-256 of the request body. Unique on (user_id, key) by a migration's index.
    """

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    key = Varchar(length=255)
    method = Varchar(length=8)
    path = Text()
    request_fingerprint = Varchar(length=64)
    status_code = Integer(null=True, default=None)
    response_headers = Text(default="[]")
    response_body = Bytea(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
