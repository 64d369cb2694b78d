"""The second factor in the browser: the code asked after the password, and setting up an
authenticator (a QR code drawn here, never fetched; the key to type; a code to confirm; then
the recovery codes, shown once).

These pages are public: a session waiting for its second factor signs nobody in, so each page
finds its user itself, from the session cookie (waiting for a code or an enrolment), or from a
signed-in session (a provider, or anyone in development, setting one up by choice). Making new
recovery codes needs a signed-in session that passed the second factor (`RecoveryCodePages`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts import two_factor
from marketplace.accounts.authentication import (
    BrowserSignIn,
    pass_second_factor,
    pending_sign_in,
)
from marketplace.accounts.two_factor_rules import RECOVERY_CODES
from marketplace.errors import DomainError, FieldError, WrongState
from marketplace.principal import Principal
from marketplace.web.forms import FormBody, FormReader, error_summary
from marketplace.web.security import SignedIn, requester, session_cookie_header


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def after_password(signed: BrowserSignIn, next_path: str) -> str:
    """Where a browser goes once its password is right: on, or to its second factor."""
    if signed.awaiting is None:
        return next_path
    page = "/sign-in/code" if signed.awaiting == "code" else "/two-factor/enrol"
    return f"{page}?next={quote(next_path, safe='/')}"


def _cookie(request: Request[Any, Any, Any]) -> str | None:
    cookie: str | None = (request.scope.get("auth") or {}).get("cookie")
    return cookie


async def _enrolling_user(request: Request[Any, Any, Any]) -> tuple[Principal, bool] | None:
    """(who is setting up a second factor, whether their session waits for it)."""
    if (signed_in := requester(request)) is not None:
        return signed_in, False
    cookie = _cookie(request)
    pending = await pending_sign_in(cookie) if cookie else None
    if pending is not None and pending.awaiting == "enrolment":
        return pending.user, True
    return None


def _page(
    template: str, status: int = 200, errors: list[FieldError] | None = None, **context: Any
) -> Template:
    field_errors, error_list = error_summary(errors or [])
    return Template(
        template,
        context={**context, "field_errors": field_errors, "errors": error_list},
        status_code=status,
    )


class TwoFactorPages(Controller):
    path = "/"
    opt = {"public": True}

    @get("/sign-in/code", include_in_schema=False)
    async def code_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        cookie = _cookie(request)
        pending = await pending_sign_in(cookie) if cookie else None
        if pending is None or pending.awaiting != "code":
            return Redirect(path="/sign-in", status_code=303)
        return _page("two_factor/code.html", next=_safe_next(next))

    @post("/sign-in/code", include_in_schema=False)
    async def give_code(
        self, request: Request[Any, Any, Any], data: FormBody
    ) -> Template | Redirect:
        read = FormReader(data)
        next_path = _safe_next(read.text("next", strip=False))
        cookie = _cookie(request)
        pending = await pending_sign_in(cookie) if cookie else None
        if cookie is None or pending is None or pending.awaiting != "code":
            return Redirect(path="/sign-in", status_code=303)
        code = read.text("code")
        if not code:
            errors = [FieldError("code", "Enter the code from your authenticator app")]
            return _page("two_factor/code.html", 400, errors, next=next_path)
        try:
            await two_factor.check_code(pending.user.signed_in_user, code, actor=pending.user)
        except DomainError as exc:
            errors = exc.errors or [FieldError("code", exc.detail)]
            return _page("two_factor/code.html", exc.status_code, errors, next=next_path)
        token = await pass_second_factor(cookie)
        return Redirect(
            path=next_path, status_code=303, headers={"set-cookie": session_cookie_header(token)}
        )

    @get("/two-factor/enrol", include_in_schema=False)
    async def enrol_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        found = await _enrolling_user(request)
        if found is None:
            return Redirect(path="/sign-in", status_code=303)
        user, required = found
        return await _enrol_page(user, required, _safe_next(next))

    @post("/two-factor/enrol", include_in_schema=False)
    async def confirm(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        read = FormReader(data)
        next_path = _safe_next(read.text("next", strip=False))
        found = await _enrolling_user(request)
        cookie = _cookie(request)
        if found is None or cookie is None:
            return Redirect(path="/sign-in", status_code=303)
        user, required = found
        code = read.text("code")
        if not code:
            errors = [FieldError("code", "Enter the code from your authenticator app")]
            return await _enrol_page(user, required, next_path, errors)
        try:
            codes = await two_factor.confirm_enrolment(user.signed_in_user, code, actor=user)
        except DomainError as exc:
            return await _enrol_page(
                user, required, next_path, exc.errors or [FieldError("code", exc.detail)]
            )
        token = await pass_second_factor(cookie)
        return Template(
            "two_factor/recovery_codes.html",
            context={"codes": codes, "next": next_path},
            headers={"set-cookie": session_cookie_header(token)},
        )


class RecoveryCodePages(Controller):
    """New recovery codes for a signed-in user who passed the second factor in this session:
    the earlier ones stop working at once, the new ones are shown this once."""

    path = "/two-factor/recovery-codes"
    include_in_schema = False

    @post("/")
    async def regenerate(self, principal: SignedIn) -> Template:
        try:
            codes = await two_factor.regenerate_recovery_codes(principal)
        except DomainError as exc:
            return await _enrolled_page(principal, exc.status_code, exc.detail)
        return Template(
            "two_factor/recovery_codes.html",
            context={"codes": codes, "next": "/two-factor/enrol", "regenerated": True},
        )


async def _enrolled_page(
    user: Principal, status: int = 200, refusal: str | None = None
) -> Template:
    """What an enrolled user sees of their second factor: the recovery codes left, and the
    button that makes new ones."""
    errors = [FieldError("regenerate", refusal)] if refusal else None
    return _page(
        "two_factor/enrolled.html",
        status,
        errors,
        left=await two_factor.recovery_codes_left(user.signed_in_user),
        can_regenerate=user.second_factor,
    )


async def _enrol_page(
    user: Principal, required: bool, next_path: str, errors: list[FieldError] | None = None
) -> Template:
    try:
        enrolment = await two_factor.start_enrolment(user.signed_in_user, user.email)
    except WrongState:
        return await _enrolled_page(user)
    qr = segno.make(enrolment.uri, error="m")
    return _page(
        "two_factor/enrol.html",
        400 if errors else 200,
        errors,
        qr_code=qr.svg_data_uri(scale=5, border=2),
        key=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
        required=required,
        next=next_path,
        recovery_codes=RECOVERY_CODES,
    )
