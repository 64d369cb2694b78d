"""The `marketplace` command: run, migrate, demo, admin create, import-postcodes, collectstatic."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import click

from marketplace.config import ConfigurationError, get_settings


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run one command's coroutine with the database engine (and its pool) started."""
    from marketplace.db import bind_engine, current_engine, start_engine, stop_engine

    async def with_engine() -> Any:
        bind_engine(current_engine())
        await start_engine()
        try:
            return await coroutine
        finally:
            await stop_engine()

    return asyncio.run(with_engine())


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Care call-off marketplace."""
    try:
        get_settings()
    except ConfigurationError as exc:
        _fail(str(exc))


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from marketplace.migrate import migrate as run_migrations

    run_async(run_migrations())
    click.echo("Database is up to date.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def run(host: str, port: int, workers: int) -> None:
    """Serve the marketplace (migrates first)."""
    import uvicorn

    from marketplace.migrate import migrate as run_migrations

    run_async(run_migrations())
    uvicorn.run(
        "marketplace.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
    )


@main.command()
def collectstatic() -> None:
    """Fingerprint and compress the front-end assets into build/static."""
    from marketplace.web.assets import AssetsMissing, collect_static

    try:
        manifest = collect_static()
    except AssetsMissing as exc:
        _fail(str(exc))
    click.echo(f"Collected {len(manifest)} assets.")


@main.group()
def admin() -> None:
    """Platform administrators."""


@admin.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
def create_admin(email: str, password: str) -> None:
    """Create a platform admin."""
    from marketplace.accounts.passwords import MIN_PASSWORD_LENGTH
    from marketplace.accounts.service import create_admin as create
    from marketplace.errors import DomainError

    if len(password) < MIN_PASSWORD_LENGTH:
        _fail(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    try:
        user = run_async(create(email, password))
    except DomainError as exc:
        _fail(exc.detail)
    click.echo(f"Created platform admin {user.email}.")


@main.command("import-postcodes")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_postcodes(csv_file: Path) -> None:
    """Import an ONS Postcode Directory CSV (columns pcds, lat, long, ru11ind)."""
    from marketplace.tenders.postcode_import import DirectoryFileError, import_directory

    try:
        summary = run_async(import_directory(csv_file, progress=True))
    except DirectoryFileError as exc:
        _fail(str(exc))
    click.echo(summary.describe())


@main.command()
def demo() -> None:
    """Load the demo marketplace (idempotent) and print the demo sign-ins."""
    from marketplace.demo.loader import load_demo

    try:
        result = run_async(load_demo())
    except ConfigurationError as exc:
        _fail(str(exc))
    click.echo(result.describe())


if __name__ == "__main__":
    main()
