"""The names people read for the codes the data keeps: an area's name for "KENT-ASHFORD", a
lot's name for "CSH". The composition root loads them once per page request (a small read of
the reference data) and the templates' filters look codes up here; a code nobody named reads as
itself. A page whose handler is marked `opt={OWN_NAMES: True}` is left to give the names of the
codes it shows itself (`use_names`), read with its own data: the opportunity feed at national size
would otherwise read every area's name (thousands) for the few a page shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Names:
    areas: Mapping[str, str] = field(default_factory=dict)
    lots: Mapping[str, str] = field(default_factory=dict)


OWN_NAMES = "own_names"

_names: ContextVar[Names | None] = ContextVar("names", default=None)
_NONE = Names()


def use_names(names: Names) -> None:
    """The names this request's pages and emails read."""
    _names.set(names)


def area_name(code: str | None) -> str:
    """ "Ashford" for "KENT-ASHFORD"."""
    return "" if not code else (_names.get() or _NONE).areas.get(code, code)


def area_names(codes: Iterable[str] | None) -> str:
    """ "Ashford, Canterbury" for a list of area codes."""
    return ", ".join(area_name(code) for code in codes or ())


def lot_name(code: str | None) -> str:
    """ "Care and Support at Home" for "CSH"."""
    return "" if not code else (_names.get() or _NONE).lots.get(code, code)
