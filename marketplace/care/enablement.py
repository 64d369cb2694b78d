"""Enablement outcomes (Cornwall's enablement model): when an enablement period ends, the
commissioner records whether each enabling outcome was met; the enablement budget is payable only
when all were; the care continues at the provider's ongoing-support rate either way. Failed
enablements that reach the threshold bar the provider from the commissioner's enablement requests
(admissions keeps the bar)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.admissions.enablement_bars import bar_from_enablement, last_lifted
from marketplace.care import records, rules, schemas
from marketplace.care.tables import AwardedCare, EnablementOutcome
from marketplace.config import get_settings
from marketplace.db import write_transaction
from marketplace.errors import FieldError, NotAllowed, RuleBroken, WrongState
from marketplace.principal import Principal
from marketplace.tenders.call_offs.lifecycle import enablement_terms
from marketplace.units import pounds


def bar_threshold() -> tuple[int, int]:
    """How many failed enablements within how many months bar a provider (configurable with
    MARKETPLACE_ENABLEMENT_BAR_FAILURES and MARKETPLACE_ENABLEMENT_BAR_MONTHS)."""
    settings = get_settings()
    return (
        settings.enablement_bar_failures or rules.FAILED_ENABLEMENTS_FOR_BAR,
        settings.enablement_bar_months or rules.BAR_WINDOW_MONTHS,
    )


async def enablement_view(row: dict[str, Any]) -> schemas.Enablement | None:
    """An enablement's budget, outcomes (met or not, once recorded) and the end of its period."""
    if row["kind"] != "enablement":
        return None
    terms = await enablement_terms(row["call_off"])
    if terms is None:
        return None
    recorded = {
        r["position"]: r["met"]
        for r in await EnablementOutcome.select().where(EnablementOutcome.care == row["id"])
    }
    start = row["actual_start"]
    return schemas.Enablement(
        budget_pence=terms.budget_pence,
        weeks=terms.weeks,
        outcomes=[
            schemas.Outcome(outcome=text, met=recorded.get(position))
            for position, text in enumerate(terms.outcomes, start=1)
        ],
        ends_on=rules.enablement_ends_on(start, terms.weeks) if start else None,
        result=row["enablement_result"],
        budget_payable=row["enablement_result"] == "met",
        recorded_at=row["enablement_recorded_at"],
    )


def _answers(outcomes: list[str], body: schemas.EnablementOutcomes) -> list[bool]:
    """Whether each of the enablement's outcomes was met, in its order: every outcome once."""
    position = {text: index for index, text in enumerate(outcomes)}
    met: dict[int, bool] = {}
    errors = []
    for index, given in enumerate(body.outcomes):
        found = position.get(given.outcome.strip())
        if found is None:
            errors.append(
                FieldError(f"outcomes[{index}].outcome", "is not an outcome of this care")
            )
        elif found in met:
            errors.append(FieldError(f"outcomes[{index}].outcome", "is given twice"))
        else:
            met[found] = given.met
    missing = [text for text, index in position.items() if index not in met]
    if missing:
        errors.append(FieldError("outcomes", f"misses {'; '.join(missing)}"))
    if errors:
        raise RuleBroken("Say once for every enabling outcome whether it was met", errors)
    return [met[index] for index in range(len(outcomes))]


async def _failures_counted(row: dict[str, Any], months: int) -> int:
    """The provider's failed enablements with this commissioner within the months before today,
    not counting those before a bar was last lifted."""
    tz = ZoneInfo(get_settings().timezone)
    since = datetime.combine(rules.months_before(records.today(), months), time(), tz)
    lifted = await last_lifted(row["commissioner"], row["provider"])
    if lifted is not None:
        since = max(since, lifted)
    return int(
        await AwardedCare.count().where(
            (AwardedCare.commissioner == row["commissioner"])
            & (AwardedCare.provider == row["provider"])
            & (AwardedCare.enablement_result == "failed")
            & (AwardedCare.enablement_recorded_at >= since.astimezone(UTC))
        )
    )


async def record_outcomes(
    actor: Principal, care_id: UUID, body: schemas.EnablementOutcomes
) -> None:
    """The commissioner records, once the enablement period has ended, whether each enabling
    outcome was met. All met: the budget is payable. Otherwise the enablement failed, and the
    failure that reaches the threshold bars the provider from enablement requests."""
    actor.commissioner_organisation(NotAllowed("Only the commissioner records enablement outcomes"))
    async with write_transaction():
        row = await records.care_row(actor, care_id, lock=True)
        terms = await enablement_terms(row["call_off"]) if row["kind"] == "enablement" else None
        if terms is None:
            raise WrongState("Only enablement care has enabling outcomes")
        records.require_status(row, rules.CAN_RECORD_ENABLEMENT, "given enablement outcomes")
        if row["enablement_result"] is not None:
            raise WrongState("The enablement outcomes have already been recorded")
        ends_on = rules.enablement_ends_on(row["actual_start"], terms.weeks)
        if records.today() < ends_on:
            raise WrongState(
                f"The enablement period ends on {rules.long_date(ends_on)}: its outcomes are "
                "recorded from that day"
            )
        answers = _answers(terms.outcomes, body)
        now = datetime.now(UTC)
        await EnablementOutcome.insert(
            *[
                EnablementOutcome(
                    care=care_id,
                    position=position,
                    outcome=text,
                    met=met,
                    recorded_at=now,
                    recorded_by=actor.user_id,
                )
                for position, (text, met) in enumerate(zip(terms.outcomes, answers, strict=True), 1)
            ]
        )
        result = "met" if rules.enablement_met(answers) else "failed"
        await AwardedCare.update(
            {AwardedCare.enablement_result: result, AwardedCare.enablement_recorded_at: now}
        ).where(AwardedCare.id == care_id)
        sentence = (
            f"Enablement outcomes recorded: {sum(answers)} of {len(answers)} met. The enablement "
            f"budget of {pounds(terms.budget_pence)} is "
            + (
                "payable"
                if result == "met"
                else "not payable: only the visits delivered are charged"
            )
            + f"; care continues at the ongoing rate of {pounds(row['hourly_rate_pence'])}/h"
        )
        details: dict[str, Any] = {"result": result, "met": answers}
        if result == "failed":
            threshold, months = bar_threshold()
            failures = await _failures_counted(row, months)
            details["failed_enablements"] = failures
            if rules.bar_due(failures, threshold) and await bar_from_enablement(
                row["commissioner"], row["provider"], failures, months
            ):
                sentence += (
                    f". With {failures} failed enablements in {months} months the provider is "
                    "barred from enablement requests until a commissioner lifts the bar"
                )
                details["barred"] = True
        await records.happened(
            actor, row, "record_enablement_outcomes", "Enablement outcomes", sentence, details
        )
