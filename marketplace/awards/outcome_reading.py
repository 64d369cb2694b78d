"""Reading an outcome (docs/design.md 9.1): the first time a provider's user opens its outcome of
a decided call-off, that is recorded, and the outcome leaves the user's "Outcomes to read"."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from marketplace.awards.tables import OutcomeRead
from marketplace.db import write_transaction


async def record_reading(user_id: UUID, call_off_id: UUID, now: datetime) -> None:
    """The user has read the decided outcome; a second reading keeps the first's time."""
    async with write_transaction():
        await OutcomeRead.insert(
            OutcomeRead(user=user_id, call_off=call_off_id, read_at=now)
        ).on_conflict(target=(OutcomeRead.user, OutcomeRead.call_off), action="DO NOTHING")
