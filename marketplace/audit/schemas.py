"""Response shapes of the audit API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AuditEvent(msgspec.Struct):
    id: int
    occurred_at: datetime
    actor_email: str | None
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any]
    sealed: bool


class AuditEventPage(msgspec.Struct):
    items: list[AuditEvent]
    next_cursor: str | None
