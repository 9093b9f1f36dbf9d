"""Settings shared by every environment, read from the environment.

Unset variables fall back to the embedded default: SQLite and a file-based
Celery broker under ``var/``, so the hub runs with nothing but Python.
See README.md for the table of variables.
"""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from .env import (
    broker_url_checked,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    var_dir,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = var_dir(BASE_DIR)

DEBUG = env_bool("DEBUG", default=False)
TESTING = False


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string (or DEBUG=1 for local development)."
        )
    # Development only: a random key kept under var/ so sessions survive restarts.
    key_file = VAR_DIR / "dev_secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "guardian",
    "django_celery_beat",
    "import_export",
    "hub.core",
    "hub.marketplaces.sandbox",
    "hub.sync",
    "sellers",
    "inventory",
    "orders",
    "logistics",
    "returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
ASGI_APPLICATION = "hub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, or SQLite under var/.
_database_url = env_str("DATABASE_URL")
if _database_url:
    _default_db = database_from_url("DATABASE_URL", _database_url)
else:
    _default_db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "hub.sqlite3")}
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks and take the write lock up front.
    _default_db.setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    _default_db.setdefault("CONN_MAX_AGE", env_int("DATABASE_CONN_MAX_AGE", 60))
    _default_db.setdefault("CONN_HEALTH_CHECKS", True)
DATABASES = {"default": _default_db}
FORMS_URLFIELD_ASSUME_HTTPS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ATOMIC_REQUESTS = False

# Cache: Redis when REDIS_URL is set, in-process otherwise.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    broker_url_checked("REDIS_URL", REDIS_URL)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English and Simplified Chinese everywhere.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# Celery: CELERY_BROKER_URL, or the file broker under var/ (no server needed).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if CELERY_BROKER_URL:
    broker_url_checked("CELERY_BROKER_URL", CELERY_BROKER_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _path in (_queue_dir, _processed_dir, _control_dir):
        _path.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "hub")
# Work that decides how fast a sale reaches every listing has a queue of its own, so order
# pulls and reconciliation never make it wait. Workers started without -Q consume every queue.
CELERY_SYNC_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.sync"
# Pushers woken for a low-stock decrease skip whatever waits in the sync queue (a worker of its own).
CELERY_URGENT_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.urgent"
# The Amazon notification receiver long-polls its SQS queue every second: a worker of its own, so it
# neither waits behind a paced pull nor holds a process a push needs.
CELERY_NOTIFICATIONS_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.notifications"
# The sandbox marketplaces deliver their webhooks from a queue of their own: a real platform posts from its
# own machines, never from behind the hub's paced pulls.
CELERY_SANDBOX_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.sandbox"
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name), routing_key=name)
    for name in (
        CELERY_TASK_DEFAULT_QUEUE,
        CELERY_SYNC_QUEUE,
        CELERY_URGENT_QUEUE,
        CELERY_NOTIFICATIONS_QUEUE,
        CELERY_SANDBOX_QUEUE,
    )
)
CELERY_TASK_ROUTES = {
    **{
        task: {"queue": CELERY_SYNC_QUEUE}
        for task in (
            "hub.sync.tasks.inbox_process_task",
            "hub.sync.tasks.outbox_drain_task",
            "hub.sync.tasks.account_push_task",
        )
    },
    "hub.sync.notification_tasks.amazon_notifications_receive_task": {"queue": CELERY_NOTIFICATIONS_QUEUE},
    "hub.marketplaces.sandbox.tasks.sandbox_webhook_deliver_task": {"queue": CELERY_SANDBOX_QUEUE},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}

# Fernet keys for credentials at rest, newest first (see hub/core/crypto.py).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])

# Marketplace sandboxes: fake platforms served by this process, for the demo and tests.
SANDBOX_ENABLED = env_bool("SANDBOX_ENABLED", default=DEBUG)
# Where this hub is reached (sandbox shops and webhooks point here); `make run` listens on PORT.
HUB_BASE_URL = env_str("HUB_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")
# Where the sandbox marketplaces' APIs are reached when another server than the hub's serves them (the sync
# benchmark runs them apart, as real platforms are); empty: HUB_BASE_URL.
SANDBOX_BASE_URL = env_str("SANDBOX_BASE_URL", "")

# Amazon SP-API notifications: the application's SQS queue, which Amazon fills with ORDER_CHANGE for
# every subscribed seller (docs/marketplaces/amazon.md). The keys are an IAM user's allowed to receive
# and delete on that queue; they are never logged. Left empty with the sandbox on: the sandbox's queue
# and keys. AMAZON_SQS_ENDPOINT defaults to https://sqs.<region>.amazonaws.com/.
AMAZON_SQS_QUEUE_URL = env_str("AMAZON_SQS_QUEUE_URL", "")
AMAZON_SQS_REGION = env_str("AMAZON_SQS_REGION", "us-east-1")
AMAZON_SQS_ACCESS_KEY_ID = env_str("AMAZON_SQS_ACCESS_KEY_ID", "")
AMAZON_SQS_SECRET_ACCESS_KEY = env_str("AMAZON_SQS_SECRET_ACCESS_KEY", "")
AMAZON_SQS_ENDPOINT = env_str("AMAZON_SQS_ENDPOINT", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs whole request URLs at INFO, and some platforms sign or authenticate in the query string.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
