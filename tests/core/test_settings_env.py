"""Start-up configuration: bad URLs fail clearly, production settings pass the deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "REDIS_"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not-a-url"),
        ("DATABASE_URL", "mysqlx://db.example.com/hub"),
        ("DATABASE_URL", "postgres://user:topsecret@db.example.com:99999/hub"),
        ("CELERY_BROKER_URL", "redis//missing-colon"),
        ("CELERY_BROKER_URL", "redis://:topsecret@broker.example.com:77777/0"),
    ],
)
def test_malformed_url_is_one_clear_startup_error_naming_the_variable(variable, value, tmp_path):
    result = run_manage("migrate", "--noinput", DEBUG="1", HUB_VAR_DIR=str(tmp_path), **{variable: value})

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable}" in result.stderr
    assert "topsecret" not in result.stderr
    assert not (tmp_path / "hub.sqlite3").exists()  # nothing was migrated anywhere


def test_missing_secret_key_outside_debug_is_a_clear_error(tmp_path):
    result = run_manage("check", DEBUG="0", SECRET_KEY="", HUB_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="hub.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="hub.example.com",
        DATABASE_URL=os.environ["DATABASE_URL"],
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        HUB_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_no_model_change_lacks_a_migration(tmp_path):
    result = run_manage("makemigrations", "--check", "--dry-run", DEBUG="1", HUB_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
