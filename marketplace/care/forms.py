"""The care pages' forms: reading each form into the API's body (so the same rules answer), and the
GOV.UK error summary, both with the web toolkit's readers and builder. A care page holds several forms, so each field's id is prefixed with its
form's name (`vary-reason`, `hand-back-reason`)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from marketplace.care import schemas
from marketplace.errors import BadInput, DomainError, FieldError
from marketplace.web.forms import FormReader, conversion_errors, error_summary, form_errors

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
    return FormReader(form).text(name)


def read(form: dict[str, Any], schema: type[T], fields: tuple[str, ...]) -> T:
    """The form's fields as the API's body; a missing or malformed field names itself."""
    values = {name: value for name in fields if (value := text(form, name))}
    if errors := conversion_errors(values, schema, strict=False):
        raise BadInput("; ".join(e.message for e in errors), errors)
    return msgspec.convert(values, schema, strict=False)


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

    def field_id(name: str) -> str:
        return f"{form_name}-{name.split('.')[0].split('[')[0] or FORM_ERRORS.get(form_name, 'reason')}"

    def label(field_id: str) -> str:
        return LABELS.get(field_id.removeprefix(f"{form_name}-"), "This field")

    return error_summary(errors, field_id=field_id, label=label)


def errors_of(form_name: str, exc: DomainError) -> list[FieldError]:
    """The errors of a refused form: its fields', or the refusal's sentence on its main field."""
    return form_errors(exc, otherwise=FORM_ERRORS.get(form_name, "reason"))
