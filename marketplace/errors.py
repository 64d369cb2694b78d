"""Errors a user can cause, each with the HTTP status its problem+json answer carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every error a client can cause; the message is shown to them as it is."""

    status_code = 422
    title = "The request breaks a rule"
    slug = "rule-broken"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class BadInput(DomainError):
    status_code = 400
    title = "The request is not valid"
    slug = "bad-input"


class NotSignedIn(DomainError):
    status_code = 401
    title = "Not signed in"
    slug = "not-signed-in"


class NotAllowed(DomainError):
    status_code = 403
    title = "Not allowed"
    slug = "not-allowed"


class NotFound(DomainError):
    """Absent, or not visible to the caller: the two are never told apart."""

    status_code = 404
    title = "Not found"
    slug = "not-found"


class WrongState(DomainError):
    status_code = 409
    title = "Not possible in the current state"
    slug = "wrong-state"


class RuleBroken(DomainError):
    status_code = 422
    title = "The request breaks a rule"
    slug = "rule-broken"


class TooLarge(DomainError):
    status_code = 413
    title = "Too large"
    slug = "too-large"


class UnsupportedType(DomainError):
    status_code = 415
    title = "Type of file not accepted"
    slug = "unsupported-type"


class TooManyRequests(DomainError):
    """An abuse limit: the answer says when to try again (`Retry-After`, in seconds)."""

    status_code = 429
    title = "Too many requests"
    slug = "rate-limited"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}
