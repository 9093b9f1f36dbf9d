"""The pool warehouse in the destination's country is drawn on first (after the seller's own virtual stock)."""

import pytest

from inventory.models import ReservationAllocation
from inventory.services import OrderLine, order_lines_reserve
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked


@pytest.fixture
def two_pools(db):
    """One SKU with 10 units in a Chinese and 10 in a US pool warehouse (the Chinese one has the lower id)."""
    sku, other = SkuFactory(), SkuFactory()
    shenzhen = WarehouseFactory(code="sz", country="CN")
    los_angeles = WarehouseFactory(code="la", country="US")
    for warehouse in (shenzhen, los_angeles):
        stocked(sku, warehouse, 10)
        stocked(other, warehouse, 10)
    return sku, other, shenzhen, los_angeles


def warehouse_of(reservation) -> str:
    return ReservationAllocation.objects.get(reservation=reservation).stock.warehouse.code


@pytest.mark.parametrize(("destination", "expected"), [("US", "la"), ("DE", "sz"), ("", "sz")])
def test_a_single_line_draws_on_the_destinations_country_first(two_pools, destination, expected):
    sku, _other, _sz, _la = two_pools

    (reservation,) = order_lines_reserve(
        seller=SellerFactory(), lines=[OrderLine("k1", sku.pk, 2)], destination_country=destination
    )

    assert warehouse_of(reservation) == expected


def test_several_lines_take_the_locking_path_and_the_same_preference(two_pools):
    sku, other, _sz, _la = two_pools

    reservations = order_lines_reserve(
        seller=SellerFactory(),
        lines=[OrderLine("k1", sku.pk, 2), OrderLine("k2", other.pk, 3)],
        destination_country="US",
    )

    assert [warehouse_of(reservation) for reservation in reservations] == ["la", "la"]


def test_the_sellers_own_virtual_stock_still_comes_first(two_pools):
    from inventory.services import virtual_stock_lock

    sku, _other, shenzhen, _la = two_pools
    seller = SellerFactory()
    virtual_stock_lock(seller=seller, sku=sku, warehouse=shenzhen, quantity=4)

    (reservation,) = order_lines_reserve(seller=seller, lines=[OrderLine("k1", sku.pk, 2)], destination_country="US")

    allocation = ReservationAllocation.objects.get(reservation=reservation)
    assert (allocation.stock.warehouse.code, allocation.stock.seller_id) == ("sz", seller.pk)
