"""A worker killed in the middle of a dispatch: after a restart the outbox is drained and every listing is correct.

A module of its own: the module-scoped worker of the end-to-end tests would take the doomed worker's tasks,
and the kill would then interrupt nothing.

After the restart the test sweeps as beat does (every ``SWEEP_EVERY_SECONDS``), not once: a killed worker also
takes with it the delayed tasks it held (a pusher's retry once a held lock expires, a coalesced wake-up), and the
sweep that finds their marks still set defers to them. Recovery from a crash is the periodic sweep's job.
"""

import time

import pytest

from hub.marketplaces.sandbox.models import FaultKind, SandboxFault
from hub.sync.schedules import SWEEP_EVERY_SECONDS
from hub.sync.tasks import sync_sweep_task

from .conftest import shown
from .test_end_to_end import buy_on_shopify, eventually, publish_initial_quantities, push_report, shown_by_platform

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_dispatch_leaves_nothing_behind(five_platforms_with_webhooks, worker_factory):
    _sku, listings = five_platforms_with_webhooks
    worker = worker_factory("doomed")
    publish_initial_quantities(listings)
    fault = SandboxFault.objects.create(platform="shopee", kind=FaultKind.SLOW, remaining=1, delay_seconds=3)

    buy_on_shopify(listings, 5)

    # the slow fault is taken by the first Shopee call: the push is then in flight for 3 s
    eventually(lambda: SandboxFault.objects.get(pk=fault.pk).remaining == 0, message="shopee push in flight")
    assert shown(listings["shopee"]) != 5
    worker.stop(kill=True)
    worker_factory("replacement")
    beat = swept_like_beat()

    eventually(
        lambda: beat() and set(shown_by_platform(listings).values()) == {5},
        deadline=60,
        message=lambda: f"after restart: {push_report(listings)}",
    )


def swept_like_beat():
    """A condition's companion that queues a sweep now and then every ``SWEEP_EVERY_SECONDS`` (always true)."""
    last = [float("-inf")]

    def tick() -> bool:
        if time.monotonic() - last[0] >= SWEEP_EVERY_SECONDS:
            sync_sweep_task.delay()
            last[0] = time.monotonic()
        return True

    return tick
