"""Guest passes (docs/design.md 3.5): a guest supplier's credential for the one wider call-off it
was invited to. The link carries a token (an HMAC of the pass's id, web/security.py); the table
keeps only its SHA-256. A pass is accepted while its call-off is open for bids and before the
call-off's deadline as it is now (an extension extends it), and by that call-off's guest pages
only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from marketplace.notifications.outbox import add_email
from marketplace.principal import Principal
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS
from marketplace.tenders.tables import GuestPass
from marketplace.web.security import guest_pass_token


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_guest_pass(
    call_off_id: UUID, guest: dict[str, Any], email_context: dict[str, Any]
) -> None:
    """A pass for this guest supplier (id, name, contact_email) to bid on this call-off, and its
    invitation email with the link (joining the caller's transaction: the publication's)."""
    pass_id = uuid4()
    await GuestPass.insert(
        GuestPass(
            id=pass_id,
            token_hash=token_digest(guest_pass_token(pass_id)),
            call_off=call_off_id,
            guest=guest["id"],
        )
    )
    await add_email(
        guest["contact_email"],
        "guest_invitation",
        {**email_context, "supplier": guest["name"], "guest_pass_id": str(pass_id)},
    )


@dataclass(frozen=True)
class GuestHolder:
    """Who holds a live guest pass, and the one call-off it is for."""

    call_off_id: UUID
    deadline: datetime
    principal: Principal


_HOLDER_SQL = """
SELECT g.call_off AS call_off, c.status AS status, c.deadline AS deadline,
       o.id AS guest, o.name AS name, o.contact_email AS contact_email
FROM guest_pass g JOIN call_off c ON c.id = g.call_off JOIN organisation o ON o.id = g.guest
WHERE g.token_hash = {} AND o.kind = 'guest'
"""


async def guest_holder(token: str, now: datetime) -> GuestHolder | None:
    """The guest supplier holding this token and its call-off, if the pass is live: the call-off
    open for bids and its deadline not yet come; None for any other token."""
    if not token or len(token) > 100:
        return None
    rows = await GuestPass.raw(_HOLDER_SQL, token_digest(token))
    if not rows:
        return None
    row = rows[0]
    if row["status"] not in OPEN_FOR_BIDS or now >= row["deadline"]:
        return None
    call_off_id = UUID(str(row["call_off"]))
    guest_id = UUID(str(row["guest"]))
    return GuestHolder(
        call_off_id=call_off_id,
        deadline=row["deadline"],
        principal=Principal(
            user_id=None,
            email=row["contact_email"],
            role="guest",
            organisation_id=guest_id,
            organisation_kind="guest",
            organisation_name=row["name"],
            via="guest_pass",
        ),
    )
