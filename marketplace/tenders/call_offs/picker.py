"""The cluster form's package picker: the waiting packages filtered by area, urgency and service
level, a page at a time, with the packages already chosen kept whatever the page shows (pure: it
works on the listed packages, and without JavaScript, as every move posts the whole form)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 20
FILTERS = ("area_code", "urgency", "service_level")


@dataclass(frozen=True)
class Picker:
    filters: dict[str, str]  # the picker's own fields: picker_area_code...
    page: int  # from 1
    pages: int
    matching: int
    shown: list[Any]  # the packages of this page
    chosen: list[Any]  # every chosen package, in the waiting list's order
    chosen_elsewhere: list[str]  # chosen ids not shown on this page: kept as hidden fields


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and int(text) > 0 else 1


def pick(packages: list[Any], form: dict[str, str], chosen_ids: list[str]) -> Picker:
    """This page of the packages matching the picker's filters (`picker_area_code`,
    `picker_urgency`, `picker_service_level`, `picker_page`)."""
    filters = {name: form.get(f"picker_{name}", "") for name in FILTERS}
    matching = [
        p
        for p in packages
        if all(not wanted or str(getattr(p, name)) == wanted for name, wanted in filters.items())
    ]
    pages = max(1, math.ceil(len(matching) / PAGE_SIZE))
    page = min(_page_number(form.get("picker_page", "")), pages)
    shown = matching[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    on_page = {str(p.id) for p in shown}
    return Picker(
        filters={f"picker_{name}": value for name, value in filters.items()},
        page=page,
        pages=pages,
        matching=len(matching),
        shown=shown,
        chosen=[p for p in packages if str(p.id) in chosen_ids],
        chosen_elsewhere=[i for i in chosen_ids if i not in on_page],
    )
