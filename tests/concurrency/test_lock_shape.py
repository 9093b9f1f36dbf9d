"""The SQL shape of the writers: one conditional UPDATE on the hot path, pk-ordered locks elsewhere."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.enums import MovementKind
from inventory.ledger import verify_ledger
from inventory.models import Movement, Stock
from inventory.nearest import pool_ranking
from inventory.services import OrderLine, order_lines_reserve, stock_receive
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked


def sql_of(queries) -> list[str]:
    """The statements, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


@pytest.mark.django_db
def test_a_single_line_is_reserved_by_one_conditional_statement_without_a_select_for_update():
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 10)
    seller = SellerFactory()
    pool_ranking("")  # the warehouse ranking is cached per process; creating a warehouse dropped it

    with CaptureQueriesContext(connection) as queries:
        order_lines_reserve(seller=seller, lines=[OrderLine("shape-1", sku.pk, 2)])

    statements = sql_of(queries)
    # the hot path binds on the server (prepared statements): parameters show as $n
    hot = statements[0]
    assert hot.startswith('WITH reserve AS ( UPDATE "inventory_stock" s SET reserved = s.reserved + $1::integer')
    assert ") AND s.on_hand - s.reserved >= $1::integer RETURNING" in hot
    for table in ("inventory_movement", "inventory_reservation", "inventory_reservationallocation"):
        assert f'INSERT INTO "{table}"' in hot
    assert not any("FOR UPDATE" in sql for sql in statements)
    assert not any("inventory_" in sql for sql in statements[1:])  # the rest is the sync engine's hook


@pytest.mark.django_db
def test_an_order_of_several_lines_locks_every_row_in_pk_order_before_writing():
    first, second = SkuFactory(), SkuFactory()
    warehouse = WarehouseFactory()
    stocked(second, warehouse, 10)
    stocked(first, warehouse, 10)
    seller = SellerFactory()

    with CaptureQueriesContext(connection) as queries:
        order_lines_reserve(seller=seller, lines=[OrderLine("a", first.pk, 1), OrderLine("b", second.pk, 1)])

    statements = sql_of(queries)
    locks = [i for i, sql in enumerate(statements) if "FOR UPDATE" in sql]
    writes = [i for i, sql in enumerate(statements) if sql.startswith(("UPDATE", "WITH", "INSERT"))]
    assert len(locks) == 1
    assert 'ORDER BY "inventory_stock"."id" ASC' in statements[locks[0]]
    assert 'FOR UPDATE OF "inventory_stock"' in statements[locks[0]]
    assert locks[0] < min(writes)


@pytest.mark.django_db(transaction=True)
def test_a_reservation_waiting_on_a_row_lock_chains_onto_the_head_the_holder_wrote():
    sku = SkuFactory()
    warehouse = WarehouseFactory()
    stock = stocked(sku, warehouse, 5)
    seller = SellerFactory()
    holder_booked = threading.Event()
    order = []

    def holder():
        try:
            with transaction.atomic():
                stock_receive(sku=sku, warehouse=warehouse, quantity=3, reference="holder")
                holder_booked.set()
                time.sleep(0.5)  # keep the row locked while the reservation waits
                order.append("holder commits")
        finally:
            connection.close()

    def reserver():
        try:
            holder_booked.wait(5)
            order_lines_reserve(seller=seller, lines=[OrderLine("waiting", sku.pk, 8)])
            order.append("reservation done")
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=reserver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert order == ["holder commits", "reservation done"]
    receipt = Movement.objects.get(stock=stock, reference="holder")
    reservation = Movement.objects.get(stock=stock, kind=MovementKind.RESERVATION)
    assert (reservation.sequence, reservation.prev_hash) == (receipt.sequence + 1, receipt.hash)
    stock = Stock.objects.get(pk=stock.pk)
    assert (stock.on_hand, stock.reserved, stock.ledger_head) == (8, 8, reservation.hash)
    assert verify_ledger() == []


@pytest.mark.django_db
def test_the_hot_statement_is_prepared_once_per_connection_and_then_only_executed():
    # Django opens psycopg connections with preparing switched off; the hot path must still prepare.
    sku = SkuFactory()
    stocked(sku, WarehouseFactory(), 10)
    seller = SellerFactory()

    for number in range(3):
        order_lines_reserve(seller=seller, lines=[OrderLine(f"prepared-{number}", sku.pk, 1)])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH reserve AS%%'"
        )
        assert cursor.fetchall() == [(3,)]
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%auth_user%%'")
        assert cursor.fetchone() == (0,)  # Django's own queries stay unprepared
