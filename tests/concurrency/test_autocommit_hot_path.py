"""Outside a transaction the hot path is one statement that commits itself; everything it writes commits with it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.sync.models import StockChange
from inventory.ledger import verify_ledger
from inventory.models import LowStockAlert, Reservation, ReservationAllocation, Stock
from inventory.nearest import pool_ranking
from inventory.services import OrderLine, order_lines_reserve
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked

pytestmark = pytest.mark.django_db(transaction=True)


def commands_sent(monkeypatch) -> list:
    """Record the transaction-control commands psycopg sends (BEGIN, COMMIT, SAVEPOINT...)."""
    from psycopg import _connection_base

    sent = []
    original = _connection_base.BaseConnection._exec_command

    def spy(self, command, *args, **kwargs):
        sent.append(command if isinstance(command, bytes) else repr(command))
        return (yield from original(self, command, *args, **kwargs))

    monkeypatch.setattr(_connection_base.BaseConnection, "_exec_command", spy)
    return sent


def test_a_reservation_outside_a_transaction_is_one_statement_with_its_outbox_row(monkeypatch):
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 10)
    seller = SellerFactory()
    pool_ranking("")
    outbox_before = StockChange.objects.filter(sku=sku).count()

    assert connection.get_autocommit()
    sent = commands_sent(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        (reservation,) = order_lines_reserve(seller=seller, lines=[OrderLine("auto-1", sku.pk, 3)])

    # Django logs BEGIN/COMMIT for the hook's atomic block, but with no statement in it psycopg sends neither
    statements = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 1
    assert statements[0].startswith('WITH reserve AS ( UPDATE "inventory_stock"')
    assert sent == []
    assert Reservation.objects.get(pk=reservation.pk).quantity_reserved == 3
    assert ReservationAllocation.objects.get(reservation=reservation).quantity == 3
    assert StockChange.objects.filter(sku=sku).count() == outbox_before + 1
    assert Stock.objects.get(sku=sku).reserved == 3
    assert verify_ledger() == []


def test_the_low_stock_alert_is_raised_right_after_the_self_committing_statement():
    sku = SkuFactory(safety_stock=5)
    stocked(sku, WarehouseFactory(), 6)

    order_lines_reserve(seller=SellerFactory(), lines=[OrderLine("auto-2", sku.pk, 2)])

    alert = LowStockAlert.objects.get(sku=sku)
    assert (alert.available, alert.is_open) == (4, True)


def test_a_miss_outside_a_transaction_falls_back_to_the_locking_path():
    sku = SkuFactory()
    first, second = WarehouseFactory(code="a"), WarehouseFactory(code="b")
    stocked(sku, first, 2)
    stocked(sku, second, 2)

    (reservation,) = order_lines_reserve(seller=SellerFactory(), lines=[OrderLine("auto-3", sku.pk, 3)])

    assert sorted(ReservationAllocation.objects.filter(reservation=reservation).values_list("quantity", flat=True)) == [
        1,
        2,
    ]
    assert sorted(Stock.objects.values_list("reserved", flat=True)) == [1, 2]
    assert verify_ledger() == []
