"""Adaptive buffers: computed from order velocity and measured latency, applied by adaptive rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hub.sync.adaptive import adaptive_buffers_refresh, p95
from hub.sync.models import PushLog
from inventory.allocation import advertised_quantity
from inventory.models import AdaptiveBuffer, AllocationRule
from orders.models import Order
from orders.services import order_ingest
from sellers.enums import Platform
from tests.factories import ListingFactory, SellerFactory, SkuFactory, WarehouseFactory, stocked
from tests.orders.support import canonical_order


def test_p95_of_a_few_values():
    assert p95([]) == 0.0
    assert p95([1.0]) == 1.0
    assert p95([float(n) for n in range(1, 101)]) == 95.0


@pytest.fixture
def busy_sku(db):
    """A SKU with 100 units, listed on Shopify and eBay; 48 units sold in the last day, detected 30 s late."""
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 100)
    seller = SellerFactory()
    shopify = ListingFactory(account__seller=seller, account__platform=Platform.SHOPIFY, sku=sku, seller_sku="S-1")
    ebay = ListingFactory(account__seller=seller, account__platform=Platform.EBAY, sku=sku, seller_sku="E-1")
    now = timezone.now()
    for number in range(12):
        order = order_ingest(
            account=shopify.account,
            canonical=canonical_order(f"A{number}", (("S-1", 4),), ship_to=_buyer(number)),
            raw={},
        ).order
        Order.objects.filter(pk=order.pk).update(
            placed_at=now - timedelta(hours=2, seconds=30), created_at=now - timedelta(hours=2)
        )
    PushLog.objects.create(
        listing=ebay, account=ebay.account, quantity=1, version=1, outcome="ok",
        changed_at=now - timedelta(seconds=3600), sent_at=now, acked_at=now - timedelta(seconds=3600 - 90),
    )  # fmt: skip
    return sku, shopify, ebay


def _buyer(number):
    from hub.marketplaces.types import ShipTo

    return ShipTo(name=f"Buyer {number}", country="US", city="Austin", postal_code=f"7330{number % 10}")


def test_buffer_is_velocity_times_detection_plus_push_latency_with_its_reasoning(busy_sku):
    sku, _shopify, ebay = busy_sku
    AllocationRule.objects.create(name="adaptive eBay", platform=Platform.EBAY, buffer_mode="adaptive")

    changed = adaptive_buffers_refresh(window_hours=24)

    assert changed == {sku.pk}
    buffer = AdaptiveBuffer.objects.get(sku=sku, platform=Platform.EBAY)
    # 48 units / 86400 s x (30 s detection + 90 s push) = 0.0667 -> 1 unit
    assert (buffer.units_sold, buffer.detection_seconds, buffer.push_seconds, buffer.units) == (48, 30.0, 90.0, 1)
    assert "48 units sold" in buffer.reasoning
    assert "push p95 to ebay 90.0 s" in buffer.reasoning
    assert advertised_quantity(ebay) == 100 - 48 - 1


def test_a_rush_in_the_last_hour_is_not_averaged_over_the_day(busy_sku):
    sku, _shopify, ebay = busy_sku
    AllocationRule.objects.create(name="adaptive eBay", platform=Platform.EBAY, buffer_mode="adaptive")
    Order.objects.filter(lines__sku=sku).update(placed_at=timezone.now() - timedelta(minutes=20))

    adaptive_buffers_refresh(window_hours=24)

    buffer = AdaptiveBuffer.objects.get(sku=sku, platform=Platform.EBAY)
    # 48 units / 3600 s x (detection + 90 s push) > 1.6 -> at least 2 units, not the day's average of 1
    assert buffer.units >= 2
    assert "in the last 1 h" in buffer.reasoning
    assert advertised_quantity(ebay) == 100 - 48 - buffer.units


def test_only_adaptive_rules_use_the_adaptive_buffer(busy_sku):
    _sku, shopify, ebay = busy_sku
    AllocationRule.objects.create(name="adaptive eBay", platform=Platform.EBAY, buffer_mode="adaptive")
    AllocationRule.objects.create(name="static Shopify", platform=Platform.SHOPIFY, buffer_units=0)
    adaptive_buffers_refresh(window_hours=24)

    assert advertised_quantity(shopify) == 52
    assert advertised_quantity(ebay) == 51


def test_nothing_is_computed_without_an_adaptive_rule(busy_sku):
    assert adaptive_buffers_refresh() == set()
    assert AdaptiveBuffer.objects.count() == 0


def test_the_in_flight_time_is_measured_per_platform_from_recent_orders_and_pushes(db, in_flight_seconds):
    from hub.sync.adaptive import in_flight_refresh
    from inventory import velocity

    in_flight_seconds(7.5)
    assert in_flight_refresh() == {"*": 7.5}  # nothing sold in the last minutes: the last measure stands

    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 10)
    shopify = ListingFactory(account__platform=Platform.SHOPIFY, sku=sku, seller_sku="S-1")
    ebay = ListingFactory(account__platform=Platform.EBAY, sku=sku, seller_sku="E-1")
    now = timezone.now()
    for listing, number, late in ((shopify, "F1", 2), (ebay, "F2", 20)):
        order = order_ingest(
            account=listing.account, canonical=canonical_order(number, ((listing.seller_sku, 1),)), raw={}
        ).order
        Order.objects.filter(pk=order.pk).update(placed_at=now - timedelta(seconds=late), created_at=now)
    PushLog.objects.create(
        listing=shopify, account=shopify.account, quantity=9, version=1, outcome="ok",
        changed_at=now - timedelta(seconds=1), sent_at=now, acked_at=now,
    )  # fmt: skip

    # detection 2 s on Shopify and 20 s on eBay (pulled), each + push 1 s
    assert in_flight_refresh() == pytest.approx({"*": 7.5, "shopify": 3.0, "ebay": 21.0})
    assert velocity.in_flight_seconds() == pytest.approx({"*": 7.5, "shopify": 3.0, "ebay": 21.0})
    # 1 unit/s on Shopify and 0.5/s on eBay: 3 + 10.5 units in flight
    assert velocity.units_in_flight({"shopify": 1.0, "ebay": 0.5}, velocity.in_flight_seconds()) == 14
