"""The pages' forms: reading posted fields (text, choices, amounts in pounds, whole numbers, dates,
yes or no) with the GOV.UK wording of each refusal, the field msgspec refuses in a body read from a
form, and the GOV.UK error summary of a form's errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body

from marketplace.errors import BadInput, DomainError, FieldError
from marketplace.web.problems import MISSING_FIELD, MSGSPEC_AT
from marketplace.web.security import CSRF_FIELD

# The body of a posted form: each field's text, or a list of texts for a repeated field.
FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
_WHOLE_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class MoneyWords:
    """What a form says of an amount it cannot take."""

    not_an_amount: str
    too_many_places: str
    out_of_range: str


AMOUNT = MoneyWords(
    not_an_amount="Enter an amount in pounds, like 24.50",
    too_many_places="Enter an amount in pounds, like 24.50",
    out_of_range="Enter an amount in pounds, like 24.50",
)


class FormReader:
    """Reads a posted form's fields, keeping a FieldError for each it cannot take."""

    def __init__(self, form: Mapping[str, Any]) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def refuse(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def check(self, detail: str = "The form has problems") -> None:
        """BadInput naming every field refused so far, if any was."""
        if self.errors:
            raise BadInput(detail, list(self.errors))

    def text(self, name: str, *, strip: bool = True) -> str:
        """The field's text ("" when absent; the first of a repeated field)."""
        value = self.form.get(name, "")
        text = str(value[0] if isinstance(value, list) and value else value or "")
        return text.strip() if strip else text

    def texts(self) -> dict[str, str]:
        """Every field but the CSRF token, as text."""
        return {name: self.text(name) for name in self.form if name != CSRF_FIELD}

    def choices(self, name: str) -> list[str]:
        """The values ticked of a set of checkboxes (or chosen of a multiple select)."""
        value = self.form.get(name, [])
        return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v)]

    def yes_no(self, name: str) -> bool | None:
        """A pair of radios, yes or no: None when neither is chosen."""
        return {"yes": True, "no": False}.get(self.text(name))

    def ticked(self, name: str) -> bool:
        """A single checkbox, whose value is "yes"."""
        return self.text(name) == "yes"

    def pence(
        self,
        name: str,
        *,
        required: bool = True,
        most: int | None = None,
        words: MoneyWords = AMOUNT,
    ) -> int | None:
        """Pounds and pence as typed ("24.50", "£1,024.50") in pence, from 1p up to `most`."""
        raw = self.text(name).removeprefix("£").replace(",", "")
        if not raw and not required:
            return None
        try:
            amount = Decimal(raw)
            whole_pence = amount == amount.quantize(Decimal("0.01"))
        except InvalidOperation:  # not a number, or too large to count in pence
            whole_pence = None
        if whole_pence is None or not amount.is_finite():
            self.refuse(name, words.not_an_amount)
            return None
        if not whole_pence:
            self.refuse(name, words.too_many_places)
            return None
        pence = int(amount * 100)
        if pence < 1 or (most is not None and pence > most):
            self.refuse(name, words.out_of_range)
            return None
        return pence

    def whole_number(
        self,
        name: str,
        *,
        default: int | None = None,
        most: int | None = None,
        words: str = "Enter a whole number",
    ) -> int | None:
        """A whole number of digits 0 to 9, up to `most`; `default` when left blank, if given."""
        raw = self.text(name)
        if not raw and default is not None:
            return default
        try:
            number = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None
        except ValueError:  # more digits than Python reads
            number = None
        if number is None or (most is not None and number > most):
            self.refuse(name, words)
            return None
        return number

    def iso_date(self, name: str) -> date | None:
        """A date typed as 2026-03-31."""
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            self.refuse(name, "Enter a date, like 2026-03-31")
            return None

    def date_parts(self, name: str) -> date | None:
        """A GOV.UK date input's day, month and year (`name-day`, `name-month`, `name-year`);
        None when all three are blank."""
        parts = [self.text(f"{name}-{part}") for part in ("day", "month", "year")]
        if not any(parts):
            return None
        try:
            day, month, year = (int(part) for part in parts)
            return date(year, month, day)
        except ValueError:
            self.refuse(name, "Enter a real date, like 31 3 2026")
            return None


def refused_field(exc: msgspec.ValidationError, otherwise: str) -> FieldError:
    """The field of a form's body msgspec refused (`otherwise` when it names none) and why: "is
    required" for a missing field, else msgspec's own sentence without its path."""
    message = str(exc)
    at = MSGSPEC_AT.search(message)
    path = at["path"] if at else ""
    if missing := MISSING_FIELD.search(message):
        return FieldError(".".join(filter(None, [path, missing["name"]])), "is required")
    return FieldError(path or otherwise, message[: at.start()] if at else message)


def form_errors(exc: DomainError, *, otherwise: str) -> list[FieldError]:
    """The error's field errors, or its sentence on the field `otherwise`."""
    return exc.errors or [FieldError(otherwise, exc.detail)]


@dataclass(frozen=True)
class Labels:
    """How a form names a field before a message that is not a sentence of its own ("is
    required"): by the field's name, by how its name begins, or `otherwise`."""

    named: Mapping[str, str] = field(default_factory=dict)
    by_prefix: Mapping[str, str] = field(default_factory=dict)
    otherwise: str = "This field"

    def __call__(self, name: str) -> str:
        if name in self.named:
            return self.named[name]
        for prefix, label in self.by_prefix.items():
            if name.startswith(prefix):
                return label
        return self.otherwise


def same_field(name: str) -> str:
    return name


def error_summary(
    errors: Iterable[FieldError],
    *,
    field_id: Callable[[str], str] = same_field,
    label: Callable[[str], str] = Labels(),
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(the message by each form field, the GOV.UK error summary's list of {text, href}).

    `field_id` maps the field an error names (the API body's, like `pilot.areas[1].weekly_hours`)
    to the form's own input, whose id the summary links to; a field keeps its first message. A
    message that is not a sentence of its own is led by the field's label."""
    by_field: dict[str, str] = {}
    for error in errors:
        name = field_id(error.field)
        text = error.message
        if not text[:1].isupper():
            text = f"{label(name)} {text}"
        by_field.setdefault(name, text)
    return by_field, [{"text": text, "href": f"#{name}"} for name, text in by_field.items()]
