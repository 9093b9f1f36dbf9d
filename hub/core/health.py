"""Reachability of the services the hub depends on."""

from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str | None:
    """None when the database answers, else a short error description."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        return type(error).__name__
    return None


def check_broker() -> str | None:
    """None when the Celery broker accepts a connection, else a short error description."""
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    if url.startswith("filesystem://"):
        folder = Path(options.get("data_folder_in", ""))
        return None if folder.is_dir() else "queue folder missing"
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    return None
