"""Shipments in several parcels: packing, pricing per parcel, a label and tracking number each, delivery; bad input."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from inventory.ledger import verify_ledger
from logistics import pdf
from logistics.carriers.sandbox import sandbox_parcel_advance
from logistics.enums import ParcelState, ShipmentState, TrackingStatus
from logistics.exceptions import LabelError, PackingError
from logistics.models import Parcel, Shipment
from logistics.rates import ParcelSpec, service_choose
from logistics.selectors import shipment_documents_queryset
from logistics.services import (
    order_route,
    parcel_close,
    parcel_remove_empty,
    shipment_label,
    shipment_pack,
    shipment_scan_item,
    shipment_ship,
    shipment_tracking_refresh,
    wave_pick_confirm,
    waves_build,
)
from orders.enums import OrderState
from orders.models import Order

from .barcodes import barcodes_in
from .support import acme_shop, allocated_order, balances, rate_card
from .test_flow import MUG_BARCODE, PEN_BARCODE, state_of
from .test_pdf import pages_text

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SMALL_BOX = {"length_mm": 200, "width_mm": 150, "height_mm": 100}  # 600 g volumetric
BIG_BOX = {"length_mm": 250, "width_mm": 200, "height_mm": 100}  # 1000 g volumetric


def picked(promised_days=10):
    """Acme's order 1001 (2 MUG + 1 PEN) routed, waved and picked; Acme promises ``promised_days``."""
    services = rate_card()
    _seller, account, _warehouse, mug, pen = acme_shop(promised_days=promised_days)
    order = allocated_order(account)
    [shipment] = order_route(order.pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    return services, Shipment.objects.get(pk=shipment.pk), mug, pen


def two_parcels(shipment, first_weight=700, second_weight=900):
    """One MUG in parcel 1 (small box); the other MUG and the PEN in parcel 2 (big box); packed."""
    first = shipment_scan_item(shipment.pk, MUG_BARCODE)
    parcel_close(shipment.pk, weight_grams=first_weight, **SMALL_BOX, open_next=True)
    second = shipment_scan_item(shipment.pk, MUG_BARCODE)
    shipment_scan_item(shipment.pk, PEN_BARCODE)
    assert (first.parcel.number, second.parcel.number) == (1, 2)
    return shipment_pack(shipment.pk, weight_grams=second_weight, **BIG_BOX)


def contents(shipment) -> list[tuple[int, str, list[tuple[str, int]]]]:
    return [
        (
            parcel.number,
            parcel.state,
            [(item.line.order_line.seller_sku, item.quantity) for item in parcel.items.order_by("line_id")],
        )
        for parcel in Parcel.objects.filter(shipment=shipment).order_by("number")
    ]


def test_two_parcels_are_packed_priced_labelled_shipped_and_delivered_one_by_one():
    # given the picked order: 2 MUG + 1 PEN, 10 of each on hand
    services, shipment, mug, pen = picked()

    # packed in two parcels, each with its own weight and size
    shipment = two_parcels(shipment)
    assert contents(shipment) == [
        (1, ParcelState.CLOSED, [("ACME-MUG", 1)]),
        (2, ParcelState.CLOSED, [("ACME-MUG", 1), ("ACME-PEN", 1)]),
    ]
    # one service for both: standard (economy misses the 10-day promise), each parcel at its own break
    assert (shipment.state, shipment.service) == (ShipmentState.PACKED, services["standard"])
    assert list(shipment.parcels.values_list("weight_grams", "chargeable_weight_grams", "cost", "cost_currency")) == [
        (700, 700, Decimal("9.00"), "USD"),
        (900, 1000, Decimal("9.00"), "USD"),
    ]
    assert (shipment.carrier_cost, shipment.cost_currency) == (Decimal("18.00"), "USD")

    # labelled: a tracking number per parcel, the first is the shipment's master number
    shipment = shipment_label(shipment.pk)
    numbers = list(shipment.parcels.order_by("number").values_list("tracking_number", flat=True))
    assert numbers == [
        f"POS{shipment.pk:08d}01{numbers[0][13]}SB",
        f"POS{shipment.pk:08d}02{numbers[1][13]}SB",
    ]
    assert shipment.tracking_number == numbers[0]
    assert set(shipment.parcels.values_list("state", flat=True)) == {ParcelState.LABELLED}

    # one label page per parcel, each barcode its own tracking number
    content = pdf.labels_pdf(shipment_documents_queryset().filter(pk=shipment.pk))
    assert barcodes_in(content) == [[numbers[0]], [numbers[1]]]
    first, second = pages_text(content)
    assert f"Parcel 1 of 2 · 700 g · {shipment.reference} · order 1001" in first.splitlines()
    assert f"Parcel 2 of 2 · 900 g · {shipment.reference} · order 1001" in second.splitlines()

    # shipped: every unit leaves the stock once, whatever parcel it is in
    shipment = shipment_ship(shipment.pk)
    assert (balances(mug), balances(pen)) == ([(8, 0)], [(9, 0)])
    assert set(shipment.parcels.values_list("state", flat=True)) == {ParcelState.SHIPPED}
    order = Order.objects.get(pk=shipment.order_id)
    assert order.state == OrderState.SHIPPED
    assert order.events.order_by("-at", "-id").first().note == f"Tracking {numbers[0]}, {numbers[1]}."

    # the first parcel is delivered: the shipment and the order wait for the second
    sandbox_parcel_advance(numbers[0], TrackingStatus.DELIVERED, location="München")
    sandbox_parcel_advance(numbers[1], TrackingStatus.IN_TRANSIT, location="Leipzig hub")
    assert shipment_tracking_refresh(shipment.pk) == 4
    shipment.refresh_from_db()
    assert (shipment.state, Order.objects.get(pk=order.pk).state) == (ShipmentState.SHIPPED, OrderState.SHIPPED)
    assert list(shipment.parcels.order_by("number").values_list("state", flat=True)) == [
        ParcelState.DELIVERED,
        ParcelState.SHIPPED,
    ]
    timeline = list(shipment.tracking_events.order_by("parcel__number", "id").values_list("parcel__number", "status"))
    assert timeline == [
        (1, TrackingStatus.INFO_RECEIVED),
        (1, TrackingStatus.DELIVERED),
        (2, TrackingStatus.INFO_RECEIVED),
        (2, TrackingStatus.IN_TRANSIT),
    ]

    # the second one too: now the shipment and the order are delivered
    sandbox_parcel_advance(numbers[1], TrackingStatus.DELIVERED)
    assert shipment_tracking_refresh(shipment.pk) == 1
    assert shipment_tracking_refresh(shipment.pk) == 0
    shipment.refresh_from_db()
    assert (shipment.state, Order.objects.get(pk=order.pk).state) == (ShipmentState.DELIVERED, OrderState.DELIVERED)
    assert (balances(mug), balances(pen)) == ([(8, 0)], [(9, 0)])
    assert verify_ledger() == []


def test_a_maximum_weight_applies_to_each_parcel():
    rate_card()
    light, heavy = ParcelSpec(1250, 1_000_000, "DE"), ParcelSpec(2500, 1_000_000, "DE")

    # one 2.5 kg parcel is over economy's 2 kg; the same weight in two parcels is not
    one = service_choose([heavy], promised_days=14)
    two = service_choose([light, light], promised_days=14)
    mixed = service_choose([heavy, light], promised_days=14)

    assert (one.quote.service.code, one.quote.price) == ("standard", Decimal("15.00"))
    assert (two.quote.service.code, two.quote.price) == ("economy", Decimal("18.00"))
    assert [p.price for p in two.quote.parcels] == [Decimal("9.00"), Decimal("9.00")]
    assert two.reason.startswith("Cheapest of 3 services within the promised 14 days: 18.00 USD for 1250 + 1250 g")
    assert (mixed.quote.service.code, mixed.quote.price) == ("standard", Decimal("30.00"))
    assert "postx/economy: parcel 1: 2500 g is over its maximum of 2000 g" in mixed.reason


def test_packing_a_heavy_parcel_leaves_out_the_service_it_is_too_heavy_for():
    # given Acme promises 14 days (economy would do); the first parcel weighs 2.5 kg
    services, shipment, _mug, _pen = picked(promised_days=14)

    shipment = two_parcels(shipment, first_weight=2500, second_weight=600)

    assert shipment.service == services["standard"]
    assert "postx/economy: parcel 1: 2500 g is over its maximum of 2000 g" in shipment.service_reason
    # the wave was built for economy's 15:00 cut-off: the reason says so
    assert shipment.service_reason.endswith(
        f"Its wave {shipment.wave.code} was built for a cut-off at 15:00 UTC; "
        "postx/standard's daily cut-off is 16:00 UTC."
    )
    assert list(shipment.parcels.values_list("cost", flat=True)) == [Decimal("15.00"), Decimal("9.00")]
    assert shipment.carrier_cost == Decimal("24.00")


def test_closing_a_parcel_with_no_items_is_refused_and_changes_nothing():
    _services, shipment, _mug, _pen = picked()
    before = state_of(shipment)

    with pytest.raises(PackingError) as nothing_open:
        parcel_close(shipment.pk, weight_grams=500, **SMALL_BOX)
    assert nothing_open.value.messages == [
        f"No parcel of shipment {shipment.reference} is open; scan an item to start one."
    ]
    assert state_of(shipment) == before

    shipment_scan_item(shipment.pk, MUG_BARCODE)
    parcel_close(shipment.pk, weight_grams=600, **SMALL_BOX, open_next=True)
    before = state_of(shipment)
    with pytest.raises(PackingError) as empty:
        parcel_close(shipment.pk, weight_grams=500, **SMALL_BOX)
    assert empty.value.messages == [f"Parcel {shipment.reference}-02 has no items; scan its items before closing it."]
    assert state_of(shipment) == before


def test_finishing_with_an_empty_open_parcel_is_refused_until_it_is_removed():
    # given every item in parcel 1, closed, and an empty parcel 2 opened
    _services, shipment, _mug, _pen = picked()
    for barcode in (MUG_BARCODE, MUG_BARCODE, PEN_BARCODE):
        shipment_scan_item(shipment.pk, barcode)
    parcel_close(shipment.pk, weight_grams=1600, length_mm=300, width_mm=200, height_mm=100, open_next=True)
    before = state_of(shipment)

    with pytest.raises(PackingError) as refused:
        shipment_pack(shipment.pk)

    assert refused.value.messages == [
        f"Parcel {shipment.reference}-02 is open and empty; scan items into it or remove it before finishing."
    ]
    assert state_of(shipment) == before

    assert parcel_remove_empty(shipment.pk) == 2
    shipment = shipment_pack(shipment.pk)
    assert shipment.state == ShipmentState.PACKED
    assert contents(shipment) == [(1, ParcelState.CLOSED, [("ACME-MUG", 2), ("ACME-PEN", 1)])]


def test_a_label_for_a_parcel_without_weight_is_refused_and_changes_nothing():
    # given parcel 1 holds items but was never closed with its weight
    _services, shipment, _mug, _pen = picked()
    shipment_scan_item(shipment.pk, MUG_BARCODE)
    before = state_of(shipment)

    with pytest.raises(LabelError) as refused:
        shipment_label(shipment.pk)

    assert refused.value.messages == [
        f"No label for {shipment.reference}-01: no weight yet. Close the parcel with its weight and size first."
    ]
    assert state_of(shipment) == before


def test_an_order_heavier_than_any_service_carries_is_routed_as_several_estimated_parcels():
    # given 5 MUG of 8 kg each: 40 kg, more than express's 30 kg maximum
    services = rate_card()
    _seller, account, _warehouse, mug, _pen = acme_shop()
    mug.weight_grams = 8000
    mug.save()

    [shipment] = order_route(allocated_order(account, lines=(("ACME-MUG", 5),)).pk)

    # then it is estimated as 24 kg + 16 kg and express carries both (standard's 10 kg is too little)
    assert shipment.service == services["express"]
    assert shipment.service_reason.startswith(
        "Cheapest of 1 services within the promised 10 days: 120.00 USD for 24000 + 16000 g chargeable, 3 days."
    )
    assert "postx/standard: parcel 1: 24000 g is over its maximum of 10000 g" in shipment.service_reason


def test_packing_records_why_the_service_stays_with_the_price_of_the_real_parcel():
    # given routing quoted standard for the estimated 1100 g (15.00 USD at the 5000 g break)
    services, shipment, _mug, _pen = picked()
    assert shipment.service_reason.startswith("Cheapest of 2 services within the promised 10 days: 15.00 USD")

    # when the packed parcel weighs 900 g
    for barcode in (MUG_BARCODE, MUG_BARCODE, PEN_BARCODE):
        shipment_scan_item(shipment.pk, barcode)
    shipment = shipment_pack(shipment.pk, weight_grams=900, length_mm=100, width_mm=100, height_mm=100)

    # then the service stays and its reason quotes what is charged now
    assert (shipment.service, shipment.carrier_cost) == (services["standard"], Decimal("9.00"))
    assert shipment.service_reason.startswith(
        "Confirmed after packing: Cheapest of 2 services within the promised 10 days: 9.00 USD for 900 g chargeable"
    )
