"""Production orders and inbound shipments as documents with lines, received line by line."""

import datetime as dt

import pytest

from inventory.enums import InboundStatus, ProductionStatus
from inventory.exceptions import InvalidQuantity, InvalidTransition, UnknownSku
from inventory.ledger import verify_ledger
from inventory.models import InboundShipment, Movement, Stock
from inventory.selectors import stock_summary_list
from inventory.services import (
    inbound_shipment_cancel,
    inbound_shipment_create,
    inbound_shipment_receive,
    production_order_create,
    production_order_receive,
    production_order_start,
)
from tests.factories import SkuFactory, kit_of

ETA = dt.date(2026, 12, 1)


@pytest.fixture
def mug_and_lid(db):
    return SkuFactory(code="MUG"), SkuFactory(code="LID")


def on_hand(sku, seller=None) -> int:
    row = Stock.objects.filter(sku=sku, seller=seller).first()
    return row.on_hand if row else 0


def incoming(sku) -> tuple[int, int]:
    summary = stock_summary_list(sku_ids=[sku.pk])[sku.pk]
    return summary.in_transit, summary.in_production


def test_a_shipment_is_received_line_by_line_and_in_transit_counts_what_is_outstanding(mug_and_lid, central, seller):
    mug, lid = mug_and_lid
    shipment = inbound_shipment_create(
        reference="IN-1", warehouse=central, seller=seller, eta=ETA, lines=[(mug, 10), (lid.pk, 4)]
    )
    assert (incoming(mug), incoming(lid)) == ((10, 0), (4, 0))

    shipment = inbound_shipment_receive(shipment=shipment, received={mug: 6})

    assert shipment.status == InboundStatus.PARTIALLY_RECEIVED
    assert (on_hand(mug, seller), on_hand(lid, seller)) == (6, 0)
    assert (incoming(mug), incoming(lid)) == ((4, 0), (4, 0))

    shipment = inbound_shipment_receive(shipment=shipment, received={mug.pk: 4, lid.pk: 4})

    assert shipment.status == InboundStatus.RECEIVED
    assert (on_hand(mug, seller), on_hand(lid, seller)) == (10, 4)
    assert (incoming(mug), incoming(lid)) == ((0, 0), (0, 0))
    assert list(Movement.objects.order_by("pk").values_list("reference", "on_hand_delta")) == [
        ("inbound:IN-1", 6),
        ("inbound:IN-1", 4),
        ("inbound:IN-1", 4),
    ]
    assert verify_ledger() == []


def test_a_production_order_is_received_once_in_production_and_completes_with_its_last_unit(mug_and_lid, central):
    mug, lid = mug_and_lid
    order = production_order_create(number="MO-1", warehouse=central, eta=ETA, lines=[(mug, 50), (lid, 20)])
    assert incoming(mug) == (0, 50)

    with pytest.raises(InvalidTransition):
        production_order_receive(order=order, received={mug: 10})
    production_order_start(order=order)
    order = production_order_receive(order=order, received={mug: 50, lid: 5})
    assert (order.status, incoming(lid)) == (ProductionStatus.PARTIALLY_RECEIVED, (0, 15))
    order = production_order_receive(order=order)  # everything outstanding

    assert order.status == ProductionStatus.COMPLETED
    assert (on_hand(mug), on_hand(lid), incoming(mug), incoming(lid)) == (50, 20, (0, 0), (0, 0))
    with pytest.raises(InvalidTransition):
        production_order_receive(order=order)


def test_cancelling_a_partly_received_shipment_keeps_what_arrived_and_expects_nothing_more(mug_and_lid, central):
    mug, lid = mug_and_lid
    shipment = inbound_shipment_create(reference="IN-1", warehouse=central, eta=ETA, lines=[(mug, 10), (lid, 4)])
    inbound_shipment_receive(shipment=shipment, received={mug: 3})

    shipment = inbound_shipment_cancel(shipment=shipment)

    assert shipment.status == InboundStatus.CANCELLED
    assert (on_hand(mug), incoming(mug), incoming(lid)) == (3, (0, 0), (0, 0))
    with pytest.raises(InvalidTransition):
        inbound_shipment_receive(shipment=shipment)


@pytest.mark.parametrize(
    ("received", "error", "message"),
    [
        ({"mug": 11}, InvalidQuantity, "expects 10 more of MUG, not 11"),
        ({"mug": -1}, InvalidQuantity, "at least 1"),
        ({"other": 1}, InvalidQuantity, "has no line for SKU"),
        ({"mug": 0}, InvalidQuantity, "Nothing to receive"),
        ({"mug": 2, "lid": 5}, InvalidQuantity, "expects 4 more of LID, not 5"),
    ],
)
def test_a_bad_receipt_is_refused_and_nothing_is_applied(mug_and_lid, central, received, error, message):
    mug, lid = mug_and_lid
    skus = {"mug": mug, "lid": lid, "other": SkuFactory(code="OTHER")}
    shipment = inbound_shipment_create(reference="IN-1", warehouse=central, eta=ETA, lines=[(mug, 10), (lid, 4)])

    with pytest.raises(error, match=message):
        inbound_shipment_receive(shipment=shipment, received={skus[k]: n for k, n in received.items()})

    shipment.refresh_from_db()
    assert shipment.status == InboundStatus.IN_TRANSIT
    assert list(shipment.lines.values_list("quantity_received", flat=True)) == [0, 0]
    assert not Movement.objects.exists()


def test_bad_documents_are_refused_and_nothing_is_created(mug_and_lid, central):
    mug, lid = mug_and_lid
    kit = kit_of("SET", {mug: 1, lid: 1})

    with pytest.raises(InvalidQuantity, match="at least one line"):
        inbound_shipment_create(reference="IN-1", warehouse=central, eta=ETA, lines=[])
    with pytest.raises(InvalidQuantity, match="appears on two lines"):
        inbound_shipment_create(reference="IN-1", warehouse=central, eta=ETA, lines=[(mug, 1), (mug.pk, 2)])
    with pytest.raises(InvalidQuantity, match="is a kit"):
        inbound_shipment_create(reference="IN-1", warehouse=central, eta=ETA, lines=[(mug, 1), (kit, 2)])
    with pytest.raises(InvalidQuantity, match="at least 1"):
        production_order_create(number="MO-1", warehouse=central, eta=ETA, lines=[(mug, 0)])
    with pytest.raises(UnknownSku):
        production_order_create(number="MO-1", warehouse=central, eta=ETA, lines=[(999_999, 1)])

    assert not InboundShipment.objects.exists()
