"""Start and stop the hub's stack for a benchmark: a fresh PostgreSQL database, web, Celery worker, beat.

Every child runs in its own process group and is stopped (then killed) at the end, also on
Ctrl-C, SIGTERM or an exception: use ``Stack`` as a context manager. Only loopback addresses.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15
WEB_PROCESSES = 2
WEB_THREADS = 8


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_recreate(url: str) -> None:
    """Drop and create the database named in ``url`` (its server's ``postgres`` database is used to do it)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or '"' in name:
        raise ValueError(f"unusable database name in {url!r}")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def redis_flush(url: str) -> None:
    """Empty one Redis database (the benchmark's own: token buckets, locks, queued tasks of a former run)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def stack_environment(
    *, database_url: str, redis_url: str, broker_url: str, port: int, sandbox_port: int | None = None
) -> dict[str, str]:
    """The environment of every process of the run (the benchmark itself included).

    ``sandbox_port``: the sandbox marketplaces' APIs are served there, by a server of their own.
    """
    from cryptography.fernet import Fernet

    return {
        **({"SANDBOX_BASE_URL": f"http://127.0.0.1:{sandbox_port}"} if sandbox_port else {}),
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        "DEBUG": "0",
        "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SANDBOX_ENABLED": "1",
        "HUB_BASE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }


def own_backend_renice(nice: int) -> bool:
    """Give the PostgreSQL backend of this thread's Django connection the nice value ``nice``.

    The database work of the world around the hub (buyers placing orders at the sandbox, the sampler)
    runs in backends at the server's priority otherwise, taking the hub's CPU. False where not allowed
    (a server run by another user, not root).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    except (PermissionError, ProcessLookupError):
        return False
    return True


class Stack:
    """Web server (gunicorn, or Django's runserver), ``workers`` Celery workers and beat, logging under ``log_dir``."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        port: int,
        workers: int = 1,
        concurrency: int = 4,
        pool: str = "prefork",
        log_dir: Path,
        queues: tuple[str, ...] = (),
        extra_queues: tuple[tuple[str, int], ...] = (),
        web_server: str = "gunicorn",
        sandbox_port: int | None = None,
        sandbox_nice: int = 0,
    ):
        self.env = {**os.environ, **env}
        self.port = port
        self.workers = workers
        self.concurrency = concurrency
        self.pool = pool  # of the main workers: prefork (a process per task) or threads
        self.log_dir = log_dir
        self.queues = queues  # what the main workers consume (empty: every configured queue)
        self.extra_queues = extra_queues  # (queue, concurrency): one more worker consumes each of these
        self.web_server = web_server  # "gunicorn" or "runserver"
        # The sandbox marketplaces' own web server (its APIs) and webhook worker, at this nice value: a real
        # platform's servers do not take the hub's CPU.
        self.sandbox_port = sandbox_port
        self.sandbox_nice = sandbox_nice
        self.processes: list[tuple[str, subprocess.Popen, object]] = []

    def __enter__(self):
        self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        signal.signal(signal.SIGTERM, self._previous_sigterm)
        return False

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("w")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process, log))
        return process

    def start(self) -> None:
        python = sys.executable
        if self.web_server == "runserver":
            # runserver starts a thread per request: persistent connections would pile up (one per
            # finished thread) until PostgreSQL's max_connections, so the web server closes each one.
            self._spawn(
                "web",
                [python, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                env={"DATABASE_CONN_MAX_AGE": "0"},
            )
        else:
            # As a deployment: one process per core, threads for the requests that wait (the sandbox's
            # SQS long polls), a persistent database connection per thread.
            self._spawn("web", self._gunicorn_args(self.port))
            if self.sandbox_port:
                self._spawn("web-sandbox", [*self._niced(), *self._gunicorn_args(self.sandbox_port)])
        only = [f"--queues={','.join(self.queues)}"] if self.queues else []
        for index in range(self.workers):
            role = "+".join(_queue_role(queue) for queue in self.queues) if self.queues else "all"
            self._spawn(
                f"worker-{role}{index or ''}",
                [*self._worker_args(f"bench{index}", self.concurrency), f"--pool={self.pool}", *only],
            )
        for index, (queue, concurrency) in enumerate(self.extra_queues):
            role = _queue_role(queue)
            self._spawn(
                f"worker-{role}",
                [
                    *(self._niced() if role == "sandbox" else []),
                    *self._worker_args(f"extra{index}", concurrency),
                    f"--queues={queue}",
                ],
            )
        self._spawn(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "hub",
                "beat",
                "--loglevel=WARNING",
                "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
                f"--pidfile={self.log_dir / 'beat.pid'}",
            ],
        )
        self._wait_web()
        self._wait_worker()

    def _gunicorn_args(self, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "hub.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={WEB_PROCESSES}",
            "--worker-class=gthread",
            f"--threads={WEB_THREADS}",
            "--log-level=warning",
        ]

    def _niced(self) -> list[str]:
        return ["nice", "-n", str(self.sandbox_nice)] if self.sandbox_nice else []

    def _worker_args(self, name: str, concurrency: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hub",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={name}-{self.log_dir.name}@%h",  # the run's name: its processes can be found
        ]

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each child (its whole session), this process with its finished
        children (the traffic generators), and PostgreSQL and Redis (all their processes).

        A process's figure includes its exited children's (PostgreSQL's backends come and go with
        connections). A snapshot, so a process that exits between two marks takes its time along."""
        tick = os.sysconf("SC_CLK_TCK")
        by_session: dict[int, float] = {}
        by_command: dict[str, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue  # exited meanwhile
            command = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw[raw.rindex(")") + 2 :].split()
            used = sum(int(value) for value in fields[11:15]) / tick  # utime, stime, cutime, cstime
            session = int(fields[3])
            by_session[session] = by_session.get(session, 0.0) + used
            by_command[command] = by_command.get(command, 0.0) + used
        figures = {name: by_session.get(process.pid, 0.0) for name, process, _log in self.processes}
        own = os.times()
        figures["benchmark"] = own.user + own.system + own.children_user + own.children_system
        figures["postgresql"] = by_command.get("postgres", 0.0)
        figures["redis"] = by_command.get("redis-server", 0.0)
        return figures

    def check_alive(self) -> None:
        for name, process, _log in self.processes:
            if process.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text()[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def _wait_web(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        for port in (self.port, self.sandbox_port) if self.sandbox_port else (self.port,):
            url = f"http://127.0.0.1:{port}/sync/status/"
            while True:
                self.check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"web server on port {port} did not answer in time")
                try:
                    urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback, fixed scheme
                    break
                except urllib.error.HTTPError:
                    break  # answering (a redirect to the login page or a 403 is an answer)
                except OSError:
                    time.sleep(0.2)

    def _wait_worker(self) -> None:
        from hub.core.tasks import ping

        result = ping.delay("bench")
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self.check_alive()
            if result.ready():
                return
            time.sleep(0.1)
        raise RuntimeError("Celery worker did not start in time")

    def stop(self) -> None:
        """Terminate every child's process group; kill what has not exited in time."""
        for _name, process, _log in self.processes:
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for _name, process, log in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            log.close()
        self.processes = []


def _queue_role(queue: str) -> str:
    """A queue's short name for logs and figures: ``bench-1a2b.sync`` -> ``sync``, ``bench-1a2b`` -> ``default``."""
    if "." in queue:
        return queue.rsplit(".", 1)[1]
    return queue.rsplit("-", 1)[1] if queue.count("-") > 1 else "default"


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
