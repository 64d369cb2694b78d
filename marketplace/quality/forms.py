"""The quality record pages' forms: posted fields into the API's bodies, and how the error
summary names each field (pure: no ORM, no I/O; the readers are the web toolkit's)."""

from __future__ import annotations

from typing import Any

import msgspec

from marketplace.errors import BadInput, FieldError
from marketplace.quality import schemas
from marketplace.web.forms import FormReader, Labels, conversion_errors

LABELS = Labels(
    {
        "provider_id": "The provider",
        "kind": "What you are recording",
        "occurred_on": "The date",
        "score": "The score",
        "summary": "The summary",
        "file": "The report",
        "reason": "The reason",
    }
)
# What each field says when msgspec refuses what was typed in it.
MESSAGES = {
    "provider_id": "Choose a provider you have admitted",
    "kind": "Choose what you are recording",
    "occurred_on": "Enter the date it happened, like 2026-11-03",
    "score": "Enter a whole number from 0 to 100",
    "summary": "Enter a summary",
    "reason": "Enter the reason",
}
FIELDS = ("provider_id", "kind", "occurred_on", "score", "summary")


def _converted(body: dict[str, Any], shape: type[Any], otherwise: str) -> Any:
    errors = [
        FieldError(e.field, MESSAGES.get(e.field, e.message), e.code)
        for e in conversion_errors(body, shape, strict=False)
    ]
    if errors:
        raise BadInput("; ".join(e.message for e in errors), errors)
    return msgspec.convert(body, shape, strict=False)


def form_of(form: dict[str, Any]) -> dict[str, str]:
    """The record form's fields as typed, to show them again."""
    read = FormReader(form)
    return {name: read.text(name) for name in FIELDS}


def record_create(form: dict[str, Any]) -> schemas.QualityRecordCreate:
    """The record form: provider, kind, date, score (a visit's), summary."""
    body = {name: value for name, value in form_of(form).items() if value}
    if body.get("kind") != "monitoring_visit":
        body.pop("score", None)
    converted: schemas.QualityRecordCreate = _converted(
        body, schemas.QualityRecordCreate, "summary"
    )
    return converted


def withdrawal(form: dict[str, Any]) -> schemas.QualityRecordWithdrawal:
    reason = FormReader(form).text("reason")[:2000]
    converted: schemas.QualityRecordWithdrawal = _converted(
        {"reason": reason} if reason else {}, schemas.QualityRecordWithdrawal, "reason"
    )
    return converted
