import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from inventory.enums import InboundStatus, ProductionStatus
from inventory.exceptions import InvalidTransition
from inventory.ledger import verify_ledger
from inventory.models import LowStockAlert, Movement, Stock
from inventory.services import (
    OrderLine,
    inbound_shipment_create,
    inbound_shipment_receive,
    order_lines_reserve,
    production_order_complete,
    production_order_create,
    production_order_start,
    reservation_release,
    stock_receive,
)
from tests.factories import SkuFactory, stocked


@pytest.fixture
def booked(sku, central, seller):
    stocked(sku, central, 10)
    order_lines_reserve(seller=seller, lines=[OrderLine("t1", sku.pk, 4)])
    return Stock.objects.get(sku=sku, seller=None)


def run_sql(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_ledger_passes_on_an_untouched_ledger(booked, capsys):
    call_command("verify_ledger")

    assert "Ledger verified" in capsys.readouterr().out


def test_verify_ledger_detects_an_edited_movement(booked, capsys):
    movement = Movement.objects.get(stock=booked, sequence=1)
    run_sql("UPDATE inventory_movement SET reference = %s WHERE id = %s", ["forged", movement.pk])

    with pytest.raises(CommandError, match="1 ledger mismatches"):
        call_command("verify_ledger")

    assert f"stock {booked.pk} movement #1: hash does not match" in capsys.readouterr().err


def test_verify_ledger_detects_a_movement_edited_with_a_recomputed_hash(booked):
    from inventory.ledger import hash_of

    movement = Movement.objects.get(stock=booked, sequence=1)
    movement.on_hand_delta, movement.on_hand_after = 12, 12
    forged = hash_of(movement)
    run_sql(
        "UPDATE inventory_movement SET on_hand_delta = 12, on_hand_after = 12, hash = %s WHERE id = %s",
        [forged, movement.pk],
    )

    problems = [str(p) for p in verify_ledger()]

    assert any("movement #2: previous hash does not match" in p for p in problems)
    assert any("balance after does not equal" in p for p in problems)


def test_verify_ledger_detects_an_edited_balance(booked, capsys):
    run_sql("UPDATE inventory_stock SET on_hand = on_hand + 5 WHERE id = %s", [booked.pk])

    with pytest.raises(CommandError):
        call_command("verify_ledger")

    assert "balance on hand 15 / reserved 4 differs from the ledger's 10 / 4" in capsys.readouterr().err


def test_verify_ledger_detects_reserved_units_no_reservation_holds(booked):
    run_sql("UPDATE inventory_reservationallocation SET quantity = 3", [])

    assert [str(p) for p in verify_ledger()] == [f"stock {booked.pk}: reserved 4 but open reservations hold 3"]


def test_low_stock_alert_is_raised_once_and_resolved_on_restock(central, seller):
    sku = SkuFactory(safety_stock=5)
    stocked(sku, central, 8)

    order_lines_reserve(seller=seller, lines=[OrderLine("a1", sku.pk, 3)])
    assert not LowStockAlert.objects.exists()
    order_lines_reserve(seller=seller, lines=[OrderLine("a2", sku.pk, 1)])
    order_lines_reserve(seller=seller, lines=[OrderLine("a3", sku.pk, 1)])

    alert = LowStockAlert.objects.get()
    assert (alert.available, alert.safety_stock, alert.is_open) == (4, 5, True)

    reservation_release(line_key="a3")
    alert.refresh_from_db()
    assert alert.is_open
    stock_receive(sku=sku, warehouse=central, quantity=1)
    alert.refresh_from_db()
    assert not alert.is_open
    assert LowStockAlert.objects.count() == 1


def test_production_order_and_inbound_shipment_book_stock_on_arrival(sku, central, seller):
    order = production_order_create(number="MO-1", lines=[(sku, 50)], warehouse=central, eta=dt.date(2026, 12, 10))
    shipment = inbound_shipment_create(
        reference="IN-1", lines=[(sku, 7)], warehouse=central, seller=seller, eta=dt.date(2026, 12, 1)
    )

    with pytest.raises(InvalidTransition):
        production_order_complete(order=order)
    production_order_start(order=order)
    order = production_order_complete(order=order)
    shipment = inbound_shipment_receive(shipment=shipment)
    with pytest.raises(InvalidTransition):
        inbound_shipment_receive(shipment=shipment)

    assert (order.status, shipment.status) == (ProductionStatus.COMPLETED, InboundStatus.RECEIVED)
    assert Stock.objects.get(sku=sku, seller=None).on_hand == 50
    assert Stock.objects.get(sku=sku, seller=seller).on_hand == 7
    assert verify_ledger() == []


def test_reconciliation_task_reports_drift(booked, caplog):
    from inventory.tasks import ledger_verify_task

    assert ledger_verify_task() == 0
    run_sql("UPDATE inventory_stock SET reserved = reserved - 1 WHERE id = %s", [booked.pk])

    assert ledger_verify_task() == 2  # the balance differs from the ledger, and from the reservations
    assert f"ledger mismatch: stock {booked.pk}" in caplog.text
