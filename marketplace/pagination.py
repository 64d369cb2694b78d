"""Keyset pagination for list endpoints: `?limit=&cursor=` -> `{items, next_cursor}`."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from litestar.params import QueryParameter
from piccolo.columns import Column

from marketplace.errors import BadInput, FieldError, RuleBroken

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# What a cursor looks like (base64url, as encode_cursor writes it): other text is refused with
# 400; a cursor of this form that the API did not give out, with 422.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def not_given_out() -> RuleBroken:
    """A cursor of the declared form (base64url) that this API did not give out: 422."""
    return RuleBroken(
        "The cursor is not one this API gave out",
        [FieldError("cursor", "The cursor is not one this API gave out", "invalid")],
    )


def decode_cursor(cursor: str) -> str:
    if re.fullmatch(CURSOR_PATTERN, cursor) is None:
        raise BadInput(
            "The cursor is not one this API gave out",
            [FieldError("cursor", "The cursor is not one this API gave out", "invalid")],
        )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise not_given_out() from exc


def decode_moment_cursor(cursor: str) -> datetime:
    """A cursor that holds a moment (a deadline, a creation time)."""
    try:
        moment = datetime.fromisoformat(decode_cursor(cursor))
    except ValueError as exc:
        raise not_given_out() from exc
    if moment.tzinfo is None:
        raise not_given_out()
    return moment


def encode_moment_id_cursor(moment: datetime, row_id: uuid.UUID) -> str:
    """A keyset cursor of a moment and a row's id (rows ordered by the moment, ties by id)."""
    return encode_cursor(f"{moment.isoformat()} {row_id}")


def decode_moment_id_cursor(cursor: str) -> tuple[datetime, uuid.UUID | None]:
    """The moment and id of encode_moment_id_cursor; the id is None in a cursor of a moment
    alone (decode_moment_cursor's)."""
    moment, _, row_id = decode_cursor(cursor).partition(" ")
    try:
        found = datetime.fromisoformat(moment), uuid.UUID(row_id) if row_id else None
    except ValueError as exc:
        raise not_given_out() from exc
    if found[0].tzinfo is None:
        raise not_given_out()
    return found


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInput(
            f"limit must be between 1 and {MAX_LIMIT}",
            [FieldError("limit", f"must be 1 to {MAX_LIMIT}")],
        )
    return limit


async def keyset_page(
    query: Any, key: Column, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Rows ordered by a unique text `key`, after the cursor; and the cursor of the next page."""
    check_limit(limit)
    if cursor:
        query = query.where(key > decode_cursor(cursor))
    rows = await query.order_by(key).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(str(rows[-1][key._meta.name])) if more and rows else None
    return rows, next_cursor


async def newest_first_page(
    query: Any, id_column: Column, at_column: Column, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Rows newest first by a timestamp (ties by id), after the cursor (the last row's id)."""
    check_limit(limit)
    if cursor:
        try:
            last_id = uuid.UUID(decode_cursor(cursor))
        except ValueError:
            last_id = None
        table = id_column._meta.table
        last = None
        if last_id is not None:
            last = await table.select(at_column).where(id_column == last_id).first()
        if last is None:
            raise not_given_out()
        at = last[at_column._meta.name]
        query = query.where((at_column < at) | ((at_column == at) & (id_column < last_id)))
    rows = await query.order_by(at_column, id_column, ascending=False).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(str(rows[-1][id_column._meta.name])) if more and rows else None
    return rows, next_cursor


# The query parameters every list endpoint takes.
Limit = Annotated[
    int, QueryParameter(description=f"page size, 1 to {MAX_LIMIT}", ge=1, le=MAX_LIMIT)
]
Cursor = Annotated[
    str | None,
    QueryParameter(description="next_cursor of the previous page", pattern=CURSOR_PATTERN),
]
