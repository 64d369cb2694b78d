"""The award pages: the commissioner's evaluation (table, chart, award form, standstill
countdown), pilot scoring, the award report, and the provider's own outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.awards import award as service
from marketplace.awards import queries as views
from marketplace.awards import scoring
from marketplace.awards.choice import check_choice, chosen_bids
from marketplace.awards.closing import approve_opening
from marketplace.awards.engine.values import ABNORMALLY_LOW
from marketplace.awards.outcome_reading import record_reading
from marketplace.awards.tables import Award
from marketplace.awards.web import forms
from marketplace.awards.words import FACTOR_WORDS, OUTCOME_WORDS, figure_lines
from marketplace.bids.opening import opened_bids
from marketplace.errors import DomainError, FieldError, NotAllowed, NotFound
from marketplace.principal import Principal
from marketplace.tenders.call_offs.forms import KINDS
from marketplace.tenders.call_offs.pages import call_off_page
from marketplace.tenders.call_offs.status import DECIDED, STATUS_CONTEXT
from marketplace.tenders.opportunities.feed import opportunity
from marketplace.web.banners import done
from marketplace.web.forms import FormBody, error_summary, form_errors
from marketplace.web.labels import PAGE_WORDS
from marketplace.web.security import SignedIn, role_in

VARY = {"Vary": "HX-Request"}


async def _evaluation_page(
    principal: Principal,
    call_off_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    terms = await views.own_terms(principal, call_off_id)
    evaluation = await views.evaluation_view(terms)
    award = None
    if await Award.exists().where(Award.call_off == call_off_id):
        award = await views.award_view(terms)
    field_errors, error_list = error_summary(
        errors or [], field_id=forms.form_field, label=forms.LABELS
    )
    return Template(
        "commissioner/evaluation.html",
        context={
            "terms": terms,
            "kind_name": KINDS.get(terms.kind, terms.kind),
            "evaluation": evaluation,
            "award": award,
            "chart": forms.chart_data(evaluation),
            "areas": forms.areas_of(evaluation),
            "computed": forms.computed_choice(evaluation),
            "any_low": any(ABNORMALLY_LOW in item.flags for item in evaluation.items),
            "form": form or {},
            "figure_lines": figure_lines,
            "field_errors": field_errors,
            "errors": error_list,
            "can_award": principal.role == "commissioner",
            "factor_words": FACTOR_WORDS,
            **PAGE_WORDS,
            **STATUS_CONTEXT,
        },
        status_code=status,
        headers=VARY,
    )


def _only_commissioners_award(principal: Principal) -> None:
    """An opener reads the evaluation but neither checks nor confirms an award: the error page
    (403) says so in words, before any answer is read."""
    if principal.role != "commissioner":
        raise NotAllowed("Only commissioners award call-offs. You can read the evaluation.")


class AwardPages(Controller):
    path = "/call-offs/{call_off_id:uuid}"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @post("/open")
    async def open(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template | Redirect:
        """An opener approves opening the bids after the deadline (the console's button)."""
        try:
            state = await approve_opening(principal, call_off_id)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise

            return await call_off_page(
                principal, call_off_id, [FieldError("actions", exc.detail)], exc.status_code
            )
        code = "bids-opened" if state.opened else "opening-approved"
        return Redirect(path=done(f"/call-offs/{call_off_id}", code), status_code=303)

    @get("/evaluation")
    async def evaluation(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        return await _evaluation_page(principal, call_off_id)

    @get("/award/standstill")
    async def standstill(
        self, request: Request[Any, Any, Any], principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> Template:
        """The standstill countdown, which htmx refreshes; the whole page for anyone else."""
        if request.headers.get("hx-request") != "true":
            return await _evaluation_page(principal, call_off_id)
        terms = await views.own_terms(principal, call_off_id)
        return Template(
            "commissioner/_standstill.html",
            context={
                "award": await views.award_view(terms),
                "standstill_url": f"/call-offs/{call_off_id}/award/standstill",
                **PAGE_WORDS,
                **STATUS_CONTEXT,
            },
            headers=VARY,
        )

    @post("/award")
    async def confirm(
        self, principal: SignedIn, call_off_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        _only_commissioners_award(principal)
        try:
            terms = await views.own_terms(principal, call_off_id)
            body = forms.award_confirmation(terms.kind, data)
            await service.confirm_award(principal, call_off_id, body)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="award")
            return await _evaluation_page(principal, call_off_id, errors, exc.status_code, data)
        return Redirect(
            path=done(f"/call-offs/{call_off_id}/evaluation#award", "awarded"), status_code=303
        )

    @post("/award/check")
    async def check(
        self, principal: SignedIn, call_off_id: FromPath[UUID], data: FormBody
    ) -> Template:
        """Check your answers before the award: the chosen winners, the departure and its reason,
        and what confirming does. It writes nothing; its button posts the same answers to
        `/award`, which checks the gates again."""
        _only_commissioners_award(principal)
        terms = await views.own_terms(principal, call_off_id)
        try:
            body = forms.award_confirmation(terms.kind, data)
            rows = await views.assessment_rows(call_off_id)
            computed = [(r["bid_id"], r["area_code"]) for r in rows if r["winner"]]
            chosen = chosen_bids(terms, body, computed)
            picked = check_choice(terms, body, chosen, computed, rows)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="award")
            return await _evaluation_page(principal, call_off_id, errors, exc.status_code, data)
        return Template(
            "commissioner/award_check.html",
            context={
                "terms": terms,
                "picked": picked,
                "departed": sorted(chosen, key=str) != sorted(computed, key=str),
                "body": body,
                "answers": [
                    (name, value)
                    for name in sorted(data)
                    if name == "reason"
                    or name.startswith("choice")
                    or name.startswith("abnormally")
                    for value in (data[name] if isinstance(data[name], list) else [data[name]])
                ],
                "figure_lines": figure_lines,
                **PAGE_WORDS,
            },
        )

    @get("/scores/{bid_id:uuid}/{area_code:str}")
    async def scoring(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        bid_id: FromPath[UUID],
        area_code: FromPath[str],
    ) -> Template:
        return await _scoring_page(principal, call_off_id, bid_id, area_code)

    @post("/scores/{bid_id:uuid}/{area_code:str}")
    async def score(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        bid_id: FromPath[UUID],
        area_code: FromPath[str],
        data: FormBody,
    ) -> Template | Redirect:
        try:
            body = forms.pilot_scores(bid_id, area_code, data)
            await scoring.put_scores(principal, call_off_id, body)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="scores")
            return await _scoring_page(
                principal, call_off_id, bid_id, area_code, errors, exc.status_code, data
            )
        return Redirect(
            path=done(f"/call-offs/{call_off_id}/evaluation#evaluation", "scores-saved"),
            status_code=303,
        )

    @get("/award/report")
    async def report(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        terms = await views.own_terms(principal, call_off_id)
        award = await views.award_view(terms)
        return Template(
            "commissioner/award_report.html",
            context={
                "terms": terms,
                "award": award,
                "evaluation": await views.evaluation_view(terms),
                "awarded": {(line.bid_id, line.area_code) for line in award.awards},
                "figure_lines": figure_lines,
                **PAGE_WORDS,
            },
        )


async def _scoring_page(
    principal: Principal,
    call_off_id: UUID,
    bid_id: UUID,
    area_code: str,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    terms = await views.own_terms(principal, call_off_id)
    if terms.pilot is None:
        raise NotFound("Only a pilot's bids are scored")
    bid = next((b for b in await opened_bids(principal, call_off_id) if b.bid_id == bid_id), None)
    offer = None
    if bid is not None and bid.content is not None:
        offer = next((a for a in bid.content.areas if a.area_code == area_code), None)
    if bid is None or offer is None:
        raise NotFound("No such offer")
    item = next(
        (
            i
            for i in (await views.evaluation_view(terms)).items
            if i.bid_id == bid_id and i.area_code == area_code
        ),
        None,
    )
    if item is None:
        raise NotFound("No such offer")
    field_errors, error_list = error_summary(
        errors or [], field_id=forms.form_field, label=forms.LABELS
    )
    return Template(
        "commissioner/scoring.html",
        context={
            "terms": terms,
            "item": item,
            "offer": offer,
            "questions": terms.pilot.questions,
            "form": form or {},
            "field_errors": field_errors,
            "errors": error_list,
            **PAGE_WORDS,
        },
        status_code=status,
    )


class OutcomePages(Controller):
    path = "/my-bids/{call_off_id:uuid}/outcome"
    guards = [role_in("provider")]
    include_in_schema = False

    @get("/")
    async def outcome(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> Template:
        found = await views.provider_outcome(principal, call_off_id)
        o = await opportunity(principal, call_off_id)
        if o.status in DECIDED and principal.user_id is not None:
            await record_reading(principal.user_id, call_off_id, datetime.now(UTC))
        return Template(
            "provider/outcome.html",
            context={
                "o": o,
                "outcome": found,
                "outcome_words": OUTCOME_WORDS,
                "figure_lines": figure_lines,
                "kinds": KINDS,
                **STATUS_CONTEXT,
            },
        )
