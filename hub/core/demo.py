"""The demo data set: each app contributes a builder, run in order by ``seed_demo``.

Builders must be idempotent: running ``seed_demo`` twice leaves one copy of everything.
"""

from django.utils.module_loading import import_string

DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - documented demo login, demo data only

DEMO_BUILDERS = [
    "hub.core.demo_users.build",
    "inventory.demo.build",
    "sellers.demo.build",
]


def build_demo(stdout=None):
    for dotted in DEMO_BUILDERS:
        builder = import_string(dotted)
        summary = builder()
        if stdout is not None and summary:
            stdout.write(f"  {summary}")
