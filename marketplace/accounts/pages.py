"""Sign in and sign out in the browser."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts.authentication import end_browser_session, start_browser_session
from marketplace.errors import NotSignedIn
from marketplace.web.security import session_cookie_header

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _sign_in_page(
    next_path: str, email: str = "", field_errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    field_errors = field_errors or {}
    return Template(
        template_name="sign_in.html",
        context={
            "next": next_path,
            "email": email,
            "field_errors": field_errors,
            "errors": [{"text": text, "href": f"#{field}"} for field, text in field_errors.items()],
        },
        status_code=status,
    )


class SignInPages(Controller):
    path = "/"
    opt = {"public": True}

    @get("/sign-in")
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        if request.scope.get("user") is not None:
            return Redirect(path=_safe_next(next), status_code=303)
        return _sign_in_page(_safe_next(next))

    @post("/sign-in")
    async def sign_in(self, data: FormBody) -> Template | Redirect:
        email = str(data.get("email", "")).strip()
        password = str(data.get("password", ""))
        next_path = _safe_next(str(data.get("next", "")))
        missing = {}
        if not email:
            missing["email"] = "Enter your email address"
        if not password:
            missing["password"] = "Enter your password"  # noqa: S105 (a message)
        if missing:
            return _sign_in_page(next_path, email, missing, status=400)
        try:
            token = await start_browser_session(email, password)
        except NotSignedIn as exc:
            return _sign_in_page(next_path, email, {"email": exc.detail}, status=401)
        # A new cookie value at sign-in, so that a cookie planted before it is worth nothing.
        return Redirect(
            path=next_path, status_code=303, headers={"set-cookie": session_cookie_header(token)}
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
