"""The migration that turns single-SKU production orders and inbound shipments into documents with lines."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("inventory", "0004_adaptive_buffers")]
AFTER = [("inventory", "0005_ledger_indexes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_documents_become_documents_with_one_line():
    old = migrate(BEFORE)
    try:
        product = old.get_model("inventory", "Product").objects.create(code="p", name="P")
        sku = old.get_model("inventory", "Sku").objects.create(
            product=product, code="MUG", name="Mug", unit_cost=1, weight_grams=1, length_mm=1, width_mm=1, height_mm=1
        )
        warehouse = old.get_model("inventory", "Warehouse").objects.create(code="wh", name="WH", country="CN")
        order = old.get_model("inventory", "ProductionOrder").objects.create(
            number="MO-1", sku=sku, warehouse=warehouse, quantity=40, eta=dt.date(2026, 12, 1), status="completed"
        )
        shipment = old.get_model("inventory", "InboundShipment").objects.create(
            reference="IN-1", sku=sku, warehouse=warehouse, quantity=7, eta=dt.date(2026, 12, 1), status="in_transit"
        )

        new = migrate(AFTER)

        production_lines = new.get_model("inventory", "ProductionOrderLine").objects
        inbound_lines = new.get_model("inventory", "InboundShipmentLine").objects
        assert list(production_lines.values_list("order_id", "sku_id", "quantity", "quantity_received")) == [
            (order.pk, sku.pk, 40, 40)
        ]
        assert list(inbound_lines.values_list("shipment_id", "sku_id", "quantity", "quantity_received")) == [
            (shipment.pk, sku.pk, 7, 0)
        ]
    finally:
        migrate(AFTER)
