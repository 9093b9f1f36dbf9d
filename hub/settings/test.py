"""Settings for the test suite: PostgreSQL and Redis on localhost unless overridden."""

import os
import uuid

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hub")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SANDBOX_ENABLED", "1")
# A queue of its own per test session (a worker started by the tests inherits it), so that
# concurrent runs sharing one Redis never take each other's tasks.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"hub-test-{uuid.uuid4().hex[:8]}")

from .base import *  # noqa: F403

TESTING = True
# Live-server threads and worker processes must not keep connections to the test database open.
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOGGING["root"]["level"] = "WARNING"
# Cache keys of their own per session as well: keys named after row ids (locks, "queued" flags, requeue marks)
# would otherwise meet the next run's rows, whose ids start from 1 again in a new test database.
CACHES["default"]["KEY_PREFIX"] = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
