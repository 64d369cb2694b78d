"""KPI returns (docs/design.md 8.9): the lots' templates, opening each quarter's returns with
what the marketplace recorded pre-filled, the provider's answers (corrections kept beside the
pre-filled values) and the submission, after which a return is locked and archived."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from marketplace.accounts.queries import organisation_names
from marketplace.archive.service import store_document
from marketplace.audit.service import record
from marketplace.bids.queries import declines_on_lot
from marketplace.care.queries import care_on_lot
from marketplace.config import get_settings
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, WrongState
from marketplace.kpi import rules, schemas
from marketplace.kpi.tables import KpiAnswer, KpiMeasure, KpiReturn
from marketplace.pagination import decode_cursor, encode_cursor, not_given_out
from marketplace.principal import COMMISSIONER_ROLES, Principal
from marketplace.web.exports import csv_line

ENTITY = "kpi_return"


def zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


@dataclass(frozen=True)
class MeasureSeed:
    reference: str
    measure: str
    kind: str
    reasons_required: bool = False
    prefill: str | None = None


async def ensure_measures(lot_id: UUID, seeds: Iterable[MeasureSeed]) -> int:
    """Give the lot these measures where its template lacks them (by reference): how many were
    created. Existing measures are left as they are."""
    created = 0
    async with write_transaction():
        known = {
            row["reference"]
            for row in await KpiMeasure.select(KpiMeasure.reference).where(KpiMeasure.lot == lot_id)
        }
        for position, seed in enumerate(seeds, start=1):
            if seed.kind not in rules.KINDS:
                raise ValueError(f"{seed.reference}: unknown kind {seed.kind}")
            if seed.prefill is not None and seed.prefill not in rules.PREFILL_SOURCES:
                raise ValueError(f"{seed.reference}: unknown pre-fill {seed.prefill}")
            if seed.reference in known:
                continue
            await KpiMeasure(
                lot=lot_id,
                reference=seed.reference,
                position=position,
                measure=seed.measure,
                kind=seed.kind,
                reasons_required=seed.reasons_required,
                prefill=seed.prefill,
            ).save()
            created += 1
    return created


def _moment(day: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone()).astimezone(UTC)


async def _quarter_facts(lot_id: UUID, quarter: rules.Quarter) -> tuple[list[Any], list[Any]]:
    """The care on the lot by the quarter's end and the call-offs turned down in it."""
    care = await care_on_lot(lot_id, quarter.last_day)
    declines = await declines_on_lot(
        lot_id, _moment(quarter.first_day), _moment(quarter.following.first_day)
    )
    return care, declines


def _facts_of(
    care: list[Any], declines: list[Any], commissioner_id: UUID, provider_id: UUID
) -> tuple[list[rules.CareFact], list[rules.DeclineFact]]:
    """One provider's care for one commissioner, and its turn-downs of that commissioner."""
    facts = [
        _fact(c)
        for c in care
        if c.commissioner_id == commissioner_id and c.provider_id == provider_id
    ]
    turned_down = [
        rules.DeclineFact(
            declined_on=d.declined_at.astimezone(zone()).date(),
            reason=d.reason,
            text=d.text,
            call_off_kind=d.call_off_kind,
        )
        for d in declines
        if d.commissioner_id == commissioner_id and d.provider_id == provider_id
    ]
    return facts, turned_down


async def open_returns(quarter: rules.Quarter) -> int:
    """Open the quarter's returns: one for every provider with care active on a lot (that has a
    template) at some time in the quarter, to each commissioner of that care, its answers
    pre-filled from what the marketplace recorded. Idempotent: how many were opened."""
    lots = {row["lot"] for row in await KpiMeasure.select(KpiMeasure.lot).distinct()}
    due = rules.due_on(quarter, get_settings().kpi_due_working_days)
    opened = 0
    for lot_id in sorted(lots):
        care, declines = await _quarter_facts(lot_id, quarter)
        owing = sorted(
            {(c.commissioner_id, c.provider_id) for c in care if rules.active_in(_fact(c), quarter)}
        )
        measures = await KpiMeasure.select().where(KpiMeasure.lot == lot_id)
        for commissioner_id, provider_id in owing:
            facts, turned_down = _facts_of(care, declines, commissioner_id, provider_id)
            opened += await _open_one(
                commissioner_id, lot_id, provider_id, quarter, due, measures, facts, turned_down
            )
    return opened


async def refresh_prefill(row: dict[str, Any]) -> bool:
    """Bring an open return's pre-filled values up to what the marketplace records now (care
    recorded after the return opened): the provider's corrections are kept, a value the provider
    left as the old pre-fill follows the new one, and a submitted return never changes. True
    when something changed."""
    if row["status"] != "open":
        return False
    quarter = rules.Quarter(row["year"], row["quarter"])
    care, declines = await _quarter_facts(row["lot"], quarter)
    facts, turned_down = _facts_of(care, declines, row["commissioner"], row["provider"])
    measures = await KpiMeasure.select(KpiMeasure.id, KpiMeasure.prefill).where(
        KpiMeasure.lot == row["lot"]
    )
    fresh = {m["id"]: rules.prefill(m["prefill"], quarter, facts, turned_down) for m in measures}

    async def changed_answers() -> list[tuple[dict[str, Any], rules.Prefill]]:
        answers = await KpiAnswer.select().where(KpiAnswer.kpi_return == row["id"])
        return [
            (a, fresh[a["measure"]])
            for a in answers
            if a["measure"] in fresh
            and (a["prefilled_value"], a["prefilled_reasons"])
            != (fresh[a["measure"]].value, fresh[a["measure"]].reasons)
        ]

    if not await changed_answers():
        return False  # nothing to write: no write transaction for a plain read
    async with write_transaction():
        # Read again under the return's lock: an answer saved meanwhile is the provider's own.
        locked = await for_update(
            KpiReturn.select(KpiReturn.status).where(KpiReturn.id == row["id"])
        )
        if not locked or locked[0]["status"] != "open":
            return False
        changed = await changed_answers()
        if not changed:
            return False
        for answer, filled in changed:
            update: dict[Any, Any] = {
                KpiAnswer.prefilled_value: filled.value,
                KpiAnswer.prefilled_reasons: filled.reasons,
            }
            if not _corrected(answer):
                update |= {KpiAnswer.value: None, KpiAnswer.reasons: None}
            await KpiAnswer.update(update).where(KpiAnswer.id == answer["id"])
        await record(
            None,
            "refresh_kpi_return",
            ENTITY,
            row["id"],
            organisation_id=row["commissioner"],
            details={"measures": len(changed)},
        )
    return True


def _fact(c: Any) -> rules.CareFact:
    return rules.CareFact(
        status=c.status,
        awarded_on=c.awarded_on,
        actual_start=c.actual_start,
        ended_on=c.ended_on,
        handed_back_on=c.handed_back_on,
        end_reason=c.end_reason,
        last_care_date=c.last_care_date,
        area=c.area,
    )


async def _open_one(
    commissioner_id: UUID,
    lot_id: UUID,
    provider_id: UUID,
    quarter: rules.Quarter,
    due: Any,
    measures: list[dict[str, Any]],
    care: list[rules.CareFact],
    declines: list[rules.DeclineFact],
) -> int:
    async with write_transaction():
        inserted = (
            await KpiReturn.insert(
                KpiReturn(
                    commissioner=commissioner_id,
                    lot=lot_id,
                    provider=provider_id,
                    year=quarter.year,
                    quarter=quarter.number,
                    due_on=due,
                    status="open",
                    opened_at=datetime.now(UTC),
                )
            )
            .on_conflict(
                target=(
                    KpiReturn.commissioner,
                    KpiReturn.lot,
                    KpiReturn.provider,
                    KpiReturn.year,
                    KpiReturn.quarter,
                ),
                action="DO NOTHING",
            )
            .returning(KpiReturn.id)
        )
        if not inserted:
            return 0
        return_id = inserted[0]["id"]
        for measure in measures:
            filled = rules.prefill(measure["prefill"], quarter, care, declines)
            await KpiAnswer(
                kpi_return=return_id,
                measure=measure["id"],
                prefilled_value=filled.value,
                prefilled_reasons=filled.reasons,
            ).save()
        await record(
            None,
            "open_kpi_return",
            ENTITY,
            return_id,
            organisation_id=commissioner_id,
            details={"provider": provider_id, "year": quarter.year, "quarter": quarter.number},
        )
    return 1


async def _visible_row(actor: Principal, return_id: UUID, *, lock: bool = False) -> dict[str, Any]:
    query = KpiReturn.select().where(KpiReturn.id == return_id)
    rows = await (for_update(query) if lock else query)
    row = rows[0] if rows else None
    if row is None or actor.organisation_id not in (row["provider"], row["commissioner"]):
        raise NotFound("KPI return not found")
    return dict(row)


async def _present(row: dict[str, Any]) -> schemas.KpiReturn:
    answers = (
        await KpiAnswer.select(
            *KpiAnswer.all_columns(),
            KpiAnswer.measure.reference.as_alias("reference"),
            KpiAnswer.measure.measure.as_alias("measure_words"),
            KpiAnswer.measure.kind.as_alias("kind"),
            KpiAnswer.measure.reasons_required.as_alias("reasons_required"),
            KpiAnswer.measure.position.as_alias("position"),
        )
        .where(KpiAnswer.kpi_return == row["id"])
        .order_by(KpiAnswer.measure.position)
    )
    names = await organisation_names([row["provider"], row["commissioner"]])
    quarter = rules.Quarter(row["year"], row["quarter"])
    return schemas.KpiReturn(
        id=row["id"],
        commissioner_id=row["commissioner"],
        commissioner_name=names.get(row["commissioner"], ""),
        provider_id=row["provider"],
        provider_name=names.get(row["provider"], ""),
        lot_id=row["lot"],
        year=row["year"],
        quarter=row["quarter"],
        quarter_label=quarter.label,
        due_on=row["due_on"],
        status=row["status"],
        submitted_at=row["submitted_at"],
        document_id=row["document"],
        sha256=row["sha256"],
        answers=[
            schemas.Answer(
                reference=a["reference"],
                measure=a["measure_words"],
                kind=a["kind"],
                reasons_required=a["reasons_required"],
                prefilled_value=a["prefilled_value"],
                prefilled_reasons=a["prefilled_reasons"],
                value=a["value"],
                reasons=a["reasons"],
                corrected=_corrected(a),
            )
            for a in answers
        ],
    )


def _corrected(answer: dict[str, Any]) -> bool:
    """The provider's value differs from the pre-filled one (both kept)."""
    return answer["value"] is not None and (answer["value"], answer["reasons"]) != (
        answer["prefilled_value"],
        answer["prefilled_reasons"],
    )


async def get_return(actor: Principal, return_id: UUID) -> schemas.KpiReturn:
    """One return; while it is open, its pre-filled values as the marketplace records them now."""
    row = await _visible_row(actor, return_id)
    if await refresh_prefill(row):
        row = await _visible_row(actor, return_id)
    return await _present(row)


def _own_open(actor: Principal, row: dict[str, Any]) -> None:
    if actor.role != "provider" or actor.organisation_id != row["provider"]:
        raise NotAllowed("Only the provider completes its KPI return")
    if row["status"] != "open":
        raise WrongState("The KPI return was submitted: it can no longer change")


async def answer_return(
    actor: Principal, return_id: UUID, body: schemas.AnswersPut
) -> schemas.KpiReturn:
    """Record the provider's values (a correction of a pre-filled value keeps both): only while
    the return is open; each value is checked against its measure's kind."""
    async with write_transaction():
        row = await _visible_row(actor, return_id, lock=True)
        _own_open(actor, row)
        measures = {
            a["reference"]: a
            for a in await KpiAnswer.select(
                KpiAnswer.id,
                KpiAnswer.measure.reference.as_alias("reference"),
                KpiAnswer.measure.kind.as_alias("kind"),
                KpiAnswer.measure.reasons_required.as_alias("reasons_required"),
            ).where(KpiAnswer.kpi_return == return_id)
        }
        errors: list[FieldError] = []
        for given in body.answers:
            measure = measures.get(given.reference)
            field = f"answers.{given.reference}"
            if measure is None:
                errors.append(FieldError(field, "Is not a measure of this return", "unknown"))
                continue
            errors += rules.answer_errors(
                field, measure["kind"], measure["reasons_required"], given.value, given.reasons
            )
        if errors:
            raise BadInput("Some values need correcting", errors)
        now = datetime.now(UTC)
        for given in body.answers:
            await KpiAnswer.update(
                {
                    KpiAnswer.value: (given.value or "").strip(),
                    KpiAnswer.reasons: given.reasons.strip() if given.reasons else None,
                    KpiAnswer.answered_at: now,
                }
            ).where(KpiAnswer.id == measures[given.reference]["id"])
        await record(
            actor,
            "answer_kpi_return",
            ENTITY,
            return_id,
            organisation_id=row["commissioner"],
            details={"references": [a.reference for a in body.answers]},
        )
    return await get_return(actor, return_id)


def _as_csv(kpi_return: schemas.KpiReturn) -> bytes:
    """The return as archived: CSV written as every export is (`csv_line`: a spreadsheet never
    takes the provider's words for a formula)."""
    lines: list[list[Any]] = [
        ["Provider", kpi_return.provider_name],
        ["Commissioner", kpi_return.commissioner_name],
        ["Quarter", kpi_return.quarter_label],
        ["KPI reference", "Measure", "Value", "Reasons", "Pre-filled value", "Pre-filled reasons"],
        *(
            [a.reference, a.measure, a.value, a.reasons, a.prefilled_value, a.prefilled_reasons]
            for a in kpi_return.answers
        ),
    ]
    return "".join(csv_line(line) for line in lines).encode()


async def submit_return(actor: Principal, return_id: UUID) -> schemas.KpiReturn:
    """Submit an open return whose every measure has a value (a pre-filled value the provider did
    not change counts as given): it is locked, archived as CSV with its SHA-256, and audited."""
    async with write_transaction():
        row = await _visible_row(actor, return_id, lock=True)
        _own_open(actor, row)
        await refresh_prefill(row)
        # Untouched pre-filled answers become the provider's own.
        await KpiAnswer.update(
            {
                KpiAnswer.value: KpiAnswer.prefilled_value,
                KpiAnswer.reasons: KpiAnswer.prefilled_reasons,
                KpiAnswer.answered_at: datetime.now(UTC),
            }
        ).where((KpiAnswer.kpi_return == return_id) & KpiAnswer.value.is_null())
        current = await _present(row)
        errors: list[FieldError] = []
        for a in current.answers:
            errors += rules.answer_errors(
                f"answers.{a.reference}", a.kind, a.reasons_required, a.value, a.reasons
            )
        if errors:
            raise BadInput("Complete every measure before you submit", errors)
        document = await store_document(
            actor,
            f"kpi-return-{current.year}-q{current.quarter}.csv",
            _as_csv(current),
            "commissioner_only",
        )
        now = datetime.now(UTC)
        await KpiReturn.update(
            {
                KpiReturn.status: "submitted",
                KpiReturn.submitted_at: now,
                KpiReturn.submitted_by: actor.user_id,
                KpiReturn.document: document.id,
                KpiReturn.sha256: document.sha256,
            }
        ).where(KpiReturn.id == return_id)
        await record(
            actor,
            "submit_kpi_return",
            ENTITY,
            return_id,
            organisation_id=row["commissioner"],
            details={"document": document.id, "sha256": document.sha256},
        )
    return await get_return(actor, return_id)


# The statuses a commissioner's list filters by: `open` (to complete, not yet overdue),
# `overdue` (open after its due date) and `submitted`.
RETURN_STATUSES = ("open", "overdue", "submitted")


@dataclass(frozen=True)
class ReturnFilters:
    """The filters of the list of returns (a commissioner's page and its export): blank is all."""

    lot_code: str | None = None
    quarter: rules.Quarter | None = None
    provider_id: UUID | None = None
    status: str | None = None


def return_filters(query: Mapping[str, str | None]) -> ReturnFilters:
    """The filters a page's query names (`lot`, `quarter` as 2026-Q3, `provider_id`, `status`):
    blank or unknown is all, as the page reads them."""
    try:
        provider_id = UUID(query.get("provider_id") or "")
    except ValueError:
        provider_id = None
    status = query.get("status")
    return ReturnFilters(
        lot_code=query.get("lot") or None,
        quarter=rules.quarter_named(query.get("quarter")),
        provider_id=provider_id,
        status=status if status in RETURN_STATUSES else None,
    )


def _status_of(row_status: str, due: Any, today: Any) -> str:
    return "overdue" if row_status == "open" and today > due else row_status


def _filtered(query: Any, r: Any, actor: Principal, filters: ReturnFilters, today: Any) -> Any:
    """The query (of returns, or of answers through `r`, their return) narrowed to the actor's
    organisation's returns under the filters."""
    if actor.role in COMMISSIONER_ROLES:
        query = query.where(r.commissioner == actor.organisation_id)
    else:
        query = query.where(r.provider == actor.organisation_id)
    if filters.lot_code:
        query = query.where(r.lot.code == filters.lot_code)
    if filters.quarter is not None:
        query = query.where(
            (r.year == filters.quarter.year) & (r.quarter == filters.quarter.number)
        )
    if filters.provider_id is not None:
        query = query.where(r.provider == filters.provider_id)
    if filters.status == "submitted":
        query = query.where(r.status == "submitted")
    elif filters.status == "overdue":
        query = query.where((r.status == "open") & (r.due_on < today))
    elif filters.status == "open":
        query = query.where((r.status == "open") & (r.due_on >= today))
    return query


async def list_returns(
    actor: Principal,
    year: int | None = None,
    quarter: int | None = None,
    filters: ReturnFilters | None = None,
) -> list[schemas.KpiReturnSummary]:
    """The returns the actor's organisation owes (a provider) or is owed (a commissioner)."""
    if actor.organisation_id is None:
        return []
    today = datetime.now(zone()).date()
    query = KpiReturn.select(
        *KpiReturn.all_columns(),
        KpiReturn.lot.code.as_alias("lot_code"),
        KpiReturn.lot.name.as_alias("lot_name"),
    )
    query = _filtered(query, KpiReturn, actor, filters or ReturnFilters(), today)
    if year is not None:
        query = query.where(KpiReturn.year == year)
    if quarter is not None:
        query = query.where(KpiReturn.quarter == quarter)
    rows = await query.order_by(KpiReturn.year, ascending=False).order_by(
        KpiReturn.quarter, ascending=False
    )
    names = await organisation_names(
        {r["provider"] for r in rows} | {r["commissioner"] for r in rows}
    )
    return [
        schemas.KpiReturnSummary(
            id=r["id"],
            commissioner_name=names.get(r["commissioner"], ""),
            provider_id=r["provider"],
            provider_name=names.get(r["provider"], ""),
            lot_code=r["lot_code"],
            lot_name=r["lot_name"],
            year=r["year"],
            quarter=r["quarter"],
            due_on=r["due_on"],
            status=r["status"],
            overdue=_status_of(r["status"], r["due_on"], today) == "overdue",
            submitted_at=r["submitted_at"],
        )
        for r in rows
    ]


def _answer_cursor(cursor: str | None) -> tuple[int, int, UUID, int] | None:
    if not cursor:
        return None
    parts = decode_cursor(cursor).split("|")
    try:
        year, quarter, return_id, position = parts
        return int(year), int(quarter), UUID(return_id), int(position)
    except ValueError:
        raise not_given_out() from None


async def answer_rows(
    actor: Principal, filters: ReturnFilters, limit: int, cursor: str | None
) -> tuple[list[schemas.AnswerRow], str | None]:
    """A commissioner's returns under the list's filters, a row per return and measure (latest
    quarter first, each return's measures in the template's order), a keyset page at a time."""
    if actor.role not in COMMISSIONER_ROLES or actor.organisation_id is None:
        raise NotAllowed("Only commissioner staff export KPI returns")
    after = _answer_cursor(cursor)
    today = datetime.now(zone()).date()
    r = KpiAnswer.kpi_return
    position = KpiAnswer.measure.position
    query = KpiAnswer.select(
        *KpiAnswer.all_columns(),
        r.provider.as_alias("provider"),
        r.year.as_alias("year"),
        r.quarter.as_alias("quarter"),
        r.due_on.as_alias("due_on"),
        r.status.as_alias("status"),
        r.submitted_at.as_alias("submitted_at"),
        r.sha256.as_alias("sha256"),
        r.lot.name.as_alias("lot_name"),  # type: ignore[union-attr]
        KpiAnswer.measure.reference.as_alias("reference"),
        KpiAnswer.measure.measure.as_alias("measure_words"),
        KpiAnswer.measure.kind.as_alias("kind"),
        position.as_alias("position"),
    )
    query = _filtered(query, r, actor, filters, today)
    if after is not None:
        year, quarter, return_id, at = after
        same_quarter = (r.year == year) & (r.quarter == quarter)
        query = query.where(
            (r.year < year)
            | ((r.year == year) & (r.quarter < quarter))
            | (same_quarter & (KpiAnswer.kpi_return > return_id))
            | (same_quarter & (KpiAnswer.kpi_return == return_id) & (position > at))
        )
    rows = (
        await query.order_by(r.year, r.quarter, ascending=False)
        .order_by(KpiAnswer.kpi_return, position)
        .limit(limit + 1)
    )
    names = await organisation_names({row["provider"] for row in rows})
    page = [
        schemas.AnswerRow(
            return_id=row["kpi_return"],
            provider_name=names.get(row["provider"], ""),
            lot_name=row["lot_name"],
            quarter=rules.Quarter(row["year"], row["quarter"]).key,
            due_on=row["due_on"],
            status=_status_of(row["status"], row["due_on"], today),
            reference=row["reference"],
            measure=row["measure_words"],
            kind=row["kind"],
            prefilled_value=row["prefilled_value"],
            prefilled_reasons=row["prefilled_reasons"],
            value=row["value"],
            reasons=row["reasons"],
            corrected=_corrected(row),
            submitted_at=row["submitted_at"],
            sha256=row["sha256"],
        )
        for row in rows[:limit]
    ]
    if len(rows) <= limit:
        return page, None
    last = rows[limit - 1]
    key = f"{last['year']}|{last['quarter']}|{last['kpi_return']}|{last['position']}"
    return page, encode_cursor(key)


@dataclass(frozen=True)
class QuarterCount:
    """A quarter's returns to a commissioner: how many were received, are overdue, are open."""

    label: str
    year: int
    quarter: int
    received: int
    overdue: int
    open: int


def returns_by_quarter(returns: list[schemas.KpiReturnSummary]) -> list[QuarterCount]:
    counts: dict[tuple[int, int], list[schemas.KpiReturnSummary]] = {}
    for r in returns:
        counts.setdefault((r.year, r.quarter), []).append(r)
    return [
        QuarterCount(
            label=rules.Quarter(year, quarter).label,
            year=year,
            quarter=quarter,
            received=sum(r.status == "submitted" for r in these),
            overdue=sum(r.overdue for r in these),
            open=sum(r.status == "open" and not r.overdue for r in these),
        )
        for (year, quarter), these in sorted(counts.items(), reverse=True)
    ]


@dataclass(frozen=True)
class MeasureTable:
    """One KPI across providers (rows) and quarters (columns): the submitted values."""

    lot: str
    reference: str
    measure: str
    kind: str
    quarters: list[str]
    rows: list[tuple[str, list[str | None]]]


async def measure_tables(actor: Principal) -> list[MeasureTable]:
    """Each KPI of the commissioner's submitted returns, per provider and quarter (oldest quarter
    first); a provider's cell is empty for a quarter it did not submit."""
    if actor.role not in COMMISSIONER_ROLES or actor.organisation_id is None:
        raise NotAllowed("Only commissioner staff see the KPIs across providers")
    rows = await KpiAnswer.select(
        KpiAnswer.value,
        KpiAnswer.kpi_return.provider.as_alias("provider"),
        KpiAnswer.kpi_return.year.as_alias("year"),
        KpiAnswer.kpi_return.quarter.as_alias("quarter"),
        KpiAnswer.measure.id.as_alias("measure_id"),
        KpiAnswer.measure.lot.name.as_alias("lot"),  # type: ignore[union-attr]
        KpiAnswer.measure.reference.as_alias("reference"),
        KpiAnswer.measure.measure.as_alias("measure"),
        KpiAnswer.measure.kind.as_alias("kind"),
        KpiAnswer.measure.position.as_alias("position"),
    ).where(
        (KpiAnswer.kpi_return.commissioner == actor.organisation_id)
        & (KpiAnswer.kpi_return.status == "submitted")
    )
    names = await organisation_names({row["provider"] for row in rows})
    by_measure: dict[UUID, list[dict[str, Any]]] = {}
    for row in rows:
        by_measure.setdefault(row["measure_id"], []).append(row)
    tables = []
    for these in sorted(by_measure.values(), key=lambda t: (t[0]["lot"], t[0]["position"])):
        quarters = sorted({(r["year"], r["quarter"]) for r in these})
        values = {(r["provider"], r["year"], r["quarter"]): r["value"] for r in these}
        providers = sorted({r["provider"] for r in these}, key=lambda p: names.get(p, ""))
        first = these[0]
        tables.append(
            MeasureTable(
                lot=first["lot"],
                reference=first["reference"],
                measure=first["measure"],
                kind=first["kind"],
                quarters=[f"Q{q} {y}" for y, q in quarters],
                rows=[
                    (names.get(p, ""), [values.get((p, y, q)) for y, q in quarters])
                    for p in providers
                ],
            )
        )
    return tables
