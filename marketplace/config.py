"""Settings read from the environment, and the local development keys of the embedded default."""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The prefix the OCDS documentation's examples use: no publisher's, so fit for development only.
DEVELOPMENT_OCID_PREFIX = "ocds-213czf"
_OCID_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}$")


class ConfigurationError(Exception):
    """The environment does not describe a marketplace that may start."""


@dataclass(frozen=True)
class Settings:
    env: str
    var_dir: Path
    database_url: str
    redis_url: str | None
    s3_endpoint_url: str | None
    s3_bucket: str | None
    s3_region: str
    smtp_url: str | None
    secret_key: bytes
    key_encryption_key: bytes
    min_deadline_seconds: int
    timezone: str
    mail_from: str
    base_url: str
    max_upload_bytes: int
    archive_retention_days: int
    outbox_max_attempts: int
    outbox_lease_seconds: int
    outbox_stuck_seconds: int
    job_timeout_seconds: int
    # The first retry's wait after a failed outbox attempt (doubling per attempt, at most an hour).
    outbox_retry_seconds: int = 10
    # Mail batches a process sends at once, each over an SMTP connection of its own.
    mail_connections: int = 4
    # Failed enablements within so many months that bar a provider from enablement requests;
    # None: the care domain's defaults (3 in 12, marketplace/care/rules.py).
    enablement_bar_failures: int | None = None
    enablement_bar_months: int | None = None
    # The key-encryption key being replaced, during a rotation only (docs/operations.md 3): keys
    # that do not open under the KEK are tried under it until `marketplace keys rotate-kek` is done.
    previous_key_encryption_key: bytes | None = None
    # The ocid prefix of the OCDS releases (docs/design.md 8.8): a real one is registered with
    # the Open Contracting Partnership; the default is the standard's own examples' prefix.
    ocid_prefix: str = DEVELOPMENT_OCID_PREFIX
    # A quarter's KPI return is due so many working days after the quarter ends (docs/design.md 8.9).
    kpi_due_working_days: int = 15

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def key_encryption_keys(self) -> list[bytes]:
        """The KEK, then (during a rotation) the one it replaces: what was sealed under either
        still opens; everything new is sealed under the KEK."""
        previous = self.previous_key_encryption_key
        return [self.key_encryption_key, *([previous] if previous else [])]

    @property
    def s3_configured(self) -> bool:
        return bool(self.s3_bucket)


def _local_key(var_dir: Path, name: str, length: int) -> bytes:
    """Read, or create with mode 0600, a random key kept under var/ for local development."""
    path = var_dir / "keys" / name
    if path.exists():
        return base64.b64decode(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(length)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode() + "\n")
    return key


def _decode_kek(value: str, name: str = "MARKETPLACE_KEK") -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be base64 for 32 bytes") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{name} must be base64 for exactly 32 bytes")
    return key


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from the environment; production refuses anything generated."""
    env_vars = dict(os.environ if environ is None else environ)
    env = env_vars.get("MARKETPLACE_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigurationError("MARKETPLACE_ENV must be 'development' or 'production'")
    var_dir = Path(env_vars.get("MARKETPLACE_VAR_DIR", PROJECT_ROOT / "var")).resolve()
    production = env == "production"

    if production:
        required = ["DATABASE_URL", "MARKETPLACE_SECRET_KEY", "MARKETPLACE_KEK"]
        missing = [name for name in required if not env_vars.get(name)]
        if missing:
            raise ConfigurationError(
                "production mode refuses generated keys and the embedded database; "
                f"set {', '.join(missing)}"
            )

    secret_text = env_vars.get("MARKETPLACE_SECRET_KEY")
    if secret_text:
        if production and len(secret_text) < 32:
            raise ConfigurationError("MARKETPLACE_SECRET_KEY must be at least 32 characters")
        secret_key = secret_text.encode()
    else:
        secret_key = _local_key(var_dir, "secret_key", 32)
    kek_text = env_vars.get("MARKETPLACE_KEK")
    kek = _decode_kek(kek_text) if kek_text else _local_key(var_dir, "kek", 32)
    previous_text = env_vars.get("MARKETPLACE_PREVIOUS_KEK")
    previous_kek = _decode_kek(previous_text, "MARKETPLACE_PREVIOUS_KEK") if previous_text else None

    database_url = env_vars.get("DATABASE_URL") or f"sqlite:///{var_dir / 'marketplace.sqlite'}"
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigurationError("DATABASE_URL must start with postgresql:// or sqlite:///")

    def whole_number(name: str, default: int) -> int:
        try:
            value = int(env_vars.get(name, str(default)))
        except ValueError as exc:
            raise ConfigurationError(f"{name} must be a whole number") from exc
        if value < 0:
            raise ConfigurationError(f"{name} cannot be negative")
        return value

    def optional_positive(name: str) -> int | None:
        if not env_vars.get(name):
            return None
        value = whole_number(name, 0)
        if value < 1:
            raise ConfigurationError(f"{name} must be at least 1")
        return value

    ocid_prefix = env_vars.get("MARKETPLACE_OCID_PREFIX") or DEVELOPMENT_OCID_PREFIX
    if not _OCID_PREFIX.match(ocid_prefix) or ocid_prefix == "ocds-xxxxxx":
        raise ConfigurationError(
            "MARKETPLACE_OCID_PREFIX must be 'ocds-' and the six letters or digits registered "
            "with the Open Contracting Partnership"
        )

    return Settings(
        env=env,
        var_dir=var_dir,
        database_url=database_url,
        redis_url=env_vars.get("REDIS_URL") or None,
        s3_endpoint_url=env_vars.get("S3_ENDPOINT_URL") or None,
        s3_bucket=env_vars.get("S3_BUCKET") or None,
        s3_region=env_vars.get("AWS_DEFAULT_REGION") or env_vars.get("AWS_REGION") or "eu-west-2",
        smtp_url=env_vars.get("SMTP_URL") or None,
        secret_key=secret_key,
        key_encryption_key=kek,
        min_deadline_seconds=whole_number("MARKETPLACE_MIN_DEADLINE_SECONDS", 3600),
        timezone=env_vars.get("MARKETPLACE_TIMEZONE", "Europe/London"),
        mail_from=env_vars.get(
            "MARKETPLACE_MAIL_FROM", "Care call-off marketplace <noreply@localhost>"
        ),
        base_url=env_vars.get("MARKETPLACE_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        max_upload_bytes=whole_number("MARKETPLACE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        archive_retention_days=whole_number("MARKETPLACE_ARCHIVE_RETENTION_DAYS", 3 * 365 + 1),
        outbox_max_attempts=max(1, whole_number("MARKETPLACE_OUTBOX_MAX_ATTEMPTS", 8)),
        outbox_lease_seconds=whole_number("MARKETPLACE_OUTBOX_LEASE_SECONDS", 120),
        outbox_stuck_seconds=whole_number("MARKETPLACE_OUTBOX_STUCK_SECONDS", 300),
        job_timeout_seconds=max(1, whole_number("MARKETPLACE_JOB_TIMEOUT_SECONDS", 60)),
        outbox_retry_seconds=max(1, whole_number("MARKETPLACE_OUTBOX_RETRY_SECONDS", 10)),
        mail_connections=max(1, whole_number("MARKETPLACE_MAIL_CONNECTIONS", 4)),
        kpi_due_working_days=max(1, whole_number("MARKETPLACE_KPI_DUE_WORKING_DAYS", 15)),
        enablement_bar_failures=optional_positive("MARKETPLACE_ENABLEMENT_BAR_FAILURES"),
        enablement_bar_months=optional_positive("MARKETPLACE_ENABLEMENT_BAR_MONTHS"),
        previous_key_encryption_key=previous_kek,
        ocid_prefix=ocid_prefix,
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, read once."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    global _settings
    _settings = None
