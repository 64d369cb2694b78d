"""Deciding an application to the DPS: that commissioner's staff approve or reject it (a
rejection with its reason; an approval with the tender evaluation score, when given), and the
provider's users are told."""

from __future__ import annotations

from uuid import UUID

from marketplace.accounts.service import active_user_emails
from marketplace.admissions import schemas
from marketplace.admissions.applications import ENTITY, get_admission, now
from marketplace.admissions.tables import Admission
from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import FieldError, NotFound, RuleBroken, WrongState
from marketplace.notifications.outbox import add_email
from marketplace.principal import Principal
from marketplace.reference.queries import names_of_codes
from marketplace.reranking import rerank

DECISIONS = {"approve": "approved", "reject": "rejected"}


async def decide(
    actor: Principal, admission_id: UUID, body: schemas.AdmissionDecision
) -> schemas.Admission:
    """The commissioner of the areas approves or rejects an application (a rejection needs a
    reason; an approval may record the tender evaluation score); the provider's users are emailed
    the decision, and an approval with a score recomputes the provider's quality ranking."""
    reason = (body.reason or "").strip() or None
    if body.decision == "reject" and reason is None:
        raise RuleBroken(
            "Give the reason for rejecting the application",
            [FieldError("reason", "is required when rejecting", "required")],
        )
    if body.decision == "reject" and body.tender_score is not None:
        raise RuleBroken(
            "A tender evaluation score is recorded only when approving",
            [FieldError("tender_score", "is recorded only when approving")],
        )
    status = DECISIONS[body.decision]
    async with write_transaction():
        row = await for_update(
            Admission.select(Admission.id, Admission.status, Admission.commissioner).where(
                Admission.id == admission_id
            )
        ).first()
        if row is None or row["commissioner"] != actor.organisation_id:
            raise NotFound("No such application")
        if row["status"] != "applied":
            raise WrongState(f"This application is already decided: it was {row['status']}")
        await Admission.update(
            {
                Admission.status: status,
                Admission.decided_at: now(),
                Admission.decided_by: actor.user_id,
                Admission.decision_reason: reason,
                Admission.tender_score: body.tender_score,
            }
        ).where(Admission.id == admission_id)
        admission = await get_admission(actor, admission_id)
        await record(
            actor,
            "decide_admission",
            ENTITY,
            admission_id,
            organisation_id=actor.organisation_id,
            details={
                "decision": status,
                "reason": reason,
                "tender_score": body.tender_score,
                "provider_id": admission.provider_id,
                "lot": admission.lot_code,
                "areas": [area.code for area in admission.areas],
            },
        )
        await _email_decision(actor, admission)
        if body.tender_score is not None:
            await rerank(row["commissioner"], [admission.provider_id])
    return admission


async def _email_decision(actor: Principal, admission: schemas.Admission) -> None:
    emails = await active_user_emails([admission.provider_id])
    context = {
        "provider": admission.provider_name,
        "commissioner": actor.organisation_name,
        "lot_code": admission.lot_code,
        "lot_name": (await names_of_codes())[1].get(admission.lot_code, admission.lot_code),
        "areas": [area.name for area in admission.areas],
        "approved": admission.status == "approved",
        "reason": admission.decision_reason,
        "tender_score": admission.tender_score,
    }
    for email in emails:
        await add_email(email, "admission_decided", context)
