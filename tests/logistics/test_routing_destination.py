"""Routing ships from the pool warehouse in the buyer's country when it holds the stock, and says so."""

import pytest

from logistics.services.routing import order_route
from tests.factories import WarehouseFactory, stocked

from .support import acme_shop, allocated_order


@pytest.mark.django_db
def test_an_order_to_the_us_ships_from_the_us_pool_with_that_reason():
    _seller, account, shenzhen, mug, pen = acme_shop()
    los_angeles = WarehouseFactory(code="la-pool", country="US", city="Los Angeles")
    stocked(mug, los_angeles, 10)
    stocked(pen, los_angeles, 10)

    us_order = allocated_order(account, "US-1", country="US", city="Austin", postal_code="73301")
    de_order = allocated_order(account, "DE-1", country="DE", city="Berlin", postal_code="10117")
    (us_shipment,) = order_route(us_order.pk)
    (de_shipment,) = order_route(de_order.pk)

    assert us_shipment.warehouse == los_angeles
    assert "destination" in us_shipment.routing_reason
    assert de_shipment.warehouse == shenzhen
    assert "destination" not in de_shipment.routing_reason


@pytest.mark.django_db
def test_a_seller_that_ships_from_one_warehouse_has_a_split_refused_and_nothing_changes():
    from logistics.exceptions import RoutingError
    from orders.enums import OrderState

    seller, account, _shenzhen, mug, pen = acme_shop(stock=0)
    seller.split_policy = "single"
    seller.save()
    stocked(mug, WarehouseFactory(code="wh-a", country="CN"), 2)
    stocked(pen, WarehouseFactory(code="wh-b", country="CN"), 1)
    order = allocated_order(account, "S-1")

    with pytest.raises(RoutingError, match="one only"):
        order_route(order.pk)

    order.refresh_from_db()
    assert order.state == OrderState.ALLOCATED
    assert not order.shipments.exists()
