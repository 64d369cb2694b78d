"""One error vocabulary: every field error a person can cause as a sentence written for people,
with a stable machine code (docs/api.md, "Errors"), for the API's problem+json and the pages'
GOV.UK error summary alike.

msgspec's own messages ("Expected `int` >= 1", "Invalid decimal string", "Object missing required
field `x`") are translated by their kind, with the field's words and unit (money in pounds, hours,
dates in words); a service's fragment ("is required", "must be...") is led by the field's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from marketplace.config import get_settings
from marketplace.errors import FieldError
from marketplace.units import HOURS_BOUNDS, long_date, pounds


@dataclass(frozen=True)
class Words:
    """How a field is spoken of: `the` ("the hourly rate"), its unit (pence, hours, whole,
    date, moment, choice, list, yes_no, text, id) and, if it reads better, its own sentence for
    when it is missing."""

    the: str
    unit: str = "text"
    missing: str | None = None

    @property
    def label(self) -> str:
        return self.the[:1].upper() + self.the[1:]


# The fields of the API's bodies (by their last name in a path) and of the pages' forms.
FIELDS: Mapping[str, Words] = {
    "hourly_rate_pence": Words("the hourly rate", "pence", "Enter your hourly rate"),
    "hourly_rate": Words("the hourly rate", "pence", "Enter your hourly rate"),
    "max_hourly_rate_pence": Words("the maximum hourly rate", "pence"),
    "max_complex_hourly_rate_pence": Words("the maximum hourly rate for complex care", "pence"),
    "max_highly_complex_hourly_rate_pence": Words(
        "the maximum hourly rate for highly complex care", "pence"
    ),
    "max_night_unit_pence": Words("the maximum price of a night unit", "pence"),
    "max_rate": Words("the maximum hourly rate", "pence"),
    "envelope_base_rate_pence": Words("the envelope base rate", "pence"),
    "envelope_weekly_pence": Words("the weekly envelope", "pence"),
    "budget_pence": Words("the budget", "pence"),
    "budget": Words("the budget", "pence"),
    "weekly_hours": Words("the weekly hours", "hours", "Enter the weekly hours"),
    "hours": Words("the weekly hours", "hours", "Enter the weekly hours"),
    "weeks": Words("the number of weeks", "whole"),
    "deadline": Words("the deadline", "moment", "Enter the deadline"),
    "latest_start": Words("the latest start date", "date", "Enter the latest start date"),
    "mobilisation_date": Words("the mobilisation date", "date"),
    "occurred_on": Words("the date", "date", "Enter the date it happened"),
    "started_on": Words("the start date", "date", "Enter the date the care started"),
    "ended_on": Words("the end date", "date", "Enter the date the care ended"),
    "effective_from": Words("the date it applies from", "date"),
    "title": Words("the title", "text", "Enter a title"),
    "lot_code": Words("the lot", "choice", "Choose a lot"),
    "lot": Words("the lot", "choice", "Choose a lot"),
    "kind": Words("the kind", "choice", "Choose what kind it is"),
    "reason": Words("the reason", "text", "Enter the reason"),
    "text": Words("your reason", "text", "Enter your reason"),
    "summary": Words("the summary", "text", "Enter a summary"),
    "notes": Words("the notes", "text"),
    "score": Words("the score", "whole", "Enter a score from 0 to 100"),
    "scores": Words("the scores", "list", "Enter a score for every answer"),
    "outcomes": Words("the outcomes", "list", "Enter at least one outcome"),
    "areas": Words("the areas", "list", "Choose at least one area"),
    "area_codes": Words("the areas", "list", "Choose at least one area"),
    "area_code": Words("the area", "choice", "Choose an area"),
    "questions": Words("the questions", "list", "Enter at least one question"),
    "package_ids": Words("the packages", "list", "Choose at least one package"),
    "package_id": Words("the package", "choice", "Choose a package"),
    "provider_id": Words("the provider", "id", "Choose a provider"),
    "reference": Words("the reference", "text", "Enter the package's reference"),
    "postcode": Words("the postcode", "text", "Enter a postcode"),
    "email": Words("the email address", "text", "Enter your email address"),
    "password": Words("the password", "text", "Enter your password"),
    "name": Words("the name", "text", "Enter a name"),
    "quality_weight": Words("the quality weight", "whole"),
    "price_weight": Words("the price weight", "whole"),
    "weight": Words("the weight", "whole"),
    "min_quality_percent": Words("the minimum quality score", "whole"),
    "max_areas_per_provider": Words("the number of areas per provider", "whole"),
    "opening_quorum": Words("the opening quorum", "choice"),
    "standstill_working_days": Words("the standstill in working days", "whole"),
    "min_bids": Words("the minimum number of bids", "whole"),
    "accepts_enablement_budget": Words(
        "whether you accept the enablement budget",
        "yes_no",
        "Say whether you accept the enablement budget",
    ),
    "abnormally_low_checked": Words("the check of an abnormally low rate", "yes_no"),
    "supplier_name": Words("the supplier's name", "text", "Enter the supplier's name"),
    "max_radius_km": Words("the largest distance", "number"),
    "max_packages": Words("the number of packages", "whole"),
    "file": Words("the file", "text", "Choose a file"),
    "service_level": Words("the service level", "choice", "Choose the service level"),
    "urgency": Words("the urgency", "choice", "Choose how urgent it is"),
    "urgency_reason": Words("why it is urgent", "choice", "Choose why it is urgent"),
    "start_by": Words("the date care must start by", "date", "Enter the date care must start by"),
    "start_date": Words("the start date", "date", "Enter the start date"),
    "reviewed_on": Words("the date of the review", "date", "Enter the date of the review"),
    "max_weekly_hours": Words("the most weekly hours", "hours"),
    "members": Words("the panel's members", "list", "Name the panel's members, one a line"),
    "decision": Words("the decision", "choice", "Choose a decision"),
    "role": Words("the role", "choice", "Choose a role"),
}
_PATH_INDEX = re.compile(r"\[\d+\]")
_MSGSPEC_AT = re.compile(r" - at `\$\.?[^`]*`")
_BOUND = re.compile(r"Expected `(?P<type>\w+)` (?P<op>>=|<=|>|<) (?P<n>-?[0-9.]+)")
_LENGTH = re.compile(r"Expected `(?P<type>\w+)` of length (?P<op>>=|<=) (?P<n>\d+)")
_TYPE = re.compile(r"Expected `(?P<type>[^`]+)`, got `(?P<got>[^`]+)`")
_INTERNAL = re.compile(r"`|\bExpected\b|\bmsgspec\b|\bpence\b|\bseconds\b|\d{4}-\d{2}-\d{2}T|\w_\w")


# How a fragment that needs the field's words before it begins ("is required", "must be ...").
_FRAGMENT_VERBS = frozenset(
    [
        "is",
        "are",
        "must",
        "cannot",
        "can",
        "has",
        "have",
        "needs",
        "names",
        "gives",
        "belongs",
        "misses",
        "was",
        "should",
    ]
)


def last_name(field: str) -> str:
    """A field path's last name: `pilot.areas[1].weekly_hours` -> `weekly_hours`."""
    return _PATH_INDEX.sub("", field).split(".")[-1]


def words_for(field: str) -> Words:
    """The words of a field by its last name (`pilot.areas[1].weekly_hours` -> weekly hours)."""
    name = last_name(field)
    plain = re.sub(r"_(pence|id|ids|code)$", "", name).replace("_", " ").replace("-", " ")
    plain = re.sub(r"\bcqc\b", "CQC", plain.strip() or "value")
    if field.startswith("weights."):  # a quality factor's weight
        return Words(f"the weight of the {plain}", "whole")
    if field.endswith("]") and name.removesuffix("s") in FIELDS:  # one item of a list
        return FIELDS[name.removesuffix("s")]
    if name in FIELDS:
        return FIELDS[name]
    return Words(f"the {plain}")


def moment_words(moment: datetime) -> str:
    """An instant as people read it, in the marketplace's time: 25 November 2026 at 17:00."""
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    return f"{long_date(local.date())} at {local:%H:%M}"


def _amount(words: Words, n: float) -> str:
    if words.unit == "pence":
        return pounds(int(n))
    if float(n).is_integer():
        return f"{int(n):,}"
    return str(n)


def _bound(words: Words, op: str, n: float) -> tuple[str, str]:
    if words.unit == "pence" and op in (">=", ">") and n <= 1:
        return "too_small", f"Enter {words.the} in pounds, more than £0.00"
    low = op in (">=", ">")
    edge = n + (1 if op == ">" else -1 if op == "<" else 0)
    at = "or more" if low else "or less"
    return (
        "too_small" if low else "too_large"
    ), f"{words.label} must be {_amount(words, edge)} {at}"


def _expected(words: Words, wanted: str) -> tuple[str, str]:
    if words.unit == "pence":
        return "not_a_number", f"Enter {words.the} as an amount in pounds, like 24.50"
    if words.unit == "hours":
        return "not_a_number", f"Enter {words.the} as a number of hours, like 7.50"
    if words.unit == "moment" or "datetime" in wanted:
        return "not_a_date", f"Enter {words.the} as a date and a time"
    if words.unit == "date" or "date" in wanted:
        return "not_a_date", f"Enter {words.the} as a real date"
    if words.unit == "yes_no" or wanted == "bool":
        return "not_a_choice", f"Answer yes or no: {words.the}"
    if words.unit in ("choice", "id") or "uuid" in wanted:
        return "not_a_choice", words.missing or f"Choose {words.the} from the list"
    if words.unit == "list" or wanted in ("array", "object"):
        return "wrong_type", f"Give {words.the} as a list"
    if wanted in ("int", "float", "decimal") or words.unit in ("whole", "number"):
        return "not_a_number", f"Enter {words.the} as a number"
    return "wrong_type", f"Enter {words.the} as text"


def _unmatched(field: str, message: str, words: Words) -> FieldError:
    """Text refused by its field's declared pattern."""
    for pattern, (low, high) in HOURS_BOUNDS.items():
        if pattern.replace("\\", "\\\\") in message:  # msgspec doubles each backslash
            return FieldError(
                field,
                f"Enter {words.the} as a number of hours from {low} to {high:,}, "
                "with at most two decimal places, like 7.50",
                "not_a_number",
            )
    name = field.rsplit(".", 1)[-1]
    if r"'\\S'" in message:  # NOT_BLANK (msgspec doubles the backslash): only spaces
        return FieldError(field, words.missing or f"Enter {words.the}", "required")
    if field.startswith("rurality_weights."):
        return FieldError(
            field,
            "Enter each rurality weight as a number from 0.50 to 3.00, "
            "with at most two decimal places",
            "not_a_number",
        )
    if name == "reference":
        return FieldError(
            field, "The reference must be a pseudonymous reference, not a name", "invalid"
        )
    if name == "postcode":
        return FieldError(field, f"Enter {words.the} as a UK postcode, like CT1 1AA", "invalid")
    if name == "cursor":
        return FieldError(field, "The cursor is not one this API gave out", "invalid")
    return FieldError(field, f"{words.label} may use only letters, digits, - and _", "invalid")


def translated(field: str, message: str, words: Words | None = None) -> FieldError:
    """A msgspec refusal of a field, as a sentence with its code."""
    words = words or words_for(field)
    message = _MSGSPEC_AT.sub("", message)
    if "missing required field" in message or message == "is required":
        return FieldError(field, words.missing or f"Enter {words.the}", "required")
    if "unknown field" in message or message == "is not a known field":
        return FieldError(field, f"{words.label} is not a field of this request", "unknown_field")
    if match := _LENGTH.search(message):
        n, low = int(match["n"]), match["op"] == ">="
        if low and n <= 1:
            return FieldError(field, words.missing or f"Enter {words.the}", "required")
        if match["type"] == "str":
            what = f"{n:,} characters"
            said = f"at least {what}" if low else f"{what} or fewer"
            return FieldError(
                field, f"{words.label} must be {said}", "too_short" if low else "too_long"
            )
        said = f"at least {n}" if low else f"at most {n}"
        return FieldError(field, f"{words.label}: give {said}", "too_few" if low else "too_many")
    if match := _BOUND.search(message):
        code, sentence = _bound(words, match["op"], float(match["n"]))
        return FieldError(field, sentence, code)
    if "Invalid enum value" in message or "Invalid value" in message:
        return FieldError(
            field, words.missing or f"Choose {words.the} from the list", "not_a_choice"
        )
    if "matching regex" in message:
        return _unmatched(field, message, words)
    if match := _TYPE.search(message):
        code, sentence = _expected(words, match["type"])
        return FieldError(field, sentence, code)
    wanted = message.lower()
    for kind in ("decimal", "datetime", "date", "uuid", "int", "bool"):
        if kind in wanted and ("invalid" in wanted or "expected" in wanted):
            code, sentence = _expected(words, kind)
            return FieldError(field, sentence, code)
    return FieldError(field, f"Check {words.the}: it is not valid", "invalid")


def plainly(error: FieldError, words: Words | None = None) -> FieldError:
    """A field error as people read it: msgspec's words translated, a fragment ("is required",
    "must be ...") led by the field's words; a sentence of its own kept, with its code."""
    words = words or words_for(error.field)
    message = error.message.strip()
    if _INTERNAL.search(message) and (
        "Expected" in message or "Invalid" in message or "`" in message
    ):
        return translated(error.field, message, words)
    if message == "is required" or message.startswith("is required:"):
        code = "required" if error.code == "invalid" else error.code
        return FieldError(error.field, words.missing or f"Enter {words.the}", code)
    if message[:1].isupper():
        return error
    if message.split(" ", 1)[0] in _FRAGMENT_VERBS:
        return FieldError(error.field, f"{words.label} {message}", error.code)
    # A sentence of its own that begins in lower case ("a cluster bundles two or more packages").
    return FieldError(error.field, message[:1].upper() + message[1:], error.code)


def is_plain(message: str) -> bool:
    """Whether a message reads as written for people (no code, msgspec or machine words)."""
    return not _INTERNAL.search(message)
