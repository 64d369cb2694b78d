"""Recording audit events. Services call record() inside their own unit of work, so that an
event is written if and only if the change it describes is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.audit import schemas
from marketplace.audit.tables import AuditEvent, AuditEventDigest
from marketplace.db import Statement, write_together
from marketplace.errors import NotAllowed
from marketplace.pagination import check_limit, decode_cursor, encode_cursor, not_given_out
from marketplace.principal import Principal

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
    await write_together(
        event_statement(
            actor, action, entity, entity_id, organisation_id=organisation_id, details=details
        )
    )


def event_statement(
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: str | UUID | None = None,
    *,
    organisation_id: UUID | None = None,
    details: dict[str, Any] | None = None,
) -> Statement:
    """The statement appending one event to the audit log, for a caller that writes it together
    with its own writes (`write_together`, in its transaction); as `record` takes it."""
    # Hand-written: every state change writes one, bids at the deadline rush among them.
    return Statement(
        _INSERT_EVENT,
        (
            datetime.now(UTC),
            actor.user_id if actor else None,
            actor.email if actor else None,
            actor.organisation_id if actor else None,
            action,
            entity,
            str(entity_id) if entity_id is not None else None,
            organisation_id,
            canonical_details(details),
        ),
    )


_INSERT_EVENT = """
INSERT INTO audit_event (occurred_at, actor_user_id, actor_email, actor_organisation_id, action,
                         entity, entity_id, organisation_id, details)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})
"""


def _after_id(cursor: str) -> int:
    text = decode_cursor(cursor)
    if not text.isdigit():
        raise not_given_out()
    return int(text)


def visible_events(actor: Principal, query: Any) -> Any:
    """The query narrowed to the events the actor may read: all for an admin, those filed under
    their organisation for commissioner staff; anyone else is refused."""
    if actor.is_admin:
        return query
    commissioner_id = actor.commissioner_organisation(
        NotAllowed("Only admins and commissioners may read the audit log")
    )
    return query.where(AuditEvent.organisation_id == commissioner_id)


async def event_kinds(actor: Principal) -> tuple[list[str], list[str]]:
    """The actions and the entities of the events the actor may read (to filter by)."""
    actions = await visible_events(actor, AuditEvent.select(AuditEvent.action).distinct())
    entities = await visible_events(actor, AuditEvent.select(AuditEvent.entity).distinct())
    return (
        sorted(row["action"] for row in actions),
        sorted(row["entity"] for row in entities),
    )


async def list_events(
    actor: Principal,
    entity: str | None,
    entity_id: str | None,
    limit: int,
    cursor: str | None,
    action: str | None = None,
) -> schemas.AuditEventPage:
    """Audit events, newest first: every event for an admin, and for commissioner staff the
    events about their own organisation's records."""
    check_limit(limit)
    query = visible_events(actor, AuditEvent.select())
    if action:
        query = query.where(AuditEvent.action == action)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if cursor:
        query = query.where(AuditEvent.id < _after_id(cursor))
    rows = await query.order_by(AuditEvent.id, ascending=False).limit(limit + 1)
    page = rows[:limit]
    ids = [row["id"] for row in page]
    sealed = set()
    if ids:
        digests = await AuditEventDigest.select(AuditEventDigest.event_id).where(
            AuditEventDigest.event_id.is_in(ids)
        )
        sealed = {row["event_id"] for row in digests}
    items = [
        schemas.AuditEvent(
            id=row["id"],
            occurred_at=row["occurred_at"],
            actor_email=row["actor_email"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            details=msgspec.json.decode(row["details"]),
            sealed=row["id"] in sealed,
        )
        for row in page
    ]
    more = len(rows) > limit
    return schemas.AuditEventPage(
        items=items, next_cursor=encode_cursor(str(ids[-1])) if more else None
    )
