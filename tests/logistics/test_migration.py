"""The parcels migration (0002) carries each existing shipment over as one parcel (and back)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from logistics.carriers.sandbox import sandbox_parcel_advance
from logistics.enums import TrackingStatus
from logistics.models import Parcel, ParcelItem, TrackingEvent
from logistics.services import shipment_label, shipment_scan_item, shipment_ship, shipment_tracking_refresh

from .test_flow import MUG_BARCODE, packed, picked_shipment  # noqa: F401 - the fixture

BEFORE = [("logistics", "0001_initial")]
# forward through the parcels migration (0002) to the newest, so the models the assertions use match the schema
AFTER = [key for key in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes() if key[0] == "logistics"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_shipped_single_parcel_shipment_becomes_one_parcel_with_its_tracking(picked_shipment):  # noqa: F811
    # given a shipped shipment with two tracking events, made before parcels existed (migrated back)
    shipment, _mug, _pen = picked_shipment
    shipment = shipment_ship(shipment_label(packed(shipment).pk).pk)
    sandbox_parcel_advance(shipment.tracking_number, TrackingStatus.IN_TRANSIT)
    shipment_tracking_refresh(shipment.pk)
    old = migrate(BEFORE).get_model("logistics", "Shipment").objects.get(pk=shipment.pk)
    assert (old.weight_grams, old.length_mm, old.chargeable_weight_grams) == (1600, 300, 1600)

    # when migrated forward
    migrate(AFTER)

    # then one parcel with the shipment's measures, cost, tracking number, items and events
    [parcel] = Parcel.objects.filter(shipment_id=shipment.pk)
    assert (parcel.number, parcel.state, parcel.weight_grams, parcel.height_mm) == (1, "shipped", 1600, 100)
    assert (parcel.cost, parcel.cost_currency, parcel.tracking_number) == (
        Decimal("15.00"),
        "USD",
        shipment.tracking_number,
    )
    items = ParcelItem.objects.filter(parcel=parcel).order_by("line_id")
    assert [(i.line.order_line.seller_sku, i.quantity) for i in items] == [("ACME-MUG", 2), ("ACME-PEN", 1)]
    assert set(TrackingEvent.objects.filter(shipment_id=shipment.pk).values_list("parcel_id", flat=True)) == {parcel.pk}


@pytest.mark.django_db(transaction=True)
def test_a_shipment_being_packed_keeps_its_scanned_items_in_an_open_parcel(picked_shipment):  # noqa: F811
    shipment, _mug, _pen = picked_shipment
    shipment_scan_item(shipment.pk, MUG_BARCODE)
    migrate(BEFORE)

    migrate(AFTER)

    [parcel] = Parcel.objects.filter(shipment_id=shipment.pk)
    assert (parcel.number, parcel.state, parcel.weight_grams, parcel.tracking_number) == (1, "open", None, "")
    assert [(i.line.order_line.seller_sku, i.quantity) for i in ParcelItem.objects.filter(parcel=parcel)] == [
        ("ACME-MUG", 1)
    ]
