"""Fail fast, with instructions, when PostgreSQL or Redis is not reachable."""

import os
from urllib.parse import urlsplit

import psycopg
import redis

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'


def unreachable_services() -> list[str]:
    problems = []
    database_url = os.environ["DATABASE_URL"]
    parts = urlsplit(database_url)
    try:
        psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        problems.append(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({error.__class__.__name__}).\n"
            f"  Start it with: {START_POSTGRES}\n  or point DATABASE_URL at a running server."
        )
    for variable in ("REDIS_URL", "CELERY_BROKER_URL"):
        url = os.environ[variable]
        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            problems.append(
                f"Redis is not reachable at {urlsplit(url).hostname}:{urlsplit(url).port} for {variable} "
                f"({error.__class__.__name__}).\n  Start it with: {START_REDIS}\n  or set {variable}."
            )
    return problems
