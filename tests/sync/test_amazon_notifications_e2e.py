"""End to end: a buyer orders on sandbox Amazon and the hub reserves the stock from the ORDER_CHANGE
notification alone, with a real Celery worker and no pull running."""

import time

import pytest

from hub.marketplaces.sandbox.amazon import place_order
from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.sync.notification_tasks import amazon_notifications_receive_task
from hub.sync.notifications import account_notifications_subscribe
from inventory.models import Stock
from orders.enums import OrderState
from orders.models import Order
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked
from tests.marketplaces.support import calls

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
DEADLINE_SECONDS = 30
BEAT_EVERY_SECONDS = 0.5


@pytest.mark.django_db(transaction=True)
def test_an_amazon_order_reserves_stock_from_its_notification_without_a_pull(sandbox_hub, worker_factory, monkeypatch):
    monkeypatch.setenv("HUB_BASE_URL", sandbox_hub.url)  # the worker reaches the sandbox queue here
    worker = worker_factory("amazon-notifications")
    sku = SkuFactory(code="MUG-BLUE")
    stocked(sku, WarehouseFactory(), 10)
    account, shop = sandbox_account_connect(SellerFactory(code="bob"), "amazon", "bob-amazon", region="ATVPDKIKX0DER")
    listing, _ = sandbox_listing_connect(account, shop, sku, "BOB-MUG", 10)
    account_notifications_subscribe(account.pk)

    placed = place_order(shop, [(listing.seller_sku, 2)])
    started = time.monotonic()
    next_beat = 0.0
    while not Order.objects.filter(external_id=placed.external_id, state=OrderState.ALLOCATED).exists():
        if time.monotonic() - started > DEADLINE_SECONDS:
            raise AssertionError(f"no reservation within {DEADLINE_SECONDS}s:\n{worker.log_tail()}")
        if time.monotonic() >= next_beat:  # what beat does every second
            amazon_notifications_receive_task.delay()
            next_beat = time.monotonic() + BEAT_EVERY_SECONDS
        time.sleep(0.05)

    assert time.monotonic() - started < 10
    assert sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True)) == 2
    assert Order.objects.get().details_pending is True
    assert calls(shop, "getOrders") == 0
    assert calls(shop, "getOrderItems") == 0
