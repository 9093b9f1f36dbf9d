"""The warehouse flow on the services: route, wave, pick, pack, label, ship, track, deliver; and refusals."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from inventory.enums import ReservationStatus
from inventory.ledger import verify_ledger
from inventory.models import Reservation
from logistics.carriers.sandbox import sandbox_parcel_advance
from logistics.enums import PushState, ShipmentState, TrackingStatus, WaveKind
from logistics.exceptions import LabelError, PackingError, RoutingError, ShipmentStateError
from logistics.models import Carrier, Parcel, ParcelItem, Shipment, ShipmentLine, TrackingEvent, Wave
from logistics.services import (
    order_route,
    shipment_label,
    shipment_pack,
    shipment_scan_item,
    shipment_ship,
    shipment_tracking_refresh,
    shipments_stale_alert,
    wave_pick_confirm,
    waves_build,
)
from logistics.tasks import shipment_tracking_push_task
from orders.enums import OrderState
from orders.models import Order
from tests.factories import WarehouseFactory, stocked

from .support import acme_shop, allocated_order, balances, rate_card

pytestmark = pytest.mark.django_db
MUG_BARCODE, PEN_BARCODE = "4006381333931", "4006381333948"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def reservation_states(order) -> list[str]:
    keys = [line.reservation_key for line in order.lines.order_by("pk")]
    return [Reservation.objects.get(line_key=key).status for key in keys]


def state_of(shipment) -> tuple:
    """Everything a refused step must leave alone."""
    shipment = Shipment.objects.get(pk=shipment.pk)
    lines = list(
        ShipmentLine.objects.filter(shipment=shipment).order_by("pk").values_list("packed_quantity", flat=True)
    )
    parcels = list(
        Parcel.objects.filter(shipment=shipment)
        .order_by("number")
        .values_list("number", "state", "weight_grams", "tracking_number", "cost")
    )
    items = list(ParcelItem.objects.filter(parcel__shipment=shipment).order_by("pk").values_list("line_id", "quantity"))
    return (shipment.state, shipment.tracking_number, shipment.carrier_cost, lines, parcels, items)


def packed(shipment, scans=(MUG_BARCODE, MUG_BARCODE, PEN_BARCODE)):
    for barcode in scans:
        shipment_scan_item(shipment.pk, barcode)
    return shipment_pack(shipment.pk, weight_grams=1600, length_mm=300, width_mm=200, height_mm=100)


@pytest.fixture
def picked_shipment():
    """Acme's order 1001 (2 MUG + 1 PEN) routed, waved and picked."""
    rate_card()
    _seller, account, _warehouse, mug, pen = acme_shop()
    order = allocated_order(account)
    [shipment] = order_route(order.pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    return Shipment.objects.get(pk=shipment.pk), mug, pen


def test_whole_flow_on_the_services_keeps_stock_and_ledger_in_step(django_capture_on_commit_callbacks):
    # given Acme's allocated order: 2 MUG + 1 PEN reserved out of 10 each
    services = rate_card()
    _seller, account, warehouse, mug, pen = acme_shop()
    order = allocated_order(account)
    assert order.state == OrderState.ALLOCATED
    assert balances(mug) == [(10, 2)]

    # routed: one shipment from the pool at wh-main, order released
    [shipment] = order_route(order.pk)
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED
    assert (shipment.warehouse, shipment.state) == (warehouse, ShipmentState.ROUTED)
    assert shipment.routing_reason == (
        "The shared pool at wh-main holds the reserved units. "
        "Reserved as: nearest pool warehouse to DE: wh-main 7442 km."
    )
    assert verify_ledger() == []

    # waved: multi-item wave at today's 16:00 standard cut-off
    [wave] = waves_build(now=NOW)
    assert (wave.warehouse, wave.kind, wave.cutoff_at) == (warehouse, WaveKind.MULTI_ITEM, NOW.replace(hour=16))
    assert list(wave.shipments.all()) == [shipment]

    # picked: reservations picked, no quantity moved
    wave_pick_confirm(wave.pk)
    assert reservation_states(order) == [ReservationStatus.PICKED, ReservationStatus.PICKED]
    assert (balances(mug), balances(pen)) == ([(10, 2)], [(10, 1)])
    assert verify_ledger() == []

    # packed: parcel weighed and measured; 1600 g chargeable (volumetric 1200 g) at the 5000 g break
    shipment = packed(shipment)
    assert (shipment.state, shipment.service) == (ShipmentState.PACKED, services["standard"])
    assert list(shipment.parcels.values_list("state", "chargeable_weight_grams", "cost")) == [
        ("closed", 1600, Decimal("15.00"))
    ]
    assert (str(shipment.carrier_cost), shipment.cost_currency) == ("15.00", "USD")

    # labelled: the sandbox carrier's tracking number
    shipment = shipment_label(shipment.pk)
    assert shipment.state == ShipmentState.LABELLED
    assert shipment.tracking_number == f"POS{shipment.pk:08d}01{shipment.tracking_number[13]}SB"
    assert list(shipment.parcels.values_list("state", "tracking_number")) == [("labelled", shipment.tracking_number)]

    # shipped: on hand and reserved go down together, push queued after commit
    with django_capture_on_commit_callbacks() as callbacks:
        shipment = shipment_ship(shipment.pk)
    pushes = [c for c in callbacks if getattr(c, "func", None) == shipment_tracking_push_task.delay]
    assert [push.args for push in pushes] == [(shipment.pk,)]
    order.refresh_from_db()
    assert (order.state, shipment.state, shipment.push_state) == (
        OrderState.SHIPPED,
        ShipmentState.SHIPPED,
        PushState.QUEUED,
    )
    assert (balances(mug), balances(pen)) == ([(8, 0)], [(9, 0)])
    assert reservation_states(order) == [ReservationStatus.SHIPPED, ReservationStatus.SHIPPED]
    assert verify_ledger() == []

    # tracking: events form the timeline; delivered closes the shipment and the order
    sandbox_parcel_advance(shipment.tracking_number, TrackingStatus.IN_TRANSIT, location="Leipzig hub")
    assert shipment_tracking_refresh(shipment.pk) == 2
    assert shipment_tracking_refresh(shipment.pk) == 0
    sandbox_parcel_advance(shipment.tracking_number, TrackingStatus.DELIVERED, location="München")
    assert shipment_tracking_refresh(shipment.pk) == 1
    shipment.refresh_from_db()
    order.refresh_from_db()
    timeline = list(TrackingEvent.objects.filter(shipment=shipment).values_list("status", "location"))
    assert timeline == [
        (TrackingStatus.INFO_RECEIVED, ""),
        (TrackingStatus.IN_TRANSIT, "Leipzig hub"),
        (TrackingStatus.DELIVERED, "München"),
    ]
    assert (shipment.state, order.state) == (ShipmentState.DELIVERED, OrderState.DELIVERED)
    assert [e.to_state for e in order.events.order_by("at", "id")][-4:] == [
        OrderState.ALLOCATED,
        OrderState.RELEASED,
        OrderState.SHIPPED,
        OrderState.DELIVERED,
    ]
    assert verify_ledger() == []


def test_single_item_orders_get_their_own_wave():
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    order_route(allocated_order(account, "1001").pk)
    order_route(allocated_order(account, "1002", lines=(("ACME-MUG", 1),)).pk)
    waves = waves_build(now=NOW)
    assert sorted((w.kind, w.shipments.count()) for w in waves) == [(WaveKind.MULTI_ITEM, 1), (WaveKind.SINGLE_ITEM, 1)]
    assert waves_build(now=NOW) == []


def test_an_order_held_in_two_warehouses_is_split_by_policy_or_refused():
    # given the MUG only in wh-main, the PEN only in wh-west
    rate_card()
    _seller, account, warehouse, mug, pen = acme_shop(stock=0)
    stocked(mug, warehouse, 5)
    west = WarehouseFactory(code="wh-west", country="NL")
    stocked(pen, west, 5)
    order = allocated_order(account)

    # single-warehouse policy: refused, nothing changed
    with pytest.raises(RoutingError) as refused:
        order_route(order.pk, policy="single")
    assert refused.value.messages == ["Order 1001 is held in 2 warehouses and the split policy ships from one only."]
    assert (Order.objects.get(pk=order.pk).state, Shipment.objects.count()) == (OrderState.ALLOCATED, 0)

    # split policy: one shipment per warehouse, each saying why
    shipments = order_route(order.pk, policy="split")
    assert [(s.warehouse.code, [line.order_line.seller_sku for line in s.lines.all()]) for s in shipments] == [
        ("wh-main", ["ACME-MUG"]),
        ("wh-west", ["ACME-PEN"]),
    ]
    assert all(s.routing_reason.endswith("Split: the order ships from 2 warehouses.") for s in shipments)


def test_packing_refuses_an_item_not_in_the_order(picked_shipment):
    shipment, _mug, _pen = picked_shipment
    shipment_scan_item(shipment.pk, MUG_BARCODE)
    before = state_of(shipment)

    with pytest.raises(PackingError) as refused:
        shipment_scan_item(shipment.pk, "9999999999999")

    assert refused.value.messages == [f"Item 9999999999999 is not in shipment {shipment.reference}. Put it aside."]
    assert state_of(shipment) == before


def test_packing_refuses_an_extra_unit_and_a_parcel_with_items_missing(picked_shipment):
    shipment, _mug, _pen = picked_shipment
    shipment_scan_item(shipment.pk, PEN_BARCODE)
    with pytest.raises(PackingError) as extra:
        shipment_scan_item(shipment.pk, PEN_BARCODE)
    assert extra.value.messages == ["All 1 units of PEN are packed already; this one is extra."]
    before = state_of(shipment)

    with pytest.raises(PackingError) as missing:
        shipment_pack(shipment.pk, weight_grams=1600, length_mm=300, width_mm=200, height_mm=100)

    assert missing.value.messages == [
        f"Shipment {shipment.reference} is missing 2 x MUG; scan every item before closing the parcel."
    ]
    assert state_of(shipment) == before


def test_shipping_an_unpicked_order_is_refused_and_changes_nothing():
    rate_card()
    _seller, account, _warehouse, mug, _pen = acme_shop()
    order = allocated_order(account)
    [shipment] = order_route(order.pk)
    waves_build(now=NOW)
    before = (state_of(shipment), balances(mug), reservation_states(order))

    with pytest.raises(ShipmentStateError) as refused:
        shipment_ship(shipment.pk)

    assert refused.value.messages == [
        f"Shipment {shipment.reference} is In a pick wave; only picked, packed and labelled parcels can ship."
    ]
    assert (state_of(shipment), balances(mug), reservation_states(order)) == before
    assert Order.objects.get(pk=order.pk).state == OrderState.RELEASED


def test_a_label_for_an_address_without_postal_code_or_country_is_refused():
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    order = allocated_order(account)
    [shipment] = order_route(order.pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    shipment = packed(shipment)
    Order.objects.filter(pk=order.pk).update(ship_postal_code="")  # the ingest holds such orders; edited later
    before = state_of(shipment)

    with pytest.raises(LabelError) as refused:
        shipment_label(shipment.pk)
    assert refused.value.messages == [
        f"No label for {shipment.reference}: the postal code is missing and PostX requires one. "
        "Correct the address first."
    ]
    assert state_of(shipment) == before

    Order.objects.filter(pk=order.pk).update(ship_country="", ship_postal_code="80331")
    with pytest.raises(LabelError) as no_country:
        shipment_label(shipment.pk)
    assert no_country.value.messages == [
        f"No label for {shipment.reference}: the country is missing. Correct the address first."
    ]
    assert state_of(shipment) == before


def test_routing_refuses_an_order_that_is_not_allocated():
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    order = allocated_order(account)
    order_route(order.pk)
    with pytest.raises(RoutingError) as refused:
        order_route(order.pk)
    assert refused.value.messages == ["Order 1001 is Released to the warehouse; only allocated orders can be routed."]
    assert Shipment.objects.count() == 1


def test_stale_shipment_raises_an_alert_once_and_a_new_event_clears_it(picked_shipment):
    shipment, _mug, _pen = picked_shipment
    shipment = shipment_label(packed(shipment).pk)
    shipment = shipment_ship(shipment.pk)
    TrackingEvent.objects.all().delete()
    later = shipment.shipped_at + timedelta(days=8)

    assert shipments_stale_alert(days=7, now=shipment.shipped_at + timedelta(days=6)) == []
    assert shipments_stale_alert(days=7, now=later) == [shipment.pk]
    assert shipments_stale_alert(days=7, now=later) == []
    assert Shipment.objects.get(pk=shipment.pk).stale_alert_at == later

    sandbox_parcel_advance(shipment.tracking_number, TrackingStatus.IN_TRANSIT, at=later + timedelta(hours=1))
    shipment_tracking_refresh(shipment.pk)
    assert Shipment.objects.get(pk=shipment.pk).stale_alert_at is None


def test_confirming_a_picked_wave_twice_is_refused(picked_shipment):
    shipment, _mug, _pen = picked_shipment
    wave = Wave.objects.get(pk=shipment.wave_id)
    with pytest.raises(ShipmentStateError) as refused:
        wave_pick_confirm(wave.pk)
    assert refused.value.messages == [f"Wave {wave.code} is already picked."]


def test_a_carrier_without_an_adapter_refuses_the_label_and_changes_nothing(picked_shipment):
    shipment, _mug, _pen = picked_shipment
    shipment = packed(shipment)
    Carrier.objects.filter(pk=shipment.service.carrier_id).update(adapter="dhl")
    before = state_of(shipment)

    with pytest.raises(LabelError) as refused:
        shipment_label(shipment.pk)

    assert refused.value.messages == [
        f"PostX refused {shipment.reference}-01: no carrier adapter 'dhl'; expected one of ['sandbox']"
    ]
    assert state_of(shipment) == before


def test_a_line_whose_units_are_held_in_two_warehouses_is_refused_and_changes_nothing():
    # given 2 MUG ordered, one unit in wh-main and one in wh-west: the reservation holds the line in both
    rate_card()
    _seller, account, warehouse, mug, _pen = acme_shop(stock=0)
    stocked(mug, warehouse, 1)
    stocked(mug, WarehouseFactory(code="wh-west", country="NL"), 1)
    order = allocated_order(account, lines=(("ACME-MUG", 2),))
    assert Order.objects.get(pk=order.pk).state == OrderState.ALLOCATED

    with pytest.raises(RoutingError) as refused:
        order_route(order.pk, policy="split")

    assert refused.value.messages == ["Line ACME-MUG of order 1001 is held in 2 warehouses; transfer its stock first."]
    assert (Order.objects.get(pk=order.pk).state, Shipment.objects.count()) == (OrderState.ALLOCATED, 0)
