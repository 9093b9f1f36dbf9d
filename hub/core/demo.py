"""The demo data set: each app contributes a builder, run in order by ``seed_demo``.

Builders must be idempotent: running ``seed_demo`` twice leaves one copy of everything.
"""

from django.utils.module_loading import import_string

DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - documented demo login, demo data only

DEMO_BUILDERS = [
    "hub.core.demo_users.build",
    "sellers.demo.build",
    "inventory.demo.build",
    "logistics.demo.build",
]
SANDBOX_DEMO_BUILDERS = [
    "hub.marketplaces.sandbox.demo.build",
    "hub.sync.demo.build",
]


def build_demo(stdout=None):
    from django.conf import settings

    builders = DEMO_BUILDERS + (SANDBOX_DEMO_BUILDERS if settings.SANDBOX_ENABLED else [])
    if stdout is not None and not settings.SANDBOX_ENABLED:
        stdout.write("  sandbox marketplaces are off (SANDBOX_ENABLED=0): no demo shops connected")
    for dotted in builders:
        builder = import_string(dotted)
        summary = builder()
        if stdout is not None and summary:
            stdout.write(f"  {summary}")
