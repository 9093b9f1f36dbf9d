"""Racing for the nearest warehouse: it runs out exactly, the next nearest takes over, nothing is oversold."""

import functools
from collections import Counter

import pytest

from inventory.exceptions import InsufficientStock
from inventory.ledger import verify_ledger
from inventory.models import ReservationAllocation, Stock
from inventory.services import OrderLine, order_lines_reserve
from tests.concurrency.conftest import race
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked

pytestmark = pytest.mark.django_db(transaction=True)


def reserve(seller, line_key, sku_id, quantity):
    return order_lines_reserve(seller=seller, lines=[OrderLine(line_key, sku_id, quantity)], destination_country="DE")


def test_24_workers_empty_the_nearest_warehouse_then_the_next_and_no_further():
    sku = SkuFactory()
    far = WarehouseFactory(code="la", country="US")
    near = WarehouseFactory(code="rotterdam", country="NL")
    stocked(sku, far, 8)
    stocked(sku, near, 10)
    sellers = [SellerFactory(code=f"s{i}") for i in range(3)]
    workers = [functools.partial(reserve, sellers[i % 3], f"near-{i}", sku.pk, 1) for i in range(24)]

    outcomes = race(workers)

    assert [value for kind, value in outcomes if kind == "error" and not isinstance(value, InsufficientStock)] == []
    assert sum(1 for kind, _value in outcomes if kind == "ok") == 18
    held = Counter()
    for code, quantity in ReservationAllocation.objects.values_list("stock__warehouse__code", "quantity"):
        held[code] += quantity
    assert held == {"rotterdam": 10, "la": 8}
    assert sorted(Stock.objects.values_list("on_hand", "reserved")) == [(8, 8), (10, 10)]
    assert verify_ledger() == []
