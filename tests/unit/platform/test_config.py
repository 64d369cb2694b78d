"""Settings from the environment, local development keys, and production's refusals."""

from __future__ import annotations

import base64
import stat

import pytest

from marketplace.config import ConfigurationError, load_settings


def test_embedded_default_generates_keys_once_with_mode_0600(tmp_path) -> None:
    settings = load_settings({"MARKETPLACE_VAR_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'marketplace.sqlite'}"
    assert settings.redis_url is None and settings.smtp_url is None and not settings.s3_configured
    assert len(settings.key_encryption_key) == 32
    for name in ("secret_key", "kek"):
        mode = stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode)
        assert mode == 0o600
    again = load_settings({"MARKETPLACE_VAR_DIR": str(tmp_path)})
    assert again.secret_key == settings.secret_key
    assert again.key_encryption_key == settings.key_encryption_key


def test_production_refuses_to_start_without_real_keys_naming_them(tmp_path) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings({"MARKETPLACE_ENV": "production", "MARKETPLACE_VAR_DIR": str(tmp_path)})
    message = str(refused.value)
    for name in ("DATABASE_URL", "MARKETPLACE_SECRET_KEY", "MARKETPLACE_KEK"):
        assert name in message
    assert not (tmp_path / "keys").exists()


def test_production_with_real_keys_starts_and_generates_nothing(tmp_path) -> None:
    kek = base64.b64encode(bytes(range(32))).decode()
    settings = load_settings(
        {
            "MARKETPLACE_ENV": "production",
            "MARKETPLACE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql://db.invalid/marketplace",
            "MARKETPLACE_SECRET_KEY": "x" * 40,
            "MARKETPLACE_KEK": kek,
        }
    )
    assert settings.production
    assert settings.key_encryption_key == bytes(range(32))
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize("kek", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_key_encryption_key_that_is_not_32_bytes_is_refused(tmp_path, kek: str) -> None:
    with pytest.raises(ConfigurationError, match="MARKETPLACE_KEK"):
        load_settings({"MARKETPLACE_VAR_DIR": str(tmp_path), "MARKETPLACE_KEK": kek})


def test_unknown_environment_name_is_refused(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="MARKETPLACE_ENV"):
        load_settings({"MARKETPLACE_ENV": "staging", "MARKETPLACE_VAR_DIR": str(tmp_path)})


def test_services_are_switched_on_by_their_variables(tmp_path) -> None:
    settings = load_settings(
        {
            "MARKETPLACE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql://u@127.0.0.1:5432/m",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "S3_BUCKET": "archive",
            "SMTP_URL": "smtp://127.0.0.1:1025",
        }
    )
    assert settings.database_url.startswith("postgresql://")
    assert settings.redis_url and settings.smtp_url and settings.s3_configured


def test_a_database_url_of_another_kind_is_refused(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        load_settings({"MARKETPLACE_VAR_DIR": str(tmp_path), "DATABASE_URL": "mysql://x/y"})


def test_during_a_rotation_the_previous_kek_is_read_and_tried_after_the_new_one(tmp_path) -> None:
    new, old = bytes(range(32)), bytes(range(1, 33))
    settings = load_settings(
        {
            "MARKETPLACE_VAR_DIR": str(tmp_path),
            "MARKETPLACE_KEK": base64.b64encode(new).decode(),
            "MARKETPLACE_PREVIOUS_KEK": base64.b64encode(old).decode(),
        }
    )
    assert settings.key_encryption_keys == [new, old]
    assert load_settings({"MARKETPLACE_VAR_DIR": str(tmp_path)}).previous_key_encryption_key is None
    with pytest.raises(ConfigurationError, match="MARKETPLACE_PREVIOUS_KEK must be base64"):
        load_settings({"MARKETPLACE_VAR_DIR": str(tmp_path), "MARKETPLACE_PREVIOUS_KEK": "short"})


def test_the_ocid_prefix_defaults_to_the_standards_example_and_must_look_registered(
    tmp_path,
) -> None:
    base = {"MARKETPLACE_VAR_DIR": str(tmp_path)}
    assert load_settings(base).ocid_prefix == "ocds-213czf"
    assert load_settings({**base, "MARKETPLACE_OCID_PREFIX": "ocds-a1b2c3"}).ocid_prefix == (
        "ocds-a1b2c3"
    )
    for wrong in ("ocds-xxxxxx", "ocds-12345", "OCDS-a1b2c3", "a1b2c3", "ocds-a1b2c3-"):
        with pytest.raises(ConfigurationError, match="MARKETPLACE_OCID_PREFIX"):
            load_settings({**base, "MARKETPLACE_OCID_PREFIX": wrong})
