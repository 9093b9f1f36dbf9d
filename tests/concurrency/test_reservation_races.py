"""Real races on PostgreSQL: threads with their own connections, released together by a barrier."""

import functools

import pytest

from inventory.enums import ReservationStatus
from inventory.exceptions import InsufficientStock
from inventory.ledger import verify_ledger
from inventory.models import Reservation, Stock
from inventory.services import OrderLine, order_lines_reserve, virtual_stock_lock
from sellers.enums import ShortagePolicy
from tests.concurrency.conftest import race
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, kit_of, stocked

pytestmark = pytest.mark.django_db(transaction=True)


def reserve(seller, line_key, sku_id, quantity):
    return order_lines_reserve(seller=seller, lines=[OrderLine(line_key, sku_id, quantity)])


def errors_other_than_shortage(outcomes):
    return [value for kind, value in outcomes if kind == "error" and not isinstance(value, InsufficientStock)]


def totals(sku):
    rows = Stock.objects.filter(sku=sku)
    return sum(r.on_hand for r in rows), sum(r.reserved for r in rows)


def test_32_workers_across_sellers_reserve_exactly_the_last_units():
    sku = SkuFactory()
    central = WarehouseFactory(code="central")
    stocked(sku, central, 10)
    sellers = [
        SellerFactory(code="reject", shortage_policy=ShortagePolicy.REJECT),
        SellerFactory(code="partial", shortage_policy=ShortagePolicy.PARTIAL),
        SellerFactory(code="backorder", shortage_policy=ShortagePolicy.BACKORDER),
        SellerFactory(code="reject-2", shortage_policy=ShortagePolicy.REJECT),
    ]
    workers = [functools.partial(reserve, sellers[i % 4], f"line-{i}", sku.pk, 1 + i % 2) for i in range(32)]

    outcomes = race(workers)

    assert errors_other_than_shortage(outcomes) == []
    held = sum(Reservation.objects.values_list("quantity_reserved", flat=True))
    assert held == 10
    assert totals(sku) == (10, 10)
    assert (
        Reservation.objects.filter(status=ReservationStatus.RESERVED).count()
        + sum(1 for kind, value in outcomes if kind == "error")
        + Reservation.objects.filter(status=ReservationStatus.BACKORDERED).count()
        == 32
    )
    assert verify_ledger() == []


def test_race_over_virtual_stock_and_two_warehouses_takes_the_locking_path():
    sku = SkuFactory()
    central, regional = WarehouseFactory(code="central"), WarehouseFactory(code="regional")
    stocked(sku, central, 7)
    stocked(sku, regional, 6)
    owner = SellerFactory(code="owner", shortage_policy=ShortagePolicy.PARTIAL)
    dropshipper = SellerFactory(code="drop", shortage_policy=ShortagePolicy.PARTIAL)
    virtual_stock_lock(seller=owner, sku=sku, warehouse=central, quantity=4)
    workers = [functools.partial(reserve, owner if i % 3 == 0 else dropshipper, f"v-{i}", sku.pk, 3) for i in range(24)]

    outcomes = race(workers)

    assert errors_other_than_shortage(outcomes) == []
    assert totals(sku) == (13, 13)
    assert sum(Reservation.objects.values_list("quantity_reserved", flat=True)) == 13
    virtual = Stock.objects.get(sku=sku, seller=owner)
    owner_held = sum(Reservation.objects.filter(seller=owner).values_list("quantity_reserved", flat=True))
    assert virtual.reserved <= owner_held
    assert verify_ledger() == []


def test_kit_and_component_orders_at_once_exhaust_the_component_exactly():
    bottle, lid = SkuFactory(code="BOTTLE"), SkuFactory(code="LID")
    kit = kit_of("BOTTLE-2LIDS", {bottle: 1, lid: 2})
    central = WarehouseFactory(code="central")
    stocked(bottle, central, 20)
    stocked(lid, central, 11)
    seller = SellerFactory(shortage_policy=ShortagePolicy.REJECT)
    kit_workers = [functools.partial(reserve, seller, f"kit-{i}", kit.pk, 1) for i in range(12)]
    lid_workers = [functools.partial(reserve, seller, f"lid-{i}", lid.pk, 1) for i in range(12)]
    workers = [w for pair in zip(kit_workers, lid_workers, strict=True) for w in pair]

    outcomes = race(workers)

    assert errors_other_than_shortage(outcomes) == []
    kits = Reservation.objects.filter(sku=kit).count()
    lids = Reservation.objects.filter(sku=lid).count()
    assert totals(lid) == (11, 2 * kits + lids)
    assert totals(bottle) == (20, kits)
    left = 11 - 2 * kits - lids
    assert left >= 0
    failed = {value.__class__ for kind, value in outcomes if kind == "error"}
    assert failed == {InsufficientStock}
    kit_failed = kits < 12
    lid_failed = lids < 12
    assert not kit_failed or left < 2
    assert not lid_failed or left == 0
    assert verify_ledger() == []


def test_orders_locking_two_skus_in_opposite_line_order_do_not_deadlock():
    first, second = SkuFactory(), SkuFactory()
    central = WarehouseFactory(code="central")
    stocked(first, central, 100)
    stocked(second, central, 100)
    seller = SellerFactory(shortage_policy=ShortagePolicy.REJECT)

    def order(i):
        lines = [OrderLine(f"o{i}-a", first.pk, 2), OrderLine(f"o{i}-b", second.pk, 3)]
        return order_lines_reserve(seller=seller, lines=lines if i % 2 else lines[::-1])

    outcomes = race([functools.partial(order, i) for i in range(16)])

    assert [kind for kind, _value in outcomes] == ["ok"] * 16
    assert totals(first) == (100, 32)
    assert totals(second) == (100, 48)
    assert verify_ledger() == []


def test_the_same_line_sent_by_eight_workers_is_reserved_once():
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(code="central"), 10)
    seller = SellerFactory()

    outcomes = race([functools.partial(reserve, seller, "order-line:42", sku.pk, 3) for _ in range(8)])

    assert [kind for kind, _value in outcomes] == ["ok"] * 8
    assert {value[0].pk for _kind, value in outcomes} == {Reservation.objects.get().pk}
    assert totals(sku) == (10, 3)
    assert verify_ledger() == []
