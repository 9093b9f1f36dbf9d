"""Orders arriving at the same moment on PostgreSQL, through real parallel connections."""

import threading

import pytest
from django.db import connection

from inventory.models import Reservation, Stock
from orders.enums import OrderState
from orders.models import Order
from orders.services import order_ingest
from sellers.enums import Platform, ShortagePolicy
from tests.factories import ListingFactory, SellerFactory, SkuFactory, WarehouseFactory, stocked

from .support import canonical_order


def run_at_once(*calls):
    """Run each call in its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def worker(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_one_order_delivered_by_many_webhooks_and_a_pull_at_once_is_one_order():
    seller = SellerFactory()
    sku = SkuFactory()
    listing = ListingFactory(account__seller=seller, sku=sku, seller_sku="LST-1")
    stocked(sku, WarehouseFactory(), 10)
    payload = canonical_order("5001", lines=(("LST-1", 3),))

    run_at_once(*[lambda: order_ingest(account=listing.account, canonical=payload, raw={})] * 6)

    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1
    assert sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True)) == 3


@pytest.mark.django_db(transaction=True)
def test_two_platforms_racing_for_the_last_unit_never_oversell():
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 1)
    shopify = ListingFactory(
        account__seller=SellerFactory(shortage_policy=ShortagePolicy.REJECT),
        account__platform=Platform.SHOPIFY,
        sku=sku,
        seller_sku="A-1",
    )
    ebay = ListingFactory(
        account__seller=SellerFactory(shortage_policy=ShortagePolicy.BACKORDER),
        account__platform=Platform.EBAY,
        sku=sku,
        seller_sku="B-1",
    )

    run_at_once(
        lambda: order_ingest(account=shopify.account, canonical=canonical_order("S-1", (("A-1", 1),)), raw={}),
        lambda: order_ingest(
            account=ebay.account, canonical=canonical_order("E-1", (("B-1", 1),), platform="ebay"), raw={}
        ),
    )

    states = sorted(Order.objects.values_list("state", flat=True))
    assert states.count(OrderState.ALLOCATED) == 1
    assert set(states) - {OrderState.ALLOCATED} <= {OrderState.REJECTED, OrderState.BACKORDERED}
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (1, 1)
