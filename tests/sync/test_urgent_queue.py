"""A low-stock decrease wakes its account's pusher through a queue of its own."""

import time

import pytest
from django.conf import settings

from hub.marketplaces.sandbox.models import SandboxShop
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.dispatcher import account_push
from hub.sync.models import ListingPush, PushPriority
from hub.sync.outbox import listings_refresh, listings_sold
from orders.services import order_ingest
from tests.orders.support import canonical_order

from .conftest import shown

DEADLINE_SECONDS = 30


@pytest.mark.django_db(transaction=True)
def test_a_low_stock_decrease_is_pushed_by_the_urgent_worker_alone(five_platforms, worker_factory):
    _sku, listings = five_platforms
    for account_id in listings_refresh([listing.pk for listing in listings.values()]):
        account_push(account_id)
    assert {shown(listing) for listing in listings.values()} == {10}
    worker_factory("urgent", queues=(settings.CELERY_URGENT_QUEUE,))  # nothing consumes the sync queue
    shopify = listings["shopify"]
    shop = SandboxShop.objects.get(platform="shopify", shop_id=shopify.account.shop_id)
    sandbox_module("shopify").place_order(shop, [(shopify.seller_sku, 8)])

    order_ingest(account=shopify.account, canonical=canonical_order("7001", ((shopify.seller_sku, 8),)), raw={})
    listings_sold([shopify.pk])  # two units left: every other listing is owed an urgent decrease

    others = [listing for platform, listing in listings.items() if platform != "shopify"]
    assert set(ListingPush.objects.filter(listing__in=others).values_list("priority", flat=True)) == {
        PushPriority.URGENT
    }
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and any(shown(listing) != 2 for listing in others):
        time.sleep(0.1)
    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 2)
