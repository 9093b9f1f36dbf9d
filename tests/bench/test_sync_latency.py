"""Smoke test of bench/sync_latency.py: a very short run keeps the JSON contract and leaves no process behind.

The figures themselves are measured by the benchmark and recorded in docs/performance.md;
this test only proves that the script runs the whole stack, reports every figure the issue
names, and stops everything it started. It drops and re-creates its own database
(``<DATABASE_URL's name>_sync_smoke``) and empties the benchmark's Redis databases (10 and 11).
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PHASE_KEYS = {
    "hub_latency_p50_s",
    "hub_latency_p99_s",
    "detection_latency_p99_s",
    "sale_to_listings_p99_s",
    "exposure_listing_s",
    "api_calls_per_change",
    "oversold",
    "rate_limit_violations",
    "stale_listings_after",
    "per_platform",
}
PLATFORM_KEYS = PHASE_KEYS - {"per_platform"}
PLATFORMS = {"shopify", "amazon", "ebay", "shopee", "aliexpress"}


def smoke_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path=f"{parts.path}_sync_smoke").geturl()


def processes_naming(tag: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if tag in command:
            found.append(command)
    return found


def port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_short_run_reports_every_figure_and_stops_every_process():
    # given a very short plan (3 s steady, 1 s burst, 5 s settling)
    command = [
        sys.executable,
        "bench/sync_latency.py",
        "--quick",
        "--json",
        f"--database-url={smoke_database_url()}",
        "--steady-seconds=3",
        "--pause-seconds=3",
        "--burst-seconds=1",
        "--settle-seconds=5",
    ]

    # when the benchmark runs (the timeout only guards against a hang: a healthy run takes about 50 s here)
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=150, check=False)

    # then it printed one JSON object with every figure, overall and per platform
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(finished.stdout)
    for phase in ("steady", "burst"):
        figures = result[phase]
        assert set(figures) >= PHASE_KEYS
        assert set(figures["per_platform"]) == PLATFORMS
        for platform_figures in figures["per_platform"].values():
            assert set(platform_figures) >= PLATFORM_KEYS
            assert platform_figures["push_limit_by_account"], "every platform has accounts with listings"
            assert platform_figures["push_limit_floor_s"] >= 0
        assert set(figures["platforms_whose_limits_forbid_goal"]) <= PLATFORMS
        assert figures["orders_placed"] > 0
        assert figures["orders_ingested"] + figures["not_ingested"] == figures["orders_placed"]
    # and nothing it started is still running
    run_name = Path(result["logs"]).name
    assert processes_naming(run_name) == []
    assert not port_is_open(result["port"])
