"""The admission pages: a provider applies to join a lot in areas (accepting the lot's maximum
prices), adds evidence while it waits and reads its applications and decisions; the deciding
commissioner's staff list the applications waiting, open one and approve it (with the tender
score) or reject it with a reason; admins read every application."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.admissions import applications, decisions, schemas
from marketplace.errors import BadInput, DomainError, FieldError, NotFound
from marketplace.principal import Principal
from marketplace.reference import queries as reference
from marketplace.web.forms import FormBody, FormReader, Labels, error_summary, form_errors
from marketplace.web.security import SignedIn, role_in

EVERYONE = role_in("admin", "commissioner", "opener", "provider")
COMMISSIONER_STAFF = role_in("commissioner", "opener")
MultipartBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
PAGE_SIZE = 25
STATUS_WORDS = {"applied": "Waiting for a decision", "approved": "Approved", "rejected": "Rejected"}
STATUS_TAGS = {
    "applied": "govuk-tag--blue",
    "approved": "govuk-tag--green",
    "rejected": "govuk-tag--red",
}
LABELS = Labels(
    {
        "lot_code": "The lot",
        "area_codes": "The areas",
        "accepts_maximum_prices": "The acceptance of the maximum prices",
        "decision": "The decision",
        "reason": "The reason",
        "tender_score": "The tender score",
        "file": "The file",
    }
)
WORDS = {"status_words": STATUS_WORDS, "status_tags": STATUS_TAGS}


def _field(name: str) -> str:
    """The form's input an error is about (`area_codes[1]` -> `area_codes`)."""
    return name.split("[")[0]


def _errors(errors: list[FieldError]) -> dict[str, Any]:
    field_errors, error_list = error_summary(errors, field_id=_field, label=LABELS)
    return {"field_errors": field_errors, "errors": error_list}


async def _apply_page(
    form: dict[str, Any], errors: list[FieldError] | None = None, status: int = 200
) -> Template:
    areas = await reference.areas_with_commissioners()
    lots = await reference.lots()
    names = {row["code"]: row["name"] for row in [*areas, *lots]}
    # The service names areas by code; the page by name.
    named = [
        FieldError(e.field, " ".join(names.get(word, word) for word in e.message.split(" ")))
        for e in errors or []
    ]
    return Template(
        "admissions/apply.html",
        context={
            "lots": lots,
            "areas": areas,
            "form": form,
            **_errors(named),
        },
        status_code=status,
    )


def _apply_body(read: FormReader) -> schemas.AdmissionCreate:
    """The application form: a lot, at least one area, and the acceptance of the maximum prices
    (every missing answer named at once)."""
    lot_code = read.text("lot_code")
    area_codes = read.choices("area_codes")
    accepts = read.ticked("accepts_maximum_prices")
    if not lot_code:
        read.refuse("lot_code", "Choose the lot you apply to join")
    if not area_codes:
        read.refuse("area_codes", "Choose at least one area")
    if not accepts:
        read.refuse(
            "accepts_maximum_prices",
            "Confirm that you accept the lot's maximum prices, night rates included",
        )
    read.check("The application is not complete")
    return schemas.AdmissionCreate(
        lot_code=lot_code[:40],
        area_codes=[c[:40] for c in area_codes][:100],
        accepts_maximum_prices=True,
    )


def _decision_body(read: FormReader) -> schemas.AdmissionDecision:
    """The decision form: approve (with an optional tender score 0 to 100) or reject (with a
    reason, and no score)."""
    decision = read.text("decision")
    reason = read.text("reason")
    score = read.whole_number(
        "tender_score",
        default=-1,
        most=100,
        words="Enter the tender score as a whole number from 0 to 100",
    )
    if decision not in ("approve", "reject"):
        read.refuse("decision", "Choose whether to approve or reject the application")
    if decision == "reject" and not reason:
        read.refuse("reason", "Give the reason for rejecting the application")
    if decision == "reject" and score is not None and score >= 0:
        read.refuse("tender_score", "Record a tender score only when approving")
    if len(reason) > 2000:
        read.refuse("reason", "The reason must be 2,000 characters or fewer")
    read.check("The decision is not complete")
    return schemas.AdmissionDecision(
        decision="approve" if decision == "approve" else "reject",
        reason=reason or None,
        tender_score=score if score is not None and score >= 0 else None,
    )


async def _admission_page(
    principal: Principal,
    admission_id: UUID,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    admission = await applications.get_admission(principal, admission_id)
    waiting = admission.status == "applied"
    return Template(
        "admissions/admission.html",
        context={
            "a": admission,
            "may_decide": waiting and principal.organisation_id == admission.commissioner_id,
            "may_add_evidence": waiting and principal.organisation_id == admission.provider_id,
            "form": form or {},
            **_errors(errors or []),
            **WORDS,
        },
        status_code=status,
    )


async def _upload(form: dict[str, Any]) -> tuple[str, bytes] | None:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read()
    await upload.close()
    return upload.filename, content


class AdmissionPages(Controller):
    path = "/admissions"
    include_in_schema = False

    @get("/", guards=[EVERYONE])
    async def index(
        self,
        principal: SignedIn,
        status: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        # Commissioner staff start with the applications waiting for them.
        chosen = status if status in (*STATUS_WORDS, "all") else None
        if chosen is None:
            chosen = "applied" if principal.is_commissioner else "all"
        page = await applications.list_admissions(
            principal, PAGE_SIZE, cursor or None, None if chosen == "all" else chosen
        )
        return Template(
            "admissions/admissions.html",
            context={
                "page": page,
                "chosen": chosen,
                "is_provider": principal.is_provider,
                "is_commissioner": principal.is_commissioner,
                **WORDS,
            },
        )

    @get("/new", guards=[role_in("provider")])
    async def new(self, lot_code: FromQuery[str | None] = None) -> Template:
        return await _apply_page({"lot_code": lot_code or "", "area_codes": []})

    @post("/new", guards=[role_in("provider")])
    async def create(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        read = FormReader(data)
        form = {
            "lot_code": read.text("lot_code"),
            "area_codes": read.choices("area_codes"),
            "accepts_maximum_prices": read.ticked("accepts_maximum_prices"),
        }
        try:
            admission = await applications.apply(principal, _apply_body(read))
        except DomainError as exc:
            return await _apply_page(form, form_errors(exc, otherwise="lot_code"), exc.status_code)
        return Redirect(path=f"/admissions/{admission.id}?applied=1", status_code=303)

    @get("/{admission_id:uuid}", guards=[EVERYONE])
    async def show(self, principal: SignedIn, admission_id: FromPath[UUID]) -> Template:
        return await _admission_page(principal, admission_id)

    @post("/{admission_id:uuid}/decision", guards=[COMMISSIONER_STAFF])
    async def decide(
        self, principal: SignedIn, admission_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        read = FormReader(data)
        form = {name: read.text(name) for name in ("decision", "reason", "tender_score")}
        try:
            await decisions.decide(principal, admission_id, _decision_body(read))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="decision")
            return await _admission_page(principal, admission_id, errors, exc.status_code, form)
        return Redirect(path=f"/admissions/{admission_id}", status_code=303)

    @post("/{admission_id:uuid}/evidence", guards=[role_in("provider")])
    async def evidence(
        self, principal: SignedIn, admission_id: FromPath[UUID], data: MultipartBody
    ) -> Template | Redirect:
        try:
            upload = await _upload(data)
            if upload is None:
                raise BadInput("Choose a file", [FieldError("file", "Choose the evidence file")])
            await applications.attach_evidence(principal, admission_id, *upload)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise="file")
            return await _admission_page(principal, admission_id, errors, exc.status_code)
        return Redirect(path=f"/admissions/{admission_id}", status_code=303)
