"""Sign in and sign out in the browser."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts.authentication import (
    BrowserSignIn,
    end_browser_session,
    end_every_session,
    pending_sign_in,
    sign_in_browser,
)
from marketplace.accounts.two_factor_pages import after_password
from marketplace.errors import FieldError, NotSignedIn, TooManyRequests
from marketplace.web.forms import FormBody, FormReader, error_summary
from marketplace.web.security import requester, session_cookie_header


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _sign_in_page(
    next_path: str,
    email: str = "",
    errors: list[FieldError] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    signed_out_everywhere: bool = False,
) -> Template:
    field_errors, error_list = error_summary(errors or [])
    return Template(
        template_name="sign_in.html",
        context={
            "next": next_path,
            "email": email,
            "field_errors": field_errors,
            "errors": error_list,
            "signed_out_everywhere": signed_out_everywhere,
        },
        status_code=status,
        headers=headers,
    )


class SignInPages(Controller):
    path = "/"
    opt = {"public": True}

    @get("/sign-in")
    async def sign_in_form(
        self,
        request: Request[Any, Any, Any],
        next: FromQuery[str | None] = None,
        signed_out: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        if requester(request) is not None:
            return Redirect(path=_safe_next(next), status_code=303)
        # A session waiting for its second factor (signed in before it was needed, or after
        # the password) goes on to give it rather than the password again.
        cookie: str | None = (request.scope.get("auth") or {}).get("cookie")
        pending = await pending_sign_in(cookie) if cookie else None
        if cookie and pending is not None:
            waiting = BrowserSignIn(cookie, pending.awaiting)
            return Redirect(path=after_password(waiting, _safe_next(next)), status_code=303)
        return _sign_in_page(_safe_next(next), signed_out_everywhere=signed_out == "everywhere")

    @post("/sign-in")
    async def sign_in(self, data: FormBody) -> Template | Redirect:
        read = FormReader(data)
        email = read.text("email")
        password = read.text("password", strip=False)
        next_path = _safe_next(read.text("next", strip=False))
        if not email:
            read.refuse("email", "Enter your email address")
        if not password:
            read.refuse("password", "Enter your password")
        if read.errors:
            return _sign_in_page(next_path, email, read.errors, status=400)
        try:
            signed = await sign_in_browser(email, password)
        except NotSignedIn as exc:
            return _sign_in_page(next_path, email, [FieldError("email", exc.detail)], status=401)
        except TooManyRequests as exc:
            error = [FieldError("email", exc.detail)]
            return _sign_in_page(next_path, email, error, status=429, headers=exc.headers)
        # A new cookie value at sign-in, so that a cookie planted before it is worth nothing.
        return Redirect(
            path=after_password(signed, next_path),
            status_code=303,
            headers={"set-cookie": session_cookie_header(signed.token)},
        )

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(self, request: Request[Any, Any, Any]) -> Redirect:
        principal = requester(request)
        if principal is not None:
            await end_every_session(principal)
        fresh = secrets.token_urlsafe(32)
        return Redirect(
            path="/sign-in?signed_out=everywhere",
            status_code=303,
            headers={"set-cookie": session_cookie_header(fresh)},
        )

    @post("/sign-out")
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        cookie = (request.scope.get("auth") or {}).get("cookie")
        if cookie:
            await end_browser_session(cookie)
        fresh = secrets.token_urlsafe(32)
        return Redirect(
            path="/sign-in", status_code=303, headers={"set-cookie": session_cookie_header(fresh)}
        )
