"""The quality record pages' forms: posted fields into the API's bodies, and field errors into
the GOV.UK error summary (pure: no ORM, no I/O)."""

from __future__ import annotations

from typing import Any

import msgspec

from marketplace.errors import BadInput, FieldError
from marketplace.quality import schemas

LABELS = {
    "provider_id": "The provider",
    "kind": "What you are recording",
    "occurred_on": "The date",
    "score": "The score",
    "summary": "The summary",
    "file": "The report",
    "reason": "The reason",
    "actions": "This",
}
MESSAGES = {
    "provider_id": "Choose a provider you have admitted",
    "kind": "Choose what you are recording",
    "occurred_on": "Enter the date it happened, like 2026-11-03",
    "score": "Enter a whole number from 0 to 100",
    "summary": "Enter a summary",
    "reason": "Enter the reason",
}


def text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "").strip()


def _converted(body: dict[str, Any], shape: type[Any]) -> Any:
    try:
        return msgspec.convert(body, shape, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = message.partition("`$.")[2].partition("`")[0]
        missing = message.partition("required field `")[2].partition("`")[0]
        name = missing or field or "summary"
        raise BadInput(message, [FieldError(name, MESSAGES.get(name, message))]) from None


def record_create(form: dict[str, Any]) -> schemas.QualityRecordCreate:
    """The record form: provider, kind, date, score (a visit), summary."""
    names = ("provider_id", "kind", "occurred_on", "score", "summary")
    body = {name: text(form, name) for name in names if text(form, name)}
    if body.get("kind") != "monitoring_visit":
        body.pop("score", None)
    converted: schemas.QualityRecordCreate = _converted(body, schemas.QualityRecordCreate)
    return converted


def withdrawal(form: dict[str, Any]) -> schemas.QualityRecordWithdrawal:
    reason = text(form, "reason")[:2000]
    converted: schemas.QualityRecordWithdrawal = _converted(
        {"reason": reason} if reason else {}, schemas.QualityRecordWithdrawal
    )
    return converted


def summary(errors: list[FieldError]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(message by form field, the GOV.UK error summary's list)."""
    by_field: dict[str, str] = {}
    for error in errors:
        field = error.field if error.field in LABELS else "summary"
        message = error.message
        if not message[:1].isupper():
            message = f"{LABELS[field]} {message}"
        by_field.setdefault(field, message)
    return by_field, [{"text": message, "href": f"#{field}"} for field, message in by_field.items()]
