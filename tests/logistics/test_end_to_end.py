"""The whole warehouse flow for orders from two sandbox marketplaces, with a real Celery worker.

Shopify and eBay buyers order; the hub pulls the orders over HTTP, reserves, routes, waves,
picks, packs (the Shopify order in two parcels), labels and ships them; the worker pushes
each parcel's tracking number back to its marketplace (through one throttle answer and one
server error); the sandbox carrier delivers parcel by parcel. Stock and the ledger agree at
every step.
"""

import time
from datetime import UTC, datetime

import pytest

from hub.marketplaces.sandbox.common import BUYERS
from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxOrder
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.ingest import account_pull
from inventory.ledger import verify_ledger
from logistics import pdf
from logistics.carriers.sandbox import sandbox_parcel_advance
from logistics.enums import PushState, ShipmentState, TrackingStatus
from logistics.models import Parcel, Shipment
from logistics.selectors import shipment_documents_queryset
from logistics.services import (
    order_route,
    parcel_close,
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
from tests.factories import SellerFactory, SkuFactory, stocked

from .barcodes import barcodes_in
from .support import balances, rate_card, warehouse_with_bins

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
DEADLINE_SECONDS = 30
REGIONS = {"shopify": "", "ebay": "EBAY_US"}


def eventually(condition, *, message):
    end = time.monotonic() + DEADLINE_SECONDS
    while not (value := condition()):
        if time.monotonic() > end:
            raise AssertionError(f"not true within {DEADLINE_SECONDS}s: {message()}")
        time.sleep(0.1)
    return value


def ledger_agrees(sku, expected):
    assert balances(sku) == expected
    assert verify_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_orders_from_two_platforms_ship_and_show_tracking_at_each_marketplace(
    live_server, settings, celery_worker_process
):
    # given Acme sells the LAMP on sandbox Shopify and sandbox eBay; 10 in the pool at wh-main, bin B-02-1
    settings.HUB_BASE_URL = live_server.url
    rate_card()
    lamp = SkuFactory(code="LAMP", name="Factory lamp", barcode="5012345678900", weight_grams=700)
    warehouse = warehouse_with_bins(bins={lamp: "B-02-1"})
    stocked(lamp, warehouse, 10)
    acme = SellerFactory(code="acme", name="Acme Home", promised_delivery_days=10)
    shops = {}
    for platform, region in REGIONS.items():
        account, shop = sandbox_account_connect(acme, platform, f"acme-{platform}", region=region)
        sandbox_listing_connect(account, shop, lamp, "ACME-LAMP", 10)
        shops[platform] = (account, shop)

    # a US buyer on Shopify takes 2, a German buyer on eBay 1; the hub pulls both
    placed = {
        "shopify": sandbox_module("shopify").place_order(shops["shopify"][1], [("ACME-LAMP", 2)], buyer=BUYERS[0]),
        "ebay": sandbox_module("ebay").place_order(shops["ebay"][1], [("ACME-LAMP", 1)], buyer=BUYERS[1]),
    }
    for account, _shop in shops.values():
        assert account_pull(account.pk) == 1
    orders = {p: Order.objects.get(platform=p, external_id=placed[p].external_id) for p in placed}
    assert {p: o.state for p, o in orders.items()} == {"shopify": OrderState.ALLOCATED, "ebay": OrderState.ALLOCATED}
    ledger_agrees(lamp, [(10, 3)])

    # routed and released; one wave of single-item orders (eBay) and one multi-item (Shopify: 2 units)
    shipments = {p: order_route(o.pk)[0] for p, o in orders.items()}
    assert {p: s.service.code for p, s in shipments.items()} == {"shopify": "standard", "ebay": "standard"}
    waves = waves_build(now=datetime.now(UTC))
    assert sorted(w.kind for w in waves) == ["multi", "single"]
    ledger_agrees(lamp, [(10, 3)])

    for wave in waves:
        wave_pick_confirm(wave.pk)
    ledger_agrees(lamp, [(10, 3)])

    # the Shopify order's two lamps go in two parcels, the eBay lamp in one
    box = {"length_mm": 250, "width_mm": 200, "height_mm": 150}
    shipment_scan_item(shipments["shopify"].pk, "5012345678900")
    parcel_close(shipments["shopify"].pk, weight_grams=800, **box, open_next=True)
    shipment_scan_item(shipments["shopify"].pk, "5012345678900")
    shipment_scan_item(shipments["ebay"].pk, "5012345678900")
    for shipment in shipments.values():
        shipment_pack(shipment.pk, weight_grams=800, **box)
        shipment_label(shipment.pk)
    parcels = {
        p: list(Parcel.objects.filter(shipment=s).order_by("number").values_list("tracking_number", flat=True))
        for p, s in shipments.items()
    }
    assert {p: len(numbers) for p, numbers in parcels.items()} == {"shopify": 2, "ebay": 1}
    labels = pdf.labels_pdf(shipment_documents_queryset().filter(pk__in=[s.pk for s in shipments.values()]))
    assert sorted(number for [number] in barcodes_in(labels)) == sorted([*parcels["shopify"], *parcels["ebay"]])
    ledger_agrees(lamp, [(10, 3)])

    # the first tracking pushes meet a throttle (eBay) and a server error (Shopify): both retried
    SandboxFault.objects.create(
        platform="ebay", operation="createShippingFulfillment", kind=FaultKind.THROTTLE, delay_seconds=1
    )
    SandboxFault.objects.create(platform="shopify", operation="fulfillment_create", kind=FaultKind.SERVER_ERROR)
    for shipment in shipments.values():
        shipment_ship(shipment.pk)
    ledger_agrees(lamp, [(7, 0)])
    assert {p: Order.objects.get(pk=o.pk).state for p, o in orders.items()} == {
        "shopify": OrderState.SHIPPED,
        "ebay": OrderState.SHIPPED,
    }

    # each marketplace shows the parcel shipped with its tracking number
    def pushed():
        return all(
            s.push_state == PushState.PUSHED for s in Shipment.objects.filter(pk__in=[x.pk for x in shipments.values()])
        )

    eventually(pushed, message=lambda: list(Shipment.objects.values_list("push_state", "push_attempts", "push_error")))
    shopify_order = SandboxOrder.objects.get(pk=placed["shopify"].pk)
    ebay_order = SandboxOrder.objects.get(pk=placed["ebay"].pk)
    # Shopify: one fulfillment per parcel, one lamp each
    assert [
        (s["tracking_company"], s["tracking_number"], list(s["lines"].values())) for s in shopify_order.shipments
    ] == [
        ("PostX", parcels["shopify"][0], [1]),
        ("PostX", parcels["shopify"][1], [1]),
    ]
    assert shopify_order.payload["fulfillment_status"] == "fulfilled"
    assert [(s["shippingCarrierCode"], s["shipmentTrackingNumber"]) for s in ebay_order.shipments] == [
        ("PostX", parcels["ebay"][0])
    ]
    assert Shipment.objects.get(pk=shipments["shopify"].pk).push_note == (
        f"Tracking numbers sent: {parcels['shopify'][0]}, {parcels['shopify'][1]}."
    )
    assert not Parcel.objects.filter(pushed_at__isnull=True).exists()
    assert ebay_order.status == "FULFILLED"
    attempts = dict(
        Shipment.objects.filter(pk__in=[s.pk for s in shipments.values()]).values_list("pk", "push_attempts")
    )
    assert {p: attempts[s.pk] for p, s in shipments.items()} == {"shopify": 2, "ebay": 2}
    assert not SandboxFault.objects.filter(remaining__gt=0).exists()

    # the carrier delivers the first Shopify parcel: that order waits for its second parcel
    sandbox_parcel_advance(parcels["shopify"][0], TrackingStatus.DELIVERED)
    assert shipment_tracking_refresh(shipments["shopify"].pk) == 3  # label created twice, one delivered
    assert Order.objects.get(pk=orders["shopify"].pk).state == OrderState.SHIPPED

    # then every other parcel: timeline recorded, shipments and orders closed
    for number in (parcels["shopify"][1], parcels["ebay"][0]):
        sandbox_parcel_advance(number, TrackingStatus.IN_TRANSIT, location="Frankfurt")
        sandbox_parcel_advance(number, TrackingStatus.DELIVERED)
    assert shipment_tracking_refresh(shipments["shopify"].pk) == 2
    assert shipment_tracking_refresh(shipments["ebay"].pk) == 3
    assert {p: Order.objects.get(pk=o.pk).state for p, o in orders.items()} == {
        "shopify": OrderState.DELIVERED,
        "ebay": OrderState.DELIVERED,
    }
    assert set(Shipment.objects.values_list("state", flat=True)) == {ShipmentState.DELIVERED}
    ledger_agrees(lamp, [(7, 0)])
