"""Counting the SQL statements that run, on either engine: every query a Piccolo table or a raw
query sends goes through its engine's `run_querystring`, which this wraps for a while."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from piccolo.engine.base import Engine


@contextlib.contextmanager
def statements_run(engine: Engine) -> Iterator[list[tuple[str, list[Any]]]]:
    """The statements `engine` runs inside the block, each as its SQL text and arguments."""
    seen: list[tuple[str, list[Any]]] = []
    kind = type(engine)  # the engines have __slots__: the method is wrapped on the class
    original = kind.run_querystring

    async def counted(self: Engine, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if self is engine:
            sql, values = querystring.compile_string(engine_type=self.engine_type)
            seen.append((sql, list(values)))
        return await original(self, querystring, *args, **kwargs)

    kind.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        kind.run_querystring = original  # type: ignore[method-assign]
