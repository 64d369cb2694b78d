"""The pages' forms: reading posted fields (text, choices, amounts in pounds, whole numbers, dates,
yes or no) with the GOV.UK wording of each refusal, the field msgspec refuses in a body read from a
form, and the GOV.UK error summary of a form's errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body

from marketplace.errors import BadInput, DomainError, FieldError
from marketplace.web.problems import MISSING_FIELD, MSGSPEC_AT
from marketplace.web.security import CSRF_FIELD
from marketplace.web.sentences import FIELDS, Words, last_name, plainly, translated, words_for

T = TypeVar("T")

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


def _money_words(name: str) -> MoneyWords:
    """How a form refuses an amount, in the field's words."""
    the = words_for(name).the
    return MoneyWords(
        not_an_amount=f"Enter {the} in pounds, like 24.50",
        too_many_places=f"Enter {the} in pounds and pence: at most 2 decimal places",
        out_of_range=f"Enter {the} in pounds, more than £0.00",
    )


class FormReader:
    """Reads a posted form's fields, keeping a FieldError for each it cannot take."""

    def __init__(self, form: Mapping[str, Any]) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def refuse(self, name: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(name, message, code))

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
        words: MoneyWords | None = None,
    ) -> int | None:
        """Pounds and pence as typed ("24.50", "£1,024.50") in pence, from 1p up to `most`."""
        words = words or _money_words(name)
        raw = self.text(name).removeprefix("£").replace(",", "")
        if not raw and not required:
            return None
        try:
            amount = Decimal(raw)
            whole_pence = amount == amount.quantize(Decimal("0.01"))
        except InvalidOperation:  # not a number, or too large to count in pence
            whole_pence = None
        if whole_pence is None or not amount.is_finite():
            self.refuse(name, words.not_an_amount, "required" if not raw else "not_a_number")
            return None
        if not whole_pence:
            self.refuse(name, words.too_many_places, "too_many_places")
            return None
        pence = int(amount * 100)
        if pence < 1 or (most is not None and pence > most):
            self.refuse(name, words.out_of_range, "out_of_range")
            return None
        return pence

    def whole_number(
        self,
        name: str,
        *,
        default: int | None = None,
        most: int | None = None,
        words: str | None = None,
    ) -> int | None:
        """A whole number of digits 0 to 9, up to `most`; `default` when left blank, if given."""
        words = words or f"Enter {words_for(name).the} as a whole number"
        raw = self.text(name)
        if not raw and default is not None:
            return default
        try:
            number = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None
        except ValueError:  # more digits than Python reads
            number = None
        if number is None or (most is not None and number > most):
            self.refuse(name, words, "required" if not raw else "not_a_number")
            return None
        return number

    def iso_date(self, name: str) -> date | None:
        """A date typed as 2026-03-31."""
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            said, blank = words_for(name), not self.text(name)
            self.refuse(
                name,
                said.missing if blank and said.missing else f"Enter {said.the} as a real date",
                "required" if blank else "not_a_date",
            )
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
            self.refuse(name, "Enter a real date, like 31 3 2026", "not_a_date")
            return None


def refused_field(exc: msgspec.ValidationError, otherwise: str) -> FieldError:
    """The field of a form's body msgspec refused (`otherwise` when it names none) and why, as a
    sentence with its code (`sentences.translated`)."""
    message = str(exc)
    at = MSGSPEC_AT.search(message)
    path = at["path"] if at else ""
    if missing := MISSING_FIELD.search(message):
        path = ".".join(filter(None, [path, missing["name"]]))
    return translated(path or otherwise, message)


def struct_of(shape: Any) -> Any:
    """The Struct a type is, or is optionally (`X | None`, `Annotated[X, ...]`), else None."""
    while get_origin(shape) is Annotated:
        shape = get_args(shape)[0]
    if isinstance(shape, type) and issubclass(shape, msgspec.Struct):
        return shape
    if get_origin(shape) in (Union, UnionType):
        found = [struct_of(arg) for arg in get_args(shape) if arg is not type(None)]
        return found[0] if len(found) == 1 else None
    return None


def list_item(shape: Any) -> Any:
    while get_origin(shape) is Annotated:
        shape = get_args(shape)[0]
    if get_origin(shape) is list:
        return struct_of(get_args(shape)[0])
    return None


def conversion_errors(
    value: Any, shape: Any, *, strict: bool = True, at: str = ""
) -> list[FieldError]:
    """Every field msgspec refuses in `value` as `shape`, each as a sentence (msgspec itself
    stops at the first): a Struct's fields are tried one by one, nested Structs and lists of
    them likewise."""
    try:
        msgspec.convert(value, shape, strict=strict)
        return []
    except msgspec.ValidationError as exc:
        first = exc
    struct, item = struct_of(shape), list_item(shape)
    errors: list[FieldError] = []
    if struct is not None and isinstance(value, Mapping):
        for info in msgspec.structs.fields(struct):
            path = ".".join(filter(None, [at, info.encode_name]))
            if info.encode_name not in value:
                if info.required:
                    errors.append(translated(path, "is required"))
                continue
            errors += conversion_errors(value[info.encode_name], info.type, strict=strict, at=path)
    elif item is not None and isinstance(value, list):
        for index, element in enumerate(value):
            errors += conversion_errors(element, item, strict=strict, at=f"{at}[{index}]")
    if errors:
        return errors
    message = str(first)
    found = MSGSPEC_AT.search(message)
    inner = found["path"] if found else ""
    if missing := MISSING_FIELD.search(message):
        inner = ".".join(filter(None, [inner, missing["name"]]))
    return [translated(".".join(filter(None, [at, inner])) or "body", message)]


def converted(body: Any, shape: type[T], *, strict: bool = True, otherwise: str = "body") -> T:
    """`body` as `shape`, or BadInput naming every field it refuses, each with its sentence."""
    try:
        return msgspec.convert(body, shape, strict=strict)
    except msgspec.ValidationError:
        errors = conversion_errors(body, shape, strict=strict) or [
            FieldError(otherwise, "Check the form: it is not valid")
        ]
        raise BadInput("; ".join(e.message for e in errors), errors) from None


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


def _words(api_field: str, form_field: str, label: Callable[[str], str]) -> Words:
    """A field's words: the vocabulary's for the API's field, else the form's label."""
    if last_name(api_field) in FIELDS:
        return FIELDS[last_name(api_field)]
    text = label(form_field)
    if text and text != Labels().otherwise:
        return Words(text[:1].lower() + text[1:])
    return words_for(api_field)


def error_summary(
    errors: Iterable[FieldError],
    *,
    field_id: Callable[[str], str] = same_field,
    label: Callable[[str], str] = Labels(),
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(the message by each form field, the GOV.UK error summary's list of {text, href}).

    `field_id` maps the field an error names (the API body's, like `pilot.areas[1].weekly_hours`)
    to the form's own input, whose id the summary links to; a field keeps its first message.
    Every message is a sentence for people (`sentences.plainly`): msgspec's words translated, a
    fragment led by the field's words."""
    by_field: dict[str, str] = {}
    for error in errors:
        name = field_id(error.field)
        text = plainly(error, _words(error.field, name, label)).message
        by_field.setdefault(name, text)
    return by_field, [{"text": text, "href": f"#{name}"} for name, text in by_field.items()]
