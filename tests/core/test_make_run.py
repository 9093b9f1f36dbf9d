"""`make run` on the embedded default (SQLite, file broker) serves the hub within 60 s."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.slow
def test_make_run_serves_health_and_admin_on_embedded_default(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CELERY_", "REDIS_", "DJANGO_", "SANDBOX_", "DEBUG", "SECRET_KEY"))
    }
    env.update(PORT=str(port), HUB_VAR_DIR=str(tmp_path / "var"))
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        assert health is not None, log_path.read_text()[-4000:]
        status, body = health
        assert status == 200, body
        assert b'"database": "ok"' in body
        status, body = get(f"http://127.0.0.1:{port}/admin/login/")
        assert status == 200
        assert b"Inventory Sync Hub" in body
        assert (tmp_path / "var" / "hub.sqlite3").exists()
        output = log_path.read_text()
        assert "Demo logins" in output
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        try:
            process.wait(timeout=30)
            stopped_in_time = True
        except subprocess.TimeoutExpired:
            stopped_in_time = False
        leftovers = processes_in_session(process.pid)
        if leftovers:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert stopped_in_time, "make run did not stop on Ctrl-C"
    assert leftovers == [], f"still running after Ctrl-C: {leftovers}"


def processes_in_session(session_id: int) -> list[str]:
    deadline = time.monotonic() + 15
    while True:
        result = subprocess.run(["pgrep", "-a", "-s", str(session_id)], capture_output=True, text=True)
        running = result.stdout.splitlines()
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.5)
