"""The browser's call-off forms: turning posted fields into the API's CallOffCreate, and the
service's field errors back into the form's own fields (pure: no ORM, no I/O)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from marketplace.errors import BadInput, FieldError
from marketplace.tenders.call_offs import schemas
from marketplace.web.forms import FormReader, Labels, refused_field

KINDS = {
    "enablement": "Enablement request",
    "cluster": "Cluster call-off",
    "pilot": "Pilot",
}
PILOT_ROWS = 3
LABELS = Labels(
    {
        "title": "Title",
        "lot_code": "Lot",
        "invitee_ids": "Who to invite",
        "deadline": "Deadline",
        "max_rate": "Maximum hourly rate",
        "package_id": "Package",
        "package_ids": "Packages",
        "budget": "Budget",
        "weeks": "Weeks",
        "outcomes": "Outcomes",
        "latest_start": "Latest start date",
        "quality_weight": "Quality weight",
        "price_weight": "Price weight",
        "min_quality_percent": "Minimum quality score",
        "max_areas_per_provider": "Areas per provider",
        "reason": "Reason",
        **{f"area_code_{i}": f"Area {i + 1}" for i in range(PILOT_ROWS)},
        **{f"area_hours_{i}": f"Weekly hours of area {i + 1}" for i in range(PILOT_ROWS)},
        **{f"question_{i}": f"Question {i + 1}" for i in range(PILOT_ROWS)},
        **{f"question_weight_{i}": f"Weight of question {i + 1}" for i in range(PILOT_ROWS)},
    }
)


def form_field(api_field: str, kind: str) -> str:
    """The form field an error of the API's body is about (`pilot.areas[1].weekly_hours` ->
    `area_hours_1`)."""
    if api_field.startswith("package_ids"):
        return "package_id" if kind == "enablement" else "package_ids"
    if match := re.match(r"pilot\.areas\[(\d+)\](?:\.(\w+))?", api_field):
        row = match[1]
        return f"area_hours_{row}" if match[2] == "weekly_hours" else f"area_code_{row}"
    if match := re.match(r"pilot\.questions\[(\d+)\](?:\.(\w+))?", api_field):
        return f"question_weight_{match[1]}" if match[2] == "weight" else f"question_{match[1]}"
    plain = {
        "enablement.budget_pence": "budget",
        "enablement.weeks": "weeks",
        "enablement.outcomes": "outcomes",
        "cluster.latest_start": "latest_start",
        "max_hourly_rate_pence": "max_rate",
        "envelope_base_rate_pence": "max_rate",
        "pilot.areas": "area_code_0",
        "pilot.questions": "question_0",
        "area_codes": "package_id" if kind == "enablement" else "package_ids",
        "enablement": "budget",
        "cluster": "latest_start",
        "pilot": "area_code_0",
    }
    if api_field in plain:
        return plain[api_field]
    return api_field.removeprefix("pilot.")


def london_deadline(value: str, timezone: str, field: str = "deadline") -> datetime:
    """A datetime-local value (YYYY-MM-DDTHH:MM) read as a local time of the marketplace's zone,
    as an instant in UTC."""
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            "Enter the deadline as a date and time",
            [FieldError(field, "Enter the deadline as a date and a time, like 2026-03-31 17:00")],
        ) from None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_input(value: datetime, timezone: str) -> str:
    """The datetime-local value of an instant, in the marketplace's zone."""
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


def default_deadline(timezone: str, now: datetime | None = None) -> str:
    """Five o'clock in the afternoon a week from today."""
    now = now or datetime.now(UTC)
    day = (now.astimezone(ZoneInfo(timezone)) + timedelta(days=7)).date()
    return f"{day.isoformat()}T17:00"


def _terms(kind: str, read: FormReader) -> dict[str, Any]:
    if kind == "enablement":
        outcomes = [line.strip() for line in read.text("outcomes").splitlines() if line.strip()]
        return {
            "package_ids": read.choices("package_id")[:1],
            "enablement": {
                "budget_pence": read.pence("budget"),
                "weeks": read.whole_number("weeks"),
                "outcomes": outcomes,
            },
        }
    if kind == "cluster":
        return {
            "package_ids": read.choices("package_ids"),
            "cluster": {"latest_start": read.iso_date("latest_start")},
        }
    areas = [
        {"area_code": read.text(f"area_code_{i}"), "weekly_hours": read.text(f"area_hours_{i}")}
        for i in range(PILOT_ROWS)
        if read.text(f"area_code_{i}")
    ]
    questions = [
        {
            "id": f"q{i + 1}",
            "text": read.text(f"question_{i}"),
            "weight": read.whole_number(f"question_weight_{i}"),
        }
        for i in range(PILOT_ROWS)
        if read.text(f"question_{i}")
    ]
    return {
        "pilot": {
            "areas": areas,
            "questions": questions,
            "quality_weight": read.whole_number("quality_weight"),
            "price_weight": read.whole_number("price_weight"),
            "min_quality_percent": read.whole_number("min_quality_percent", default=0),
            "max_areas_per_provider": read.whole_number("max_areas_per_provider", default=1),
        }
    }


def call_off_create(kind: str, form: dict[str, Any], timezone: str) -> schemas.CallOffCreate:
    """The CallOffCreate a form of this kind asks for; BadInput naming the form's fields when a
    field cannot be read."""
    read = FormReader(form)
    body: dict[str, Any] = {
        "kind": kind,
        "title": read.text("title"),
        "lot_code": read.text("lot_code"),
        "max_hourly_rate_pence": read.pence("max_rate", required=False),
        "sourcing": read.text("sourcing") or "framework",
    }
    # Ticked under "wider" (a hidden reveal still sends them, so only then): the chosen
    # invitees; none ticked invites every provider admitted to the lot.
    if body["sourcing"] == "wider" and (chosen := read.choices("invitee_ids")):
        body["invitee_ids"] = chosen
    try:
        body["deadline"] = london_deadline(read.text("deadline"), timezone)
    except BadInput as exc:
        read.errors.extend(exc.errors)
    body |= _terms(kind, read)
    if not body["title"]:
        read.refuse("title", "Enter a title")
    read.check()
    try:
        return msgspec.convert(body, schemas.CallOffCreate)
    except msgspec.ValidationError as exc:
        raise BadInput(str(exc), [refused_field(exc, "title")]) from None


def _pounds_text(pence: int | None) -> str:
    return "" if pence is None else f"{pence // 100}.{pence % 100:02d}"


def draft_form(call_off: schemas.CallOff, timezone: str) -> dict[str, Any]:
    """The form's fields filled from a draft call-off, for editing it (call_off_create's
    inverse)."""
    form: dict[str, Any] = {
        "kind": call_off.kind,
        "title": call_off.title,
        "lot_code": call_off.lot_code,
        "deadline": local_input(call_off.deadline, timezone),
        "max_rate": _pounds_text(call_off.max_hourly_rate_pence),
        "sourcing": call_off.sourcing,
    }
    ids = [str(package_id) for package_id in call_off.package_ids]
    if call_off.enablement is not None:
        form |= {
            "package_id": ids[0] if ids else "",
            "budget": _pounds_text(call_off.enablement.budget_pence),
            "weeks": str(call_off.enablement.weeks),
            "outcomes": "\n".join(call_off.enablement.outcomes),
        }
    if call_off.cluster is not None:
        form |= {"package_ids": ids, "latest_start": call_off.cluster.latest_start.isoformat()}
    if call_off.pilot is not None:
        pilot = call_off.pilot
        for i, area in enumerate(pilot.areas[:PILOT_ROWS]):
            form |= {f"area_code_{i}": area.area_code, f"area_hours_{i}": str(area.weekly_hours)}
        for i, question in enumerate(pilot.questions[:PILOT_ROWS]):
            form |= {f"question_{i}": question.text, f"question_weight_{i}": str(question.weight)}
        form |= {
            "quality_weight": str(pilot.quality_weight),
            "price_weight": str(pilot.price_weight),
            "min_quality_percent": str(pilot.min_quality_percent),
            "max_areas_per_provider": str(pilot.max_areas_per_provider),
        }
    return form
