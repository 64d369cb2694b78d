"""The KPI return page's form: posted fields into the API's body, and which input each error
names (pure: no ORM, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marketplace.kpi import schemas
from marketplace.web.forms import FormReader, Labels

LABELS = Labels(by_prefix={"value-": "The value", "reasons-": "The reasons"})


def field_id(api_field: str) -> str:
    """`answers.R2.reasons` (the API's) is the input `reasons-R2` (the form's)."""
    parts = api_field.split(".")
    if len(parts) == 3 and parts[0] == "answers":
        return f"{parts[2]}-{parts[1]}"
    return "answers"


def answers(form: Mapping[str, Any], references: list[str]) -> schemas.AnswersPut:
    """The measures the provider gave a value for (an empty one is left as it was)."""
    reader = FormReader(form)
    given = []
    for reference in references:
        value = reader.text(f"value-{reference}")
        reasons = reader.text(f"reasons-{reference}")
        if value or reasons:
            given.append(schemas.AnswerPut(reference, value or None, reasons or None))
    return schemas.AnswersPut(given)


def form_of(form: Mapping[str, Any]) -> dict[str, str]:
    return FormReader(form).texts()
