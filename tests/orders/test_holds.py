import pytest

from inventory.models import Reservation
from orders.enums import HoldReason, OrderState
from orders.exceptions import OrderTransitionError
from orders.models import Order
from orders.services import order_cancel_by_operator, order_hold_place, order_hold_release, order_ingest
from tests.factories import ListingFactory, SellerFactory, SkuFactory, WarehouseFactory, stocked

from .support import canonical_order


@pytest.fixture
def held_for_unknown_sku(db):
    seller = SellerFactory()
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 5)
    known = ListingFactory(account__seller=seller, sku=sku, seller_sku="KNOWN")
    order = order_ingest(account=known.account, canonical=canonical_order(lines=(("NEW-SKU", 2),)), raw={}).order
    assert order.hold_reason == HoldReason.UNKNOWN_SKU
    return order, known, sku


def test_releasing_a_hold_while_the_sku_is_still_unmapped_is_refused_and_changes_nothing(held_for_unknown_sku):
    order, _known, _sku = held_for_unknown_sku

    with pytest.raises(OrderTransitionError, match="NEW-SKU"):
        order_hold_release(order.pk)

    order.refresh_from_db()
    assert (order.state, order.hold_reason) == (OrderState.ON_HOLD, HoldReason.UNKNOWN_SKU)
    assert Reservation.objects.count() == 0


def test_once_the_sku_is_mapped_releasing_the_hold_reserves_stock(held_for_unknown_sku, operator_user):
    order, known, sku = held_for_unknown_sku
    ListingFactory(account=known.account, sku=sku, seller_sku="NEW-SKU")

    order_hold_release(order.pk, actor=operator_user)

    order.refresh_from_db()
    assert order.state == OrderState.ALLOCATED
    assert order.hold_reason == ""
    assert Reservation.objects.get().quantity_reserved == 2
    assert order.events.filter(actor=operator_user).exists()


def test_operator_hold_and_cancel_need_a_reason_and_cancel_releases_stock(held_for_unknown_sku):
    _order, known, _sku = held_for_unknown_sku
    order = order_ingest(account=known.account, canonical=canonical_order("2002", (("KNOWN", 3),)), raw={}).order
    assert order.state == OrderState.ALLOCATED

    with pytest.raises(OrderTransitionError):
        order_hold_place(order.pk, note="  ")
    order_hold_place(order.pk, note="buyer asked to check the address")
    with pytest.raises(OrderTransitionError):
        order_cancel_by_operator(order.pk, note="")
    order_cancel_by_operator(order.pk, note="buyer cancelled by e-mail")

    order = Order.objects.get(pk=order.pk)
    assert order.state == OrderState.CANCELLED
    assert Reservation.objects.get(line_key=order.lines.get().reservation_key).status == "released"


def test_an_anomaly_hold_keeps_its_stock_and_releasing_it_allocates_without_reserving_twice(db):
    from hub.marketplaces.types import ShipTo

    seller = SellerFactory()
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 5)
    listing = ListingFactory(account__seller=seller, sku=sku, seller_sku="KNOWN")
    no_city = ShipTo(name="A B", country="US", city="", postal_code="73301")
    order = order_ingest(
        account=listing.account, canonical=canonical_order(lines=(("KNOWN", 2),), ship_to=no_city), raw={}
    ).order
    assert (order.state, order.hold_reason) == (OrderState.ON_HOLD, HoldReason.INCOMPLETE_ADDRESS)

    order_hold_release(order.pk, note="address confirmed with the buyer")

    order.refresh_from_db()
    assert order.state == OrderState.ALLOCATED
    assert Reservation.objects.get().quantity_reserved == 2
