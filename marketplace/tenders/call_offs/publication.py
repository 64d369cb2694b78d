"""Publishing a call-off to the providers eligible for it, changing its deadline, cancelling it,
and attaching its documents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.accounts.guest_suppliers import guest_contacts, guest_organisations, guests_of
from marketplace.accounts.service import active_user_emails
from marketplace.admissions.eligibility import eligible_providers, guests_clear_of_gates
from marketplace.archive.service import store_document
from marketplace.audit.service import record
from marketplace.db import for_update, insert_rows, write_transaction
from marketplace.errors import FieldError, RuleBroken, WrongState
from marketplace.notifications.outbox import add_emails, add_job
from marketplace.principal import Principal
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.drafting import check_deadline, held_packages
from marketplace.tenders.call_offs.guest_passes import issue_guest_pass
from marketplace.tenders.call_offs.lifecycle import move_call_off, start_contingency_clocks
from marketplace.tenders.call_offs.queries import call_off_row, get_call_off
from marketplace.tenders.call_offs.status import (
    BEFORE_CLOSE,
    CallOffStatus,
    check_move,
    check_status,
)
from marketplace.tenders.call_offs.transparency import write_tender_release
from marketplace.tenders.jobs import CLOSE_CALL_OFF
from marketplace.tenders.tables import (
    CallOff,
    CallOffArea,
    CallOffDocument,
    CallOffPackage,
    Invitation,
    Package,
)
from marketplace.web.sentences import moment_words


async def _tell_invitees(call_off_id: UUID, template: str, context: dict[str, Any]) -> None:
    """Email every invitee: a provider's active users, a guest supplier's contact email (told
    that its link, not the provider's pages, is its way in)."""
    invited = [
        row["provider"]
        for row in await Invitation.select(Invitation.provider).where(
            Invitation.call_off == call_off_id
        )
    ]
    guests = await guest_organisations(invited)
    providers = [organisation for organisation in invited if organisation not in guests]
    guest_context = {**context, "guest": True}
    # Set-based: thousands of invitees are a few multi-row statements, not one each.
    await add_emails(
        [(email, template, context) for email in await active_user_emails(providers)]
        + [(email, template, guest_context) for email in await active_user_emails(sorted(guests))]
    )


def _email_context(row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "title": row["title"],
        "kind": row["kind"],
        "call_off_id": str(row["id"]),
        "deadline": row["deadline"].isoformat(),
        **extra,
    }


async def _chosen(
    row: dict[str, Any], eligible: dict[UUID, set[UUID]]
) -> tuple[dict[UUID, set[UUID]], list[dict[str, Any]]]:
    """A wider call-off's chosen invitees (docs/design.md 3.5): the eligible providers among
    them, and its guest suppliers clear of every gate but admission (id, name, contact email).
    Without a chosen list: every eligible provider and no guest."""
    if row.get("chosen_invitees") is None:
        return eligible, []
    chosen = set(msgspec.json.decode(row["chosen_invitees"], type=list[UUID]))
    guests = await guests_clear_of_gates(
        row["commissioner"], row["kind"], sorted(await guests_of(row["commissioner"], chosen))
    )
    return {p: a for p, a in eligible.items() if p in chosen}, await guest_contacts(guests)


_INVITATION_COLUMNS = ("id", "call_off", "provider", "area_codes", "invited_at")


async def publish_call_off(actor: Principal, call_off_id: UUID) -> schemas.CallOff:
    """Publish a draft: invite every eligible provider (admitted to the lot in the area, or in
    any area when the call-off is sourced wider; not blocked, CQC rating not inadequate, no
    enforcement pending), freeze the content, and email each invitee."""

    async with write_transaction():
        row = await call_off_row(actor, call_off_id)
        await for_update(CallOff.select(CallOff.id).where(CallOff.id == call_off_id))
        check_move(row["status"], CallOffStatus.PUBLISHED)
        check_deadline(row["deadline"])
        package_ids = [
            p["package"]
            for p in await CallOffPackage.select(CallOffPackage.package).where(
                CallOffPackage.call_off == call_off_id
            )
        ]
        if await held_packages(package_ids, excluding=call_off_id):
            raise WrongState("A package of this call-off is already in another published call-off")
        areas = await CallOffArea.select(
            CallOffArea.area, CallOffArea.area.code.as_alias("code")
        ).where(CallOffArea.call_off == call_off_id)
        code_of = {a["area"]: a["code"] for a in areas}
        wider = row["sourcing"] == "wider"
        eligible = await eligible_providers(
            row["commissioner"], row["lot"], list(code_of), row["kind"], wider=wider
        )
        eligible, guests = await _chosen(row, eligible)
        if not eligible and not guests:
            where = "" if wider else " in its area(s)"
            chosen = row.get("chosen_invitees") is not None
            raise RuleBroken(
                "No provider is eligible for this call-off: none is admitted to the lot"
                f"{where} and clear of every gate" + (" among those chosen" if chosen else ""),
                [
                    FieldError("invitee_ids", "none of those chosen is clear of every gate")
                    if chosen
                    else FieldError("area_codes", "no eligible provider is admitted here")
                ],
            )
        invited_at = datetime.now(UTC)
        await insert_rows(
            Invitation,
            _INVITATION_COLUMNS,
            [
                (
                    uuid.uuid4(),
                    call_off_id,
                    provider,
                    msgspec.json.encode(sorted(code_of[a] for a in area_ids)).decode(),
                    invited_at,
                )
                for provider, area_ids in sorted(eligible.items())
            ],
        )
        if package_ids:
            await Package.update({Package.status: "in_call_off"}).where(
                Package.id.is_in(package_ids)
            )
            await start_contingency_clocks(package_ids, datetime.now(UTC))
        if eligible:
            await _tell_invitees(call_off_id, "call_off_invitation", _email_context(row))
        # Guest suppliers: an invitation for every area, and a pass with its own email, after
        # the providers were told (docs/design.md 3.5).
        all_codes = msgspec.json.encode(sorted(code_of.values())).decode()
        for guest in guests:
            await Invitation.insert(
                Invitation(call_off=call_off_id, provider=guest["id"], area_codes=all_codes)
            )
            await issue_guest_pass(call_off_id, guest, _email_context(row))
        await add_job(CLOSE_CALL_OFF, {"call_off_id": str(call_off_id)}, run_at=row["deadline"])
        published_at = datetime.now(UTC)
        await move_call_off(
            call_off_id,
            CallOffStatus.PUBLISHED,
            actor=actor,
            action="publish_call_off",
            details={
                "invited": len(eligible) + len(guests),
                "guests": len(guests),
                "sourcing": row["sourcing"],
            },
            also_set={CallOff.published_at: published_at},
        )
        await write_tender_release(call_off_id, "published", published_at)
    return await get_call_off(actor, call_off_id)


async def change_deadline(
    actor: Principal, call_off_id: UUID, body: schemas.DeadlineChange
) -> schemas.CallOff:
    """A draft's deadline may move either way; a published one may only be extended, and the
    invitees are told."""
    deadline = check_deadline(body.deadline)
    async with write_transaction():
        row = await call_off_row(actor, call_off_id)
        await for_update(CallOff.select(CallOff.id).where(CallOff.id == call_off_id))
        check_status(row["status"], BEFORE_CLOSE, doing="given a new deadline")
        if row["status"] == CallOffStatus.PUBLISHED:
            if datetime.now(UTC) >= row["deadline"]:
                raise WrongState(f"The deadline ({moment_words(row['deadline'])}) has passed")
            if deadline <= row["deadline"]:
                raise RuleBroken(
                    "A published call-off's deadline can only be extended",
                    [
                        FieldError(
                            "deadline",
                            f"The new deadline must be later than {moment_words(row['deadline'])}",
                            "not_later",
                        )
                    ],
                )
            await _tell_invitees(
                call_off_id,
                "call_off_deadline_extended",
                _email_context(row, new_deadline=deadline.isoformat()),
            )
        await CallOff.update({CallOff.deadline: deadline}).where(CallOff.id == call_off_id)
        if row["status"] == CallOffStatus.PUBLISHED:
            # The close scheduled for the old deadline finds nothing due; this one closes it.
            await add_job(CLOSE_CALL_OFF, {"call_off_id": str(call_off_id)}, run_at=deadline)
        await record(
            actor,
            "change_deadline",
            "call_off",
            call_off_id,
            organisation_id=row["commissioner"],
            details={"from": row["deadline"].isoformat(), "to": deadline.isoformat()},
        )
        if row["status"] == CallOffStatus.PUBLISHED:
            await write_tender_release(call_off_id, "extended", datetime.now(UTC))
    return await get_call_off(actor, call_off_id)


async def cancel_call_off(
    actor: Principal, call_off_id: UUID, body: schemas.Cancellation
) -> schemas.CallOff:
    """Cancel a draft or a published call-off with a reason; invitees are told and the packages
    go back to the waiting list."""
    async with write_transaction():
        row = await call_off_row(actor, call_off_id)
        await for_update(CallOff.select(CallOff.id).where(CallOff.id == call_off_id))
        check_move(row["status"], CallOffStatus.CANCELLED)
        if row["status"] == CallOffStatus.PUBLISHED:
            await _tell_invitees(
                call_off_id, "call_off_cancelled", _email_context(row, reason=body.reason)
            )
            package_ids = [
                p["package"]
                for p in await CallOffPackage.select(CallOffPackage.package).where(
                    CallOffPackage.call_off == call_off_id
                )
            ]
            if package_ids:
                await Package.update(
                    {Package.status: "waiting", Package.contingency_reason: "cancelled"}
                ).where(Package.id.is_in(package_ids))
        cancelled_at = datetime.now(UTC)
        await move_call_off(
            call_off_id,
            CallOffStatus.CANCELLED,
            actor=actor,
            action="cancel_call_off",
            details={"reason": body.reason},
            also_set={CallOff.cancelled_at: cancelled_at, CallOff.cancel_reason: body.reason},
        )
        if row["status"] == CallOffStatus.PUBLISHED:
            await write_tender_release(call_off_id, "cancelled", cancelled_at)
    return await get_call_off(actor, call_off_id)


async def attach_document(
    actor: Principal, call_off_id: UUID, filename: str, content: bytes
) -> schemas.CallOff:
    """Archive a document of a draft or published call-off, readable by every invitee."""

    row = await call_off_row(actor, call_off_id)
    check_status(row["status"], BEFORE_CLOSE, doing="given documents")
    document = await store_document(actor, filename, content, "public", row["commissioner"])
    async with write_transaction():
        await CallOffDocument.insert(
            CallOffDocument(
                call_off=call_off_id, document_id=document.id, filename=document.filename
            )
        )
        await record(
            actor,
            "attach_document",
            "call_off",
            call_off_id,
            organisation_id=row["commissioner"],
            details={"document_id": str(document.id)},
        )
        if row["status"] == CallOffStatus.PUBLISHED:
            await write_tender_release(call_off_id, "documents", datetime.now(UTC))
    return await get_call_off(actor, call_off_id)
