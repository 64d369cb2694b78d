"""JSON bodies are read strictly: a string is not a number and "false" is not a boolean.

Litestar converts a handler's arguments leniently (query and path values arrive as text, so its
conversion coerces "2500" to 2500 and "false" to False); for a JSON body that leniency would store
what the client did not mean. Before the handler runs, the body is decoded once more, strictly,
against the handler's `data` type. A whole number written with a fraction (2150.0) is an integer,
as JSON Schema says (found by the fuzzing). When the body is refused, it is read again as plain
JSON and each field converted on its own against its type (msgspec stops at the first refusal),
so that one 400 names every wrong field, each with its sentence and code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request

from marketplace.errors import BadInput, FieldError
from marketplace.web.forms import conversion_errors, list_item, struct_of
from marketplace.web.problems import plain_errors
from marketplace.web.sentences import translated

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


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


def _unknown_fields(value: Any, shape: Any, at: str = "") -> list[FieldError]:
    """The keys of an object that its Struct does not have (when it forbids them), at any depth
    of Structs and lists of them: msgspec names only the first, and the conversion of each field
    on its own does not see them."""
    struct = struct_of(shape)
    if struct is None or not isinstance(value, Mapping):
        return []
    fields = {info.encode_name: info for info in msgspec.structs.fields(struct)}
    errors = []
    if struct.__struct_config__.forbid_unknown_fields:
        for key in value:
            if key not in fields:
                path = ".".join(filter(None, [at, str(key)]))
                errors.append(translated(path, "is not a known field"))
    for name, info in fields.items():
        inner, path = value.get(name), ".".join(filter(None, [at, name]))
        if isinstance(inner, list):
            errors += [
                error
                for index, item in enumerate(inner)
                for error in _unknown_fields(item, list_item(info.type), f"{path}[{index}]")
            ]
        else:
            errors += _unknown_fields(inner, info.type, path)
    return errors


def every_refusal(value: Any, shape: Any) -> list[FieldError]:
    """Every field of a decoded JSON body that its type refuses, strictly, each once: the
    conversion's refusals and every unknown key (msgspec's own report names only the first, at
    the object that holds it)."""
    errors = conversion_errors(value, shape, strict=True)
    unknown = _unknown_fields(value, shape)
    if unknown:
        errors = [error for error in errors if error.code != "unknown_field"]
    return errors + unknown


async def check_body_strictly(request: Request[Any, Any, Any]) -> None:
    if request.method not in _WITH_BODY or "json" not in request.headers.get("content-type", ""):
        return
    body_type = _body_type(request)
    if body_type is None:
        return
    body = await request.body()
    try:
        msgspec.json.decode(body, type=body_type, strict=True)
        return
    except msgspec.ValidationError:
        pass  # it is JSON; read it plainly, then say everything wrong with it
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own decoding answers it
    # JSON has one kind of number: 2150.0 is the integer 2150 (as JSON Schema's "integer" says),
    # so a whole number written with a fraction is read as an integer; 2150.5 is still refused.
    value = _as_whole_numbers(msgspec.json.decode(body))
    try:
        msgspec.convert(value, type=body_type, strict=True)
        return
    except msgspec.ValidationError:
        errors = every_refusal(value, body_type) or [
            FieldError("body", "Check the request body: it is not valid")
        ]
    detail = " ".join(_full_stop(error.message) for error in plain_errors(errors))
    raise BadInput(detail, errors)


def _full_stop(sentence: str) -> str:
    return sentence if sentence.endswith((".", "?", "!")) else sentence + "."
