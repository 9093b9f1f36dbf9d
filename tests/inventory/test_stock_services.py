import pytest
from django.db import IntegrityError, transaction

from inventory.enums import MovementKind
from inventory.exceptions import InsufficientStock, InvalidQuantity, UnknownSku
from inventory.ledger import verify_ledger
from inventory.models import Movement, Stock
from inventory.services import (
    stock_count,
    stock_receive,
    stock_return_restock,
    stock_transfer,
    virtual_stock_lock,
    virtual_stock_release,
)
from tests.factories import kit_of, stocked


def balances(sku):
    return {
        (row.warehouse.code, row.seller.code if row.seller else None): (row.on_hand, row.reserved, row.available)
        for row in Stock.objects.filter(sku=sku).select_related("warehouse", "seller")
    }


def test_goods_receipt_adds_on_hand_and_one_movement(sku, central, admin_user):
    stock_receive(sku=sku, warehouse=central, quantity=40, actor=admin_user, reference="PO-1")

    stock = stock_receive(sku=sku, warehouse=central, quantity=2)

    assert (stock.on_hand, stock.reserved, stock.available) == (42, 0, 42)
    movements = list(Movement.objects.filter(stock=stock).order_by("sequence"))
    assert [(m.sequence, m.kind, m.on_hand_delta, m.on_hand_after) for m in movements] == [
        (1, MovementKind.RECEIPT, 40, 40),
        (2, MovementKind.RECEIPT, 2, 42),
    ]
    assert movements[0].actor == admin_user
    assert movements[0].reference == "PO-1"
    assert movements[1].prev_hash == movements[0].hash
    assert verify_ledger() == []


@pytest.mark.parametrize("quantity", [0, -3, 2.5, "7", True, None])
def test_receipt_refuses_quantities_that_are_not_positive_whole_numbers(sku, central, quantity):
    with pytest.raises(InvalidQuantity):
        stock_receive(sku=sku, warehouse=central, quantity=quantity)

    assert not Stock.objects.exists()
    assert not Movement.objects.exists()


def test_receipt_refuses_unknown_sku_and_kits(sku, central):
    kit = kit_of("GIFT-SET", {sku: 2})

    with pytest.raises(UnknownSku):
        stock_receive(sku=999_999, warehouse=central, quantity=1)
    with pytest.raises(InvalidQuantity, match="kit"):
        stock_receive(sku=kit, warehouse=central, quantity=1)

    assert not Movement.objects.exists()


def test_cycle_count_sets_on_hand_and_needs_a_reason(sku, central):
    stock = stocked(sku, central, 10)

    with pytest.raises(InvalidQuantity, match="reason"):
        stock_count(stock=stock, counted=8, reason="  ")
    counted = stock_count(stock=stock, counted=8, reason="two broken in aisle B")

    assert (counted.on_hand, counted.reserved) == (8, 0)
    last = Movement.objects.filter(stock=stock).latest("sequence")
    assert (last.kind, last.on_hand_delta, last.reason) == (MovementKind.ADJUSTMENT, -2, "two broken in aisle B")
    assert verify_ledger() == []


def test_transfer_moves_units_and_refuses_a_warehouse_without_stock(sku, central, regional):
    stocked(sku, central, 10)

    stock_transfer(sku=sku, from_warehouse=central, to_warehouse=regional, quantity=4, reference="TR-1")
    with pytest.raises(InsufficientStock):
        stock_transfer(sku=sku, from_warehouse=regional, to_warehouse=central, quantity=5)
    with pytest.raises(InsufficientStock):
        stock_transfer(sku=sku, from_warehouse=central, to_warehouse=regional, quantity=7)

    assert balances(sku) == {("central", None): (6, 0, 6), ("regional", None): (4, 0, 4)}
    assert Movement.objects.count() == 3
    assert verify_ledger() == []


def test_virtual_stock_lock_top_up_and_release(sku, central, seller):
    stocked(sku, central, 20)

    virtual_stock_lock(seller=seller, sku=sku, warehouse=central, quantity=5)
    virtual_stock_lock(seller=seller, sku=sku, warehouse=central, quantity=3)
    virtual_stock_release(seller=seller, sku=sku, warehouse=central, quantity=6)

    assert balances(sku) == {("central", None): (18, 0, 18), ("central", "alpha"): (2, 0, 2)}
    with pytest.raises(InsufficientStock):
        virtual_stock_release(seller=seller, sku=sku, warehouse=central, quantity=3)
    with pytest.raises(InsufficientStock):
        virtual_stock_lock(seller=seller, sku=sku, warehouse=central, quantity=19)
    assert balances(sku) == {("central", None): (18, 0, 18), ("central", "alpha"): (2, 0, 2)}
    assert verify_ledger() == []


def test_return_restock_adds_to_the_returns_warehouse(sku, central, regional):
    stock = stock_return_restock(sku=sku, warehouse=regional, quantity=1, reference="RMA-7")

    assert (stock.on_hand, stock.available) == (1, 1)
    assert Movement.objects.get(stock=stock).kind == MovementKind.RETURN_RESTOCK
    assert verify_ledger() == []


def test_database_refuses_negative_and_over_reserved_quantities_even_if_code_is_wrong(sku, central):
    stock = stocked(sku, central, 3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(reserved=4)

    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (3, 0)


def test_movements_cannot_be_changed_or_deleted_through_the_orm(sku, central):
    stock = stocked(sku, central, 3)
    movement = Movement.objects.get(stock=stock)

    with pytest.raises(ValueError, match="immutable"):
        movement.save()
    with pytest.raises(ValueError, match="immutable"):
        movement.delete()
