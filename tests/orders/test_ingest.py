import dataclasses

import pytest

from hub.marketplaces.types import OrderStatus, ShipTo
from inventory.models import Reservation, Stock
from orders.enums import HoldReason, OrderState
from orders.models import Order
from orders.services import order_ingest
from sellers.enums import ShortagePolicy
from tests.factories import ListingFactory, SellerFactory, SkuFactory, WarehouseFactory, stocked

from .support import canonical_order


@pytest.fixture
def shop(db):
    """A seller's Shopify account listing one SKU (LST-1) that has 5 units in the pool."""
    seller = SellerFactory(shortage_policy=ShortagePolicy.BACKORDER)
    sku = SkuFactory()
    listing = ListingFactory(account__seller=seller, sku=sku, seller_sku="LST-1")
    stocked(sku, WarehouseFactory(), 5)
    return listing


def pool_reserved(sku) -> int:
    return sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True))


def test_new_order_is_stored_and_reserved_at_once(shop):
    result = order_ingest(account=shop.account, canonical=canonical_order(lines=(("LST-1", 2),)), raw={"id": 1001})

    order = result.order
    assert result.created
    assert order.state == OrderState.ALLOCATED
    assert order.seller_id == shop.account.seller_id
    assert order.raw_payload == {"id": 1001}
    line = order.lines.get()
    assert (line.sku_id, line.quantity) == (shop.sku_id, 2)
    assert Reservation.objects.get(line_key=line.reservation_key).quantity_reserved == 2
    assert pool_reserved(shop.sku) == 2


def test_the_same_order_seen_again_is_one_order_and_one_reservation(shop):
    for _ in range(3):
        order_ingest(account=shop.account, canonical=canonical_order(lines=(("LST-1", 2),)), raw={})

    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1
    assert pool_reserved(shop.sku) == 2


def test_a_newer_cancellation_releases_stock_and_an_older_update_is_ignored(shop):
    order_ingest(account=shop.account, canonical=canonical_order(lines=(("LST-1", 2),), updated_minutes=5), raw={})

    stale = order_ingest(
        account=shop.account,
        canonical=canonical_order(lines=(("LST-1", 2),), status=OrderStatus.CANCELLED, updated_minutes=1),
        raw={},
    )
    assert not stale.applied
    assert Order.objects.get().state == OrderState.ALLOCATED

    newer = order_ingest(
        account=shop.account,
        canonical=canonical_order(lines=(("LST-1", 2),), status=OrderStatus.CANCELLED, updated_minutes=9),
        raw={},
    )
    assert newer.applied
    assert Order.objects.get().state == OrderState.CANCELLED
    assert pool_reserved(shop.sku) == 0


def test_an_address_change_is_applied_to_an_open_order(shop):
    order_ingest(account=shop.account, canonical=canonical_order(), raw={})
    moved = ShipTo(
        name="Jürgen Müller", country="DE", city="Berlin", postal_code="10117", address1="Unter den Linden 1"
    )

    order_ingest(account=shop.account, canonical=canonical_order(updated_minutes=3, ship_to=moved), raw={})

    order = Order.objects.get()
    assert (order.ship_city, order.ship_postal_code) == ("Berlin", "10117")
    assert order.state == OrderState.ALLOCATED


def test_an_unmapped_sku_is_held_with_a_reason_and_reserves_nothing(shop):
    result = order_ingest(account=shop.account, canonical=canonical_order(lines=(("NOT-LISTED", 1),)), raw={})

    order = result.order
    assert order.state == OrderState.ON_HOLD
    assert order.hold_reason == HoldReason.UNKNOWN_SKU
    assert "NOT-LISTED" in order.hold_note
    assert Reservation.objects.count() == 0


def test_an_incomplete_address_is_held(shop):
    no_postcode = ShipTo(name="A B", country="US", city="Austin", postal_code="")

    order = order_ingest(account=shop.account, canonical=canonical_order(ship_to=no_postcode), raw={}).order

    assert order.state == OrderState.ON_HOLD
    assert order.hold_reason == HoldReason.INCOMPLETE_ADDRESS
    assert "postal_code" in order.hold_note
    assert pool_reserved(shop.sku) == 1  # sold already: held with its stock reserved, never oversold


def test_same_buyer_and_items_within_minutes_is_held_as_suspected_duplicate(shop):
    order_ingest(account=shop.account, canonical=canonical_order("1001"), raw={})

    second = order_ingest(account=shop.account, canonical=canonical_order("1002"), raw={}).order

    assert second.state == OrderState.ON_HOLD
    assert second.hold_reason == HoldReason.DUPLICATE_SUSPECTED
    assert "1001" in second.hold_note


def test_an_order_cancelled_before_ingest_is_stored_cancelled_without_reserving(shop):
    order = order_ingest(account=shop.account, canonical=canonical_order(status=OrderStatus.CANCELLED), raw={}).order

    assert order.state == OrderState.CANCELLED
    assert Reservation.objects.count() == 0


@pytest.mark.parametrize(
    ("policy", "state", "reserved"),
    [
        (ShortagePolicy.REJECT, OrderState.REJECTED, 0),
        (ShortagePolicy.BACKORDER, OrderState.BACKORDERED, 0),
        (ShortagePolicy.PARTIAL, OrderState.BACKORDERED, 5),
    ],
)
def test_short_stock_follows_the_sellers_policy(shop, policy, state, reserved):
    shop.account.seller.shortage_policy = policy
    shop.account.seller.save()

    order = order_ingest(account=shop.account, canonical=canonical_order(lines=(("LST-1", 7),)), raw={}).order

    assert order.state == state
    assert pool_reserved(shop.sku) == reserved


def test_a_partial_payload_change_keeps_the_event_history(shop):
    order_ingest(account=shop.account, canonical=canonical_order(), raw={})
    cancelled = dataclasses.replace(canonical_order(updated_minutes=2), status=OrderStatus.CANCELLED)

    order_ingest(account=shop.account, canonical=cancelled, raw={})

    states = list(Order.objects.get().events.values_list("to_state", flat=True))
    assert states == [OrderState.RECEIVED, OrderState.ALLOCATED, OrderState.CANCELLED]


def test_a_cancellation_stamped_in_the_same_second_still_applies(shop):
    order_ingest(account=shop.account, canonical=canonical_order(lines=(("LST-1", 2),)), raw={})
    same_second = canonical_order(lines=(("LST-1", 2),), status=OrderStatus.CANCELLED)

    result = order_ingest(account=shop.account, canonical=same_second, raw={})

    assert result.applied
    assert Order.objects.get().state == OrderState.CANCELLED
    assert pool_reserved(shop.sku) == 0


def test_the_same_payload_twice_in_the_same_second_is_ignored(shop):
    order_ingest(account=shop.account, canonical=canonical_order(), raw={})

    again = order_ingest(account=shop.account, canonical=canonical_order(), raw={})

    assert not again.applied
