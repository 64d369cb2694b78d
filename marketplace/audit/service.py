"""Recording audit events. Services call record() inside their own unit of work, so that an
event is written if and only if the change it describes is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.accounts.principal import Principal
from marketplace.audit.tables import AuditEvent
from marketplace.db import write_transaction

_encoder = msgspec.json.Encoder(order="sorted")


def canonical_details(details: dict[str, Any] | None) -> str:
    """Details as canonical JSON: sorted keys, no spaces, UUIDs/dates/Decimals as strings."""
    return _encoder.encode(details or {}).decode()


async def record(
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: str | UUID | None = None,
    *,
    organisation_id: UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event to the audit log (joining the caller's transaction)."""
    async with write_transaction():
        await AuditEvent.insert(
            AuditEvent(
                occurred_at=datetime.now(UTC),
                actor_user_id=actor.user_id if actor else None,
                actor_email=actor.email if actor else None,
                actor_organisation_id=actor.organisation_id if actor else None,
                action=action,
                entity=entity,
                entity_id=str(entity_id) if entity_id is not None else None,
                organisation_id=organisation_id,
                details=canonical_details(details),
            )
        )
