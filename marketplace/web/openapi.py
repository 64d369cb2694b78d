"""The OpenAPI document as the API really answers: every error a route can give, as
problem+json, and the bearer scheme it is called with.

Litestar 2 generates each operation from its handler and knows nothing of the app-wide error
handlers (problems.py), so the generated document is completed once, on its first rendering:

- a `Problem` schema (the RFC 9457 body of problems.py) and a `bearerAuth` HTTP bearer scheme;
- every operation of the JSON API gets the problem answers it can give: 400 (always; its media
  type is application/problem+json, not Litestar's application/json), 401 (a wrong token is
  refused even on a public route), 403 (every route; a public one refuses a bad signed link), 404 (routes with a path id, and every
  signed-in route: not visible is not found), 409 and 422 (routes that take a body or an id, and
  every write: idempotency keys; and lists with a cursor: a cursor the API did not give out),
  413 and 415 (uploads), 429 (the token exchange);
- `security: [{bearerAuth: []}]` on every operation that needs a signed-in user;
- the JSON request bodies say `additionalProperties: false`, as the server refuses an unknown field
  (every body is an `accounts.schemas.Request`, which forbids unknown fields);
- the bounds and patterns msgspec enforces on a JSON body but Litestar's generated schema leaves
  out (a list's items, `list[Code]`; an optional number's bound of 0; a dict's values) are copied
  from msgspec's own schema of the handler's body type, so that the document says what the
  server refuses;
- the pages (HTML forms outside /api/, other than /healthz) are left out: they are not the API.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

PROBLEM_JSON = "application/problem+json"
SCHEME = "bearerAuth"
WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem document: every error of the API",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "/problems/<slug>, see docs/api.md"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "the fields at fault, when particular fields are",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "description": "a path into the body"},
                    "message": {"type": "string"},
                    "code": {"type": "string", "description": "a stable code for the error"},
                },
            },
        },
    },
}

DESCRIPTIONS = {
    400: "Bad input: a malformed body, a wrong type, a value out of range, an unknown field",
    401: "Not signed in: no credentials, or a wrong, expired or revoked token",
    403: "Signed in, but the role may not do this",
    404: "Absent, or not visible to you",
    409: "Not possible in the current state, or the idempotency key is in use",
    413: "The document is larger than the service accepts",
    415: "The document's content is not an accepted type",
    422: "Well-formed but breaks a rule, or the idempotency key was used for another request",
    429: "Too many attempts; Retry-After says when to try again",
}


def _problem_answer(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 429:
        answer["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}
        }
    return answer


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/healthz"


def public_operations(app: Litestar) -> set[tuple[str, str]]:
    """(path, method) of every operation anyone may call: handlers marked `opt={"public": True}`."""
    public: set[tuple[str, str]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("public"):
                public.update(
                    (route.path_format, method.lower()) for method in handler.http_methods
                )
    return public


def statuses_for(path: str, method: str, operation: dict[str, Any], public: bool) -> list[int]:
    """The problem answers an operation can give (generous: what any of its refusals may be)."""
    if not path.startswith("/api/"):
        return [400] if operation.get("parameters") else []
    has_id = "{" in path
    has_body = "requestBody" in operation
    # 403 even on a public route: a signed link that is not valid is refused.
    statuses = {400, 401, 403}
    if not public:
        statuses.add(404)
        if method in WRITES:
            statuses |= {409, 422}
    if has_id or has_body:
        statuses |= {404, 409, 422}
    if any(parameter.get("name") == "cursor" for parameter in operation.get("parameters", [])):
        statuses.add(422)  # a cursor of the right form that this API did not give out
    if has_body and "multipart/form-data" in operation["requestBody"].get("content", {}):
        statuses |= {413, 415}
    if public and method == "post":
        statuses.add(429)
    return sorted(statuses)


# What msgspec enforces and says in its JSON Schema, copied where Litestar's schema lacks it.
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "propertyNames",
)


def body_types(app: Litestar) -> dict[tuple[str, str], Any]:
    """(path, method) -> the type of the handler's JSON body (`data`), for each that has one."""
    types: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            field = handler.parsed_fn_signature.parameters.get("data")
            if field is not None:
                types.update(
                    ((route.path_format, method.lower()), field.annotation)
                    for method in handler.http_methods
                )
    return types


def _resolved(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict) and isinstance(ref := node.get("$ref"), str):
        return definitions.get(ref.rsplit("/", 1)[1])
    return node


def _branches(node: dict[str, Any]) -> list[Any]:
    return list(node.get("oneOf") or node.get("anyOf") or [node])


def _kind(node: Any, definitions: dict[str, Any]) -> Any:
    node = _resolved(node, definitions)
    return node.get("type", "enum" if "enum" in node else None) if isinstance(node, dict) else None


def declare_constraints(
    ours: Any, theirs: Any, components: dict[str, Any], definitions: dict[str, Any]
) -> None:
    """Copy into Litestar's schema (`ours`) msgspec's constraints (`theirs`, the same type's
    schema) that it lacks, branch by branch of a union and into properties, items and values."""
    ours, theirs = _resolved(ours, components), _resolved(theirs, definitions)
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        return
    if len(_branches(ours)) > 1 or len(_branches(theirs)) > 1:
        for our in _branches(ours):
            kind = _kind(our, components)
            for their in _branches(theirs):
                if _kind(their, definitions) == kind:
                    declare_constraints(our, their, components, definitions)
        return
    for name, our in ours.get("properties", {}).items():
        if name in theirs.get("properties", {}):
            declare_constraints(our, theirs["properties"][name], components, definitions)
    for key in ("items", "additionalProperties"):
        if isinstance(ours.get(key), dict) and isinstance(theirs.get(key), dict):
            declare_constraints(ours[key], theirs[key], components, definitions)
    if ours.get("type") == theirs.get("type"):
        for key in CONSTRAINTS:
            if key in theirs and key not in ours:
                ours[key] = theirs[key]


def _declare_body_constraints(
    operation: dict[str, Any], body_type: Any, components: dict[str, Any]
) -> None:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None or body_type is None:
        return
    try:
        (theirs,), definitions = msgspec.json.schema_components([body_type])
    except TypeError:  # not a type msgspec describes (none of the JSON bodies)
        return
    declare_constraints(body.get("schema"), theirs, components, definitions)


def _refuse_unknown_fields(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    """`additionalProperties: false` on every object schema reachable from `node`."""
    if isinstance(node, list):
        for item in node:
            _refuse_unknown_fields(item, components, seen)
        return
    if not isinstance(node, dict):
        return
    if isinstance(ref := node.get("$ref"), str):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _refuse_unknown_fields(components.get(name), components, seen)
        return
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for key, value in node.items():
        if key in ("properties", "items", "oneOf", "anyOf", "allOf"):
            _refuse_unknown_fields(
                list(value.values()) if key == "properties" else value, components, seen
            )


def complete(
    schema: dict[str, Any],
    public: set[tuple[str, str]],
    bodies: dict[tuple[str, str], Any] | None = None,
) -> dict[str, Any]:
    """Complete the generated document in place (once) and return it."""
    components = schema.setdefault("components", {})
    if SCHEME in components.get("securitySchemes", {}):
        return schema
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})[SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "an API token from POST /api/v1/auth/tokens",
    }
    paths: dict[str, Any] = schema.get("paths", {})
    for path in [p for p in paths if not is_api_path(p)]:
        del paths[path]
    for path, item in paths.items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            is_public = (path, method) in public
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                _declare_body_constraints(
                    operation, (bodies or {}).get((path, method)), components["schemas"]
                )
                _refuse_unknown_fields(body.get("schema"), components["schemas"], set())
            answers = operation.setdefault("responses", {})
            for status in statuses_for(path, method, operation, is_public):
                answers[str(status)] = _problem_answer(status)
            if path.startswith("/api/") and not is_public:
                operation["security"] = [{SCHEME: []}]
    return schema


def _completed(app: Litestar, openapi_schema: dict[str, Any]) -> dict[str, Any]:
    return complete(openapi_schema, public_operations(app), body_types(app))


class CompletedJson(JsonRenderPlugin):
    """/api/docs/openapi.json: the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, _completed(request.app, openapi_schema))


class CompletedSwagger(SwaggerRenderPlugin):
    """Swagger UI over the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, _completed(request.app, openapi_schema))
