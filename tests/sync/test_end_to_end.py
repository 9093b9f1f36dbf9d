"""The whole sync loop with a real Celery worker on Redis and the sandbox marketplaces over HTTP.

A buyer orders on sandbox Shopify; Shopify pushes a signed webhook; the hub stores it,
reserves stock, and every other listing of the SKU on every platform shows the new
quantity. No test sleeps longer than needed: each polls its condition with a deadline.
"""

import time

import pytest

from hub.marketplaces.sandbox.common import webhook_deliver
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxWebhook
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.ingest import account_pull
from hub.sync.outbox import listings_refresh
from hub.sync.tasks import push_soon, sync_sweep_task
from inventory.models import Reservation, Stock
from orders.enums import OrderState
from orders.models import Order

from .conftest import shown

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
DEADLINE_SECONDS = 30


def eventually(condition, *, deadline: float = DEADLINE_SECONDS, message=""):
    """Poll ``condition`` until it is true; ``message`` may be a callable, evaluated only on failure."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"not true within {deadline}s: {message() if callable(message) else message}")
        time.sleep(0.1)


def shown_by_platform(listings) -> dict:
    return {platform: shown(listing) for platform, listing in listings.items()}


def publish_initial_quantities(listings):
    for account_id in listings_refresh([listing.pk for listing in listings.values()]):
        push_soon(account_id)
    eventually(
        lambda: set(shown_by_platform(listings).values()) == {10},
        message=lambda: f"initial push: {push_report(listings)}",
    )


def buy_on_shopify(listings, quantity: int):
    shopify = listings["shopify"]
    shop = shopify.account and sandbox_shop(shopify)
    return sandbox_module("shopify").place_order(shop, [(shopify.seller_sku, quantity)])


def sandbox_shop(listing):
    from hub.marketplaces.sandbox.models import SandboxShop

    return SandboxShop.objects.get(platform=listing.account.platform, shop_id=listing.account.shop_id)


@pytest.mark.django_db(transaction=True)
def test_an_order_on_shopify_reaches_every_other_platform(five_platforms_with_webhooks, celery_worker_process):
    sku, listings = five_platforms_with_webhooks
    publish_initial_quantities(listings)

    sandbox_order = buy_on_shopify(listings, 3)

    order = eventually(lambda: Order.objects.filter(external_id=sandbox_order.external_id).first(), message="order")
    eventually(lambda: set(shown_by_platform(listings).values()) == {7}, message=lambda: push_report(listings))
    order.refresh_from_db()
    assert order.state == OrderState.ALLOCATED
    assert sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True)) == 3


@pytest.mark.django_db(transaction=True)
def test_three_duplicate_webhooks_and_a_pull_yield_one_order(five_platforms_with_webhooks, celery_worker_process):
    _sku, listings = five_platforms_with_webhooks
    publish_initial_quantities(listings)
    shopify = listings["shopify"]
    SandboxFault.objects.create(platform="shopify", kind=FaultKind.DUPLICATE_WEBHOOK, remaining=1)

    sandbox_order = buy_on_shopify(listings, 2)
    eventually(lambda: SandboxWebhook.objects.filter(delivered_at__isnull=False).count() == 2, message="2 deliveries")
    webhook_deliver(SandboxWebhook.objects.first().pk)  # the platform retries once more
    account_pull(shopify.account_id)  # and the scheduled pull sees the same order

    eventually(lambda: set(shown_by_platform(listings).values()) == {8}, message=lambda: push_report(listings))
    assert Order.objects.filter(external_id=sandbox_order.external_id).count() == 1
    assert Reservation.objects.count() == 1
    assert Reservation.objects.get().quantity_reserved == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_platform_converges_after_the_fault_and_delays_no_other(
    five_platforms_with_webhooks, celery_worker_process
):
    _sku, listings = five_platforms_with_webhooks
    publish_initial_quantities(listings)
    fault = SandboxFault.objects.create(platform="amazon", kind=FaultKind.SERVER_ERROR, remaining=10_000)
    SandboxFault.objects.create(platform="ebay", kind=FaultKind.THROTTLE, remaining=2, delay_seconds=1)

    buy_on_shopify(listings, 4)

    others = {platform: listing for platform, listing in listings.items() if platform != "amazon"}
    eventually(lambda: set(shown_by_platform(others).values()) == {6}, message=lambda: push_report(listings))
    assert shown(listings["amazon"]) == 10  # still failing, and nobody waited for it
    SandboxFault.objects.filter(pk=fault.pk).update(remaining=0)  # the outage ends
    sync_sweep_task.delay()
    eventually(lambda: shown(listings["amazon"]) == 6, deadline=60, message="amazon after the outage")


def push_report(listings) -> str:
    from hub.sync.models import ListingPush, PushLog

    pushes = list(
        ListingPush.objects.values_list(
            "listing__account__platform", "target_quantity", "version", "pushed_version", "last_error"
        )
    )
    logs = list(
        PushLog.objects.order_by("id").values_list("account__platform", "quantity", "version", "outcome", "error")
    )
    from hub.sync.models import InboxMessage

    orders = list(Order.objects.values_list("external_id", "state", "hold_reason", "hold_note"))
    inbox = list(InboxMessage.objects.values_list("source", "state", "error"))
    return f"shown={shown_by_platform(listings)} pushes={pushes} logs={logs} orders={orders} inbox={inbox}"


@pytest.mark.django_db(transaction=True)
def test_a_marketplace_cancellation_releases_stock_and_raises_every_listing(
    five_platforms_with_webhooks, celery_worker_process
):
    sku, listings = five_platforms_with_webhooks
    publish_initial_quantities(listings)
    sandbox_order = buy_on_shopify(listings, 3)
    eventually(lambda: set(shown_by_platform(listings).values()) == {7}, message=lambda: push_report(listings))

    sandbox_module("shopify").cancel_order(sandbox_order)

    eventually(
        lambda: Order.objects.filter(external_id=sandbox_order.external_id, state=OrderState.CANCELLED).exists(),
        message=lambda: push_report(listings),
    )
    eventually(lambda: set(shown_by_platform(listings).values()) == {10}, message=lambda: push_report(listings))
    assert sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True)) == 0
