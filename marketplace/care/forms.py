"""The care pages' forms: reading each form into the API's body (so the same rules answer), and the
GOV.UK error summary. A care page holds several forms, so each field's id is prefixed with its
form's name (`vary-reason`, `hand-back-reason`)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from marketplace.care import schemas
from marketplace.errors import BadInput, FieldError

T = TypeVar("T")

LABELS = {
    "actual_start": "The actual start",
    "weekly_hours": "The weekly hours",
    "effective_from": "The date the change takes effect",
    "reason": "The reason",
    "last_care_date": "The last day of care",
    "decision": "The decision",
    "outcomes": "The outcomes",
}
FORM_ERRORS = {
    "start": "actual_start",
    "correct": "actual_start",
    "vary": "weekly_hours",
    "hand-back": "reason",
    "end": "reason",
    "decide": "decision",
    "outcomes": "outcomes",
    "lift": "reason",
}


def text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "").strip()


def read(form: dict[str, Any], schema: type[T], fields: tuple[str, ...]) -> T:
    """The form's fields as the API's body; a missing or malformed field names itself."""
    values = {name: text(form, name) for name in fields if text(form, name)}
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        missing = message.partition("required field `")[2].partition("`")[0]
        field = message.partition("`$.")[2].partition("`")[0] or fields[0]
        raise BadInput(
            message, [FieldError(missing or field, "is required" if missing else "is not valid")]
        ) from None


def outcomes_body(form: dict[str, Any], outcomes: list[str]) -> schemas.EnablementOutcomes:
    """One yes-or-no answer (`outcome_<n>`) for every enabling outcome, in order."""
    answers = []
    for index, outcome in enumerate(outcomes, start=1):
        answer = text(form, f"outcome_{index}")
        if answer not in ("met", "not_met"):
            raise BadInput(
                "Say whether each outcome was met",
                [FieldError("outcomes", "Say whether each outcome was met")],
            )
        answers.append(schemas.OutcomeMet(outcome=outcome, met=answer == "met"))
    return schemas.EnablementOutcomes(outcomes=answers)


def summary(
    form_name: str, errors: list[FieldError]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(message by `<form>-<field>` id, the GOV.UK error summary's list)."""
    by_field: dict[str, str] = {}
    for error in errors:
        field = error.field.split(".")[0].split("[")[0] or FORM_ERRORS.get(form_name, "reason")
        message = error.message
        if not message[:1].isupper():
            message = f"{LABELS.get(field, 'This field')} {message}"
        by_field.setdefault(f"{form_name}-{field}", message)
    return by_field, [{"text": text, "href": f"#{key}"} for key, text in by_field.items()]


def errors_of(form_name: str, exc: Any) -> list[FieldError]:
    """The errors of a refused form: its fields', or the refusal's sentence on its main field."""
    return list(exc.errors) or [FieldError(FORM_ERRORS.get(form_name, "reason"), exc.detail)]
