"""The bids domain's outbox jobs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marketplace.bids.opening import close_call_off

CLOSE_CALL_OFF = "close_call_off"


async def close_call_off_job(_: UUID, payload: dict[str, Any]) -> None:
    await close_call_off(UUID(payload["call_off_id"]))


JOBS = {CLOSE_CALL_OFF: close_call_off_job}
