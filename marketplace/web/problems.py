"""One place that turns every error into an answer: RFC 9457 problem+json for the API, and an
HTML page (or a redirect to sign in) for the pages. Nothing a client sends gets a 500."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from marketplace.config import get_settings
from marketplace.errors import DomainError, FieldError, NotSignedIn, TooManyRequests
from marketplace.web.outages import RETRY_AFTER_SECONDS, SENTENCES, unreachable_dependency
from marketplace.web.sentences import is_plain, plainly, translated

log = logging.getLogger("marketplace")
PROBLEM_JSON = "application/problem+json"
MSGSPEC_AT = re.compile(r" - at (?:`key` in )?`\$\.?(?P<path>[^`]*)`")
_UNKNOWN_FIELD = re.compile(r"unknown field `(?P<name>[^`]+)`")
MISSING_FIELD = re.compile(r"missing required field `(?P<name>[^`]+)`")
_FIELD_BY_STATUS = {
    400: "bad-input",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    429: "rate-limited",
}


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return not request.url.path.startswith("/api/") and request.url.path != "/healthz"


def _field_path(raw: str) -> str:
    # msgspec paths look like data.areas[0].rate or $.areas[0].rate
    return raw.removeprefix("data.").removeprefix("data").lstrip(".")


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    """The fields of a body msgspec refused, each as a sentence with its code."""
    errors: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "is not valid"))
        field = _field_path(str(item.get("key", "")))
        if match := _UNKNOWN_FIELD.search(message):
            field = ".".join(filter(None, [field, match["name"]]))
        elif match := MISSING_FIELD.search(message):
            at = MSGSPEC_AT.search(message)
            parent = _field_path(at["path"]) if at else ""
            field = ".".join(filter(None, [field, parent, match["name"]]))
        elif match := MSGSPEC_AT.search(message):
            field = ".".join(filter(None, [field, _field_path(match["path"])]))
        errors.append(translated(field or "body", message))
    if not errors and exc.detail:
        detail = str(exc.detail)
        if match := _UNKNOWN_FIELD.search(detail):
            errors.append(translated(match["name"], detail))
        elif match := MSGSPEC_AT.search(detail):
            errors.append(translated(_field_path(match["path"]), detail))
    return errors


def plain_errors(errors: list[FieldError] | None) -> list[FieldError]:
    """Every field error as a sentence for people, with its code (`sentences.plainly`)."""
    return [plainly(error) for error in errors or []]


def problem_body(
    status: int, title: str, detail: str, slug: str, errors: list[FieldError] | None = None
) -> dict[str, Any]:
    """The RFC 9457 problem document every error of the API answers with."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [
            {"field": e.field, "code": e.code, "message": e.message} for e in plain_errors(errors)
        ]
    return body


def problem(
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body = problem_body(status, title, detail, slug, errors)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _error_page(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> Template:
    return Template(
        template_name="error.html",
        context={"status": status, "title": title, "detail": detail},
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _wants_html(request):
        if isinstance(exc, NotSignedIn):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return Redirect(path=f"/sign-in?next={quote(target, safe='/')}", status_code=303)
        return _error_page(exc.status_code, exc.title, _detail(exc), _headers_of(exc))
    return problem(
        exc.status_code, exc.title, _detail(exc), exc.slug, exc.errors, headers=_headers_of(exc)
    )


def _headers_of(exc: DomainError) -> dict[str, str] | None:
    return exc.headers if isinstance(exc, TooManyRequests) else None


def _detail(exc: DomainError) -> str:
    """The problem's detail as the service wrote it when that is written for people, else its
    field errors' sentences (never a field's name or msgspec's words)."""
    if not exc.errors or is_plain(exc.detail):
        return exc.detail
    return " ".join(_full_stop(e.message) for e in plain_errors(exc.errors))


def _full_stop(sentence: str) -> str:
    return sentence if sentence.endswith((".", "?", "!")) else sentence + "."


def _too_large_detail() -> str:
    limit = get_settings().max_upload_bytes
    return (
        "The request body is larger than this service accepts; "
        f"documents may be at most {limit / (1024 * 1024):g} MB ({limit:,} bytes)"
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        detail = (
            " ".join(_full_stop(e.message) for e in errors)
            if errors
            else "The request is not valid"
        )
        if _wants_html(request):
            return _error_page(400, "The request is not valid", detail)
        return problem(400, "The request is not valid", detail, "bad-input", errors)
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
        detail = "Something went wrong on our side; it has been logged"
    elif status == 413:
        detail = _too_large_detail()
    else:
        detail = str(exc.detail)
    title = {
        404: "Not found",
        405: "Method not allowed",
        413: "Too large",
        429: "Too many requests",
    }.get(status, "Request refused")
    # The exception's own headers stay (Allow on a 405, Retry-After on a 429).
    headers = dict(exc.headers or {})
    if _wants_html(request):
        return _error_page(status, title, detail, headers)
    slug = _FIELD_BY_STATUS.get(status, "http-error")
    return problem(status, title, detail, slug, headers=headers or None)


def handle_unavailable(
    request: Request[Any, Any, Any], exc: Exception, dependency: str
) -> Response[Any]:
    """A backing service is out of reach: 503 with what is down and when to try again (the
    failure is the service's, not the request's, so the same request may simply be repeated)."""
    log.error(
        "HTTP 503 on %s %s: the %s is unreachable: %s: %s",
        request.method,
        request.url.path,
        dependency,
        type(exc).__name__,
        exc,
    )
    title, detail = "Service unavailable", SENTENCES[dependency]
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_html(request):
        return _error_page(HTTP_503_SERVICE_UNAVAILABLE, title, detail, headers)
    return problem(HTTP_503_SERVICE_UNAVAILABLE, title, detail, "unavailable", headers=headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if dependency := unreachable_dependency(exc):
        return handle_unavailable(request, exc, dependency)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    title, detail = "Something went wrong", "Something went wrong on our side; it has been logged"
    if _wants_html(request):
        return _error_page(HTTP_500_INTERNAL_SERVER_ERROR, title, detail)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, title, detail, "internal")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
