"""JSON bodies are read strictly: a string is not a number and "false" is not a boolean.

Litestar converts a handler's arguments leniently (query and path values arrive as text, so its
conversion coerces "2500" to 2500 and "false" to False); for a JSON body that leniency would store
what the client did not mean. Before the handler runs, the body is decoded once more, strictly,
against the handler's `data` type; a mismatch is the usual 400 naming the field.
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


async def check_body_strictly(request: Request[Any, Any, Any]) -> None:
    if request.method not in _WITH_BODY or "json" not in request.headers.get("content-type", ""):
        return
    body_type = _body_type(request)
    if body_type is None:
        return
    try:
        msgspec.json.decode(await request.body(), type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(
            detail="The request body is not valid",
            extra=[{**_where(str(exc)), "source": "body"}],
        ) from exc
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own decoding answers it
