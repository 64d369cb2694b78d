"""The transactional outbox: what must happen after a commit, written in the same transaction."""

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEntry(Table, tablename="outbox_entry"):
    """One job (sending an email is one) to run at least once after its transaction commits.

    `due_at` is when it may next run (its run-at time, later the retry time); `claimed_until` is
    the lease of the worker running it; `enqueued_at` is when the relay last handed it to arq
    (whose job id is this entry's id).
    """

    id = UUID(primary_key=True)
    job = Varchar(length=64)
    payload = Text(default="{}")
    run_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz(default=TimestamptzNow(), index=True)
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    claimed_until = Timestamptz(null=True, default=None)
    enqueued_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # The address of an email (lower-case), so that each user's messages are found by index.
    recipient = Varchar(length=254, null=True, default=None, index=True)
    done_at = Timestamptz(null=True, default=None)
