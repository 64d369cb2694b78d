"""The `marketplace` command: run, migrate, demo, admin create, import-postcodes, import-cqc,
collectstatic, audit verify and seal, keys rotate-kek, archive init, backup, restore."""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Coroutine
from datetime import date
from pathlib import Path
from typing import Any

import click
import uvicorn
from arq.worker import async_check_health
from botocore.exceptions import BotoCoreError, ClientError

from marketplace.accounts.cqc_file import CqcFile, CqcFileError, read_cqc_file
from marketplace.accounts.cqc_ratings import CqcImportSummary, import_regulator_ratings
from marketplace.accounts.passwords import MIN_PASSWORD_LENGTH
from marketplace.accounts.service import create_admin as create
from marketplace.archive.anchors import AnchorConflict
from marketplace.archive.bucket import ArchiveSetupError, init_archive
from marketplace.audit.anchors import anchor_new_seals
from marketplace.audit.sealing import seal_audit_log, verify_audit_log
from marketplace.backup import BackupRefused, back_up, restore
from marketplace.bids.key_rotation import RotationRefused, rotate_key_encryption_key
from marketplace.binding import bind_engine
from marketplace.config import ConfigurationError, get_settings
from marketplace.db import current_engine, start_engine, stop_engine
from marketplace.demo.loader import load_demo
from marketplace.errors import DomainError
from marketplace.migrate import migrate as run_migrations
from marketplace.notifications.outbox import LANES
from marketplace.notifications.relay import QUEUES
from marketplace.reference.postcodes.importer import DirectoryFileError, import_directory
from marketplace.web.assets import AssetsMissing, collect_static
from marketplace.wiring import wire
from marketplace.worker import redis_settings, run_through_outages


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run one command's coroutine with the database engine (and its pool) started."""

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
    wire()


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""

    run_async(run_migrations())
    click.echo("Database is up to date.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="Address of a load balancer whose X-Forwarded-For is believed (repeatable); the "
    "client's address then counts for the sign-in limits. Without it, none is believed.",
)
def run(host: str, port: int, workers: int, trusted_proxies: tuple[str, ...]) -> None:
    """Serve the marketplace (migrates first)."""

    run_async(run_migrations())
    uvicorn.run(
        "marketplace.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=",".join(trusted_proxies) or None,
    )


@main.command()
@click.option("--check", is_flag=True, help="Exit 0 if the lanes' workers have reported in lately.")
@click.option(
    "--lane",
    "lanes",
    type=click.Choice(LANES),
    multiple=True,
    help="Run (or check) only this lane's worker (repeatable); both lanes without it.",
)
def worker(check: bool, lanes: tuple[str, ...]) -> None:
    """Run the arq workers (needs REDIS_URL): the deadline lane (closes and other deadline jobs,
    the relay, the upkeep) and the mail lane (email in batches), in one process or one each."""
    if not get_settings().redis_url:
        _fail("REDIS_URL is not set: without Redis, `marketplace run` runs the jobs itself")
    lanes = lanes or LANES
    if check:
        sys.exit(
            max(
                asyncio.run(async_check_health(redis_settings(), queue_name=QUEUES[lane]))
                for lane in lanes
            )
        )
    run_through_outages(lanes)


@main.command()
def collectstatic() -> None:
    """Fingerprint and compress the front-end assets into build/static."""

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

    if len(password) < MIN_PASSWORD_LENGTH:
        _fail(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    try:
        user = run_async(create(email, password))
    except DomainError as exc:
        _fail(exc.detail)
    click.echo(f"Created platform admin {user.email}.")


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
def verify_audit() -> None:
    """Check every sealed event and seal; print "ok" with the counts, or the first broken link."""

    result = run_async(verify_audit_log())
    if not result.ok:
        _fail(f"the audit log is broken: {result.message}")
    click.echo(result.message)


@audit.command("seal")
def seal_audit() -> None:
    """Seal the events not sealed yet, now (the worker does this on a schedule)."""

    async def seal_everything() -> int:
        total = 0
        while sealed := await seal_audit_log():
            total += sealed
        await anchor_new_seals()  # again, so that an archive that cannot be written is told
        return total

    try:
        total = run_async(seal_everything())
    except (AnchorConflict, ClientError, BotoCoreError, OSError) as exc:
        _fail(f"the seals could not be anchored in the archive: {exc}")
    click.echo(f"Sealed {total} events.")


@main.group()
def keys() -> None:
    """The key-encryption key (KEK) and what is sealed under it."""


@keys.command("rotate-kek")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Re-wrap at most this many keys and secrets in this run (run again to go on).",
)
def rotate_kek(limit: int | None) -> None:
    """Re-wrap every call-off data key and re-seal every two-factor secret under MARKETPLACE_KEK,
    from MARKETPLACE_PREVIOUS_KEK; resumable, audited."""

    try:
        rotation = run_async(rotate_key_encryption_key(limit))
    except RotationRefused as exc:
        _fail(str(exc))
    click.echo(rotation.describe())
    if rotation.unopenable or rotation.two_factor.unopenable:
        sys.exit(1)


@main.group()
def archive() -> None:
    """The document archive (S3, or a local folder)."""


@archive.command("init")
def archive_init() -> None:
    """Create the bucket with versioning, Object Lock and default retention (idempotent)."""

    try:
        click.echo(asyncio.run(init_archive()))
    except (ArchiveSetupError, ClientError, BotoCoreError) as exc:
        _fail(str(exc))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup(folder: Path) -> None:
    """Copy the embedded default (database, archive, a manifest of digests; never the keys) into
    FOLDER, new or empty. PostgreSQL and S3: see docs/operations.md, section 5."""

    try:
        click.echo(back_up(folder).describe())
    except BackupRefused as exc:
        _fail(str(exc))


@main.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace a marketplace that holds data already.")
def restore_backup(folder: Path, overwrite: bool) -> None:
    """Put a backup made by `marketplace backup` back, every digest checked first."""

    try:
        click.echo(restore(folder, overwrite=overwrite).describe())
    except BackupRefused as exc:
        _fail(str(exc))


@main.command("import-postcodes")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_postcodes(csv_file: Path) -> None:
    """Import an ONS Postcode Directory CSV (columns pcds, lat, long, ru11ind)."""

    try:
        summary = run_async(import_directory(csv_file, progress=True))
    except DirectoryFileError as exc:
        _fail(str(exc))
    click.echo(summary.describe())


def _read_cqc(csv_file: Path) -> CqcFile:
    try:
        with csv_file.open(encoding="utf-8-sig", newline="") as lines:
            return read_cqc_file(lines)
    except UnicodeDecodeError:
        raise CqcFileError(f"{csv_file.name} is not UTF-8 text: save it as CSV UTF-8") from None


@main.command("import-cqc")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cqc(csv_file: Path) -> None:
    """Import the CQC "care directory with ratings" export (CSV): columns Location ID,
    Location Latest Overall Rating and Publication Date, found by name."""
    try:
        found = _read_cqc(csv_file)
    except (CqcFileError, csv.Error) as exc:
        _fail(f"{csv_file.name}: {exc}")
    source = f"CQC import {csv_file.name} {date.today().isoformat()}"

    async def apply() -> CqcImportSummary:
        with click.progressbar(length=len(found.ratings), label="Ratings") as bar:
            return await import_regulator_ratings(found.ratings, source, found.odd_rows, bar.update)

    click.echo(run_async(apply()).describe())


@main.command()
def demo() -> None:
    """Load the demo marketplace (idempotent) and print the demo sign-ins."""

    try:
        result = run_async(load_demo())
    except ConfigurationError as exc:
        _fail(str(exc))
    click.echo(result.describe())


if __name__ == "__main__":
    main()
