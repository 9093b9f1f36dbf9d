"""Reading settings from the environment, failing loudly on bad values.

Every helper raises ``ImproperlyConfigured`` naming the variable, so a typo in
deployment stops the process at start-up instead of half-working later.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()

DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
BROKER_SCHEMES = {"redis", "rediss", "filesystem", "memory", "amqp", "pyamqp"}
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to print in an error."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(name: str, url: str) -> dict:
    """Django DATABASES entry for a URL, or a clear error naming the variable."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} is not a supported database URL ({redact_url(url)}): "
            "use postgres://user:password@host:port/name or sqlite:///path/to/file.sqlite3."
        )
    try:
        config = _env.db_url_config(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is malformed ({redact_url(url)}): {error}.") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database ({redact_url(url)}).")
    if scheme != "sqlite" and not config.get("HOST"):
        raise ImproperlyConfigured(f"{name} names no host ({redact_url(url)}).")
    return config


def broker_url_checked(name: str, url: str) -> str:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in BROKER_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} is not a supported broker URL ({redact_url(url)}): "
            "use redis://host:port/db, or leave it unset for the embedded file broker."
        )
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is malformed ({redact_url(url)}): {error}.") from None
    if scheme in {"redis", "rediss", "amqp", "pyamqp"} and not parts.hostname:
        raise ImproperlyConfigured(f"{name} names no host ({redact_url(url)}).")
    return url


def var_dir(base_dir: Path) -> Path:
    """Where the embedded default keeps its files (SQLite, file broker, dev secret)."""
    path = Path(env_str("HUB_VAR_DIR", str(base_dir / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path
