"""JSON bodies are read strictly: a string is not a number and "false" is not a boolean.

Litestar converts a handler's arguments leniently (query and path values arrive as text, so its
conversion coerces "2500" to 2500 and "false" to False); for a JSON body that leniency would store
what the client did not mean. Before the handler runs, the body is decoded once more, strictly,
against the handler's `data` type; a mismatch is the usual 400 naming the field. A whole number
written with a fraction (2150.0) is an integer, as JSON Schema says (found by the fuzzing).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# msgspec says where: " - at `$.areas[0].rate`", or for a mapping's key " - at `key` in `$.weights`".
_AT_KEY_IN = re.compile(r" - at `key` in `\$\.?(?P<path>[^`]*)`$")


def _where(message: str) -> dict[str, str]:
    """The error as the problem handler reads Litestar's: a key and a message."""
    if match := _AT_KEY_IN.search(message):
        return {"key": match["path"], "message": message[: match.start()]}
    return {"key": "", "message": message}


def _body_type(request: Request[Any, Any, Any]) -> Any:
    signature = getattr(request.route_handler, "parsed_fn_signature", None)
    field = signature.parameters.get("data") if signature is not None else None
    return field.annotation if field is not None else None


def _as_whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _as_whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_whole_numbers(item) for item in value]
    return value


def _whole_numbers_refusal(body: bytes, body_type: Any) -> msgspec.ValidationError | None:
    """JSON has one kind of number: 2150.0 is the integer 2150 (as JSON Schema's "integer" says),
    so a whole number written with a fraction is read as an integer; 2150.5 is still refused.
    Only tried once the strict reading has refused a float, off the hot path."""
    try:
        value = _as_whole_numbers(msgspec.json.decode(body))
        msgspec.convert(value, type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        return exc  # what is wrong once whole numbers are read as integers (a bound, a fraction)
    return None


async def check_body_strictly(request: Request[Any, Any, Any]) -> None:
    if request.method not in _WITH_BODY or "json" not in request.headers.get("content-type", ""):
        return
    body_type = _body_type(request)
    if body_type is None:
        return
    body = await request.body()
    try:
        msgspec.json.decode(body, type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        if "got `float`" in str(exc):
            refusal = _whole_numbers_refusal(body, body_type)
            if refusal is None:
                return
            exc = refusal
        raise ValidationException(
            detail="The request body is not valid",
            extra=[{**_where(str(exc)), "source": "body"}],
        ) from exc
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own decoding answers it
