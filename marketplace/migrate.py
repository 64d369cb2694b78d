"""Bring the database schema up to date with every app's Piccolo migrations."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from marketplace.db import current_engine, is_postgres


class MigrationFailed(Exception):
    pass


async def migrate(quiet: bool = True) -> None:
    """Run every pending migration of every app, in dependency order."""
    engine = current_engine()
    if not is_postgres(engine):
        # WAL lets readers carry on while one writer holds the IMMEDIATE lock.
        await engine._run_in_new_connection("PRAGMA journal_mode=WAL")  # type: ignore[attr-defined]
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(f"{result.message}\n{output.getvalue()}")
