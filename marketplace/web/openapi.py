"""The OpenAPI document as the API really answers: every error a route can give, as
problem+json, and the bearer scheme it is called with.

Litestar 2 generates each operation from its handler and knows nothing of the app-wide error
handlers (problems.py), so the generated document is completed once, on its first rendering:

- a `Problem` schema (the RFC 9457 body of problems.py) and a `bearerAuth` HTTP bearer scheme;
- every operation of the JSON API gets the problem answers it can give: 400 (always; its media
  type is application/problem+json, not Litestar's application/json), 401 (a wrong token is
  refused even on a public route), 403 (every route; a public one refuses a bad signed link), 404 (routes with a path id, and every
  signed-in route: not visible is not found), 409 and 422 (routes that take a body or an id, and
  every write: idempotency keys), 413 and 415 (uploads), 429 (the token exchange);
- `security: [{bearerAuth: []}]` on every operation that needs a signed-in user;
- the JSON request bodies say `additionalProperties: false`, as the server refuses an unknown field
  (every body is an `accounts.schemas.Request`, which forbids unknown fields);
- the pages (HTML forms outside /api/, other than /healthz) are left out: they are not the API.
"""

from __future__ import annotations

from typing import Any

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
    if has_body and "multipart/form-data" in operation["requestBody"].get("content", {}):
        statuses |= {413, 415}
    if public and method == "post":
        statuses.add(429)
    return sorted(statuses)


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


def complete(schema: dict[str, Any], public: set[tuple[str, str]]) -> dict[str, Any]:
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
                _refuse_unknown_fields(body.get("schema"), components["schemas"], set())
            answers = operation.setdefault("responses", {})
            for status in statuses_for(path, method, operation, is_public):
                answers[str(status)] = _problem_answer(status)
            if path.startswith("/api/") and not is_public:
                operation["security"] = [{SCHEME: []}]
    return schema


class CompletedJson(JsonRenderPlugin):
    """/api/docs/openapi.json: the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, public_operations(request.app)))


class CompletedSwagger(SwaggerRenderPlugin):
    """Swagger UI over the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, public_operations(request.app)))
