"""Tracking push-back of an order split over two warehouses, on the platforms with one tracking number per order."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from hub.marketplaces.errors import Throttled
from hub.marketplaces.sandbox.common import BUYERS
from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import SandboxOrder
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.ingest import account_pull
from logistics.enums import PushState
from logistics.models import RateBreak, Shipment, Zone
from logistics.services import (
    order_route,
    shipment_label,
    shipment_pack,
    shipment_scan_item,
    shipment_ship,
    shipment_tracking_push,
    wave_pick_confirm,
    waves_build,
)
from logistics.services.shipping import _order_push_turn
from orders.enums import OrderState
from orders.models import Order
from tests.factories import SellerFactory, SkuFactory, stocked

from .support import rate_card, warehouse_with_bins

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CUP_BARCODE, PEN_BARCODE = "5000000000017", "5000000000024"
PLATFORM = {"shopee": ("SG", BUYERS[0]), "aliexpress": ("", BUYERS[1])}


def split_order_shipped(platform: str, settings, live_server):
    """A sandbox order of a CUP (only in wh-main) and a PEN (only in wh-west), pulled, routed into two
    shipments, each picked, packed, labelled and shipped. Returns (sandbox order, [main, west])."""
    settings.HUB_BASE_URL = live_server.url
    standard = rate_card()["standard"]
    asia = Zone.objects.create(service=standard, code="sg", countries=["SG"], transit_days=5)
    RateBreak.objects.create(zone=asia, max_weight_grams=1000, price=Decimal("5.00"))
    cup = SkuFactory(code="CUP", barcode=CUP_BARCODE, weight_grams=300)
    pen = SkuFactory(code="PEN", barcode=PEN_BARCODE, weight_grams=100)
    stocked(cup, warehouse_with_bins("wh-main", bins={cup: "C-01-1"}), 5)
    stocked(pen, warehouse_with_bins("wh-west", bins={pen: "P-01-1"}), 5)
    region, buyer = PLATFORM[platform]
    account, shop = sandbox_account_connect(SellerFactory(code="acme"), platform, f"acme-{platform}", region=region)
    sandbox_listing_connect(account, shop, cup, "ACME-CUP", 5)
    sandbox_listing_connect(account, shop, pen, "ACME-PEN", 5)
    placed = sandbox_module(platform).place_order(shop, [("ACME-CUP", 1), ("ACME-PEN", 1)], buyer=buyer)
    assert account_pull(account.pk) == 1
    order = Order.objects.get(account=account, external_id=placed.external_id)
    shipments = order_route(order.pk)
    assert [s.warehouse.code for s in shipments] == ["wh-main", "wh-west"]
    for wave in waves_build(now=NOW):
        wave_pick_confirm(wave.pk)
    box = {"weight_grams": 400, "length_mm": 100, "width_mm": 100, "height_mm": 100}
    for shipment, barcode in zip(shipments, [CUP_BARCODE, PEN_BARCODE], strict=True):
        shipment_scan_item(shipment.pk, barcode)
        shipment_pack(shipment.pk, **box)
        shipment_label(shipment.pk)
        shipment_ship(shipment.pk)
    assert Order.objects.get(pk=order.pk).state == OrderState.SHIPPED
    return placed, [Shipment.objects.get(pk=s.pk) for s in shipments]


def sandbox_shipments(placed) -> list:
    return SandboxOrder.objects.get(pk=placed.pk).shipments


@pytest.mark.django_db(transaction=True)
def test_aliexpress_sends_the_first_shipment_as_part_and_the_last_as_all(live_server, settings):
    placed, (main, west) = split_order_shipped("aliexpress", settings, live_server)

    # the first push: the other shipment is not shown yet, so the order is only partly sent
    assert shipment_tracking_push(main.pk) == PushState.PUSHED
    assert SandboxOrder.objects.get(pk=placed.pk).status == "SELLER_PART_SEND_GOODS"

    # the second push completes it
    assert shipment_tracking_push(west.pk) == PushState.PUSHED

    sent = [(entry["tracking_number"], entry["send_type"]) for entry in sandbox_shipments(placed)]
    assert sent == [(main.tracking_number, "part"), (west.tracking_number, "all")]
    assert SandboxOrder.objects.get(pk=placed.pk).status == "WAIT_BUYER_ACCEPT_GOODS"


@pytest.mark.django_db(transaction=True)
def test_aliexpress_sends_all_when_the_last_shipment_is_pushed_first(live_server, settings):
    placed, (main, west) = split_order_shipped("aliexpress", settings, live_server)

    shipment_tracking_push(west.pk)
    shipment_tracking_push(main.pk)

    sent = [(entry["tracking_number"], entry["send_type"]) for entry in sandbox_shipments(placed)]
    assert sent == [(west.tracking_number, "part"), (main.tracking_number, "all")]
    assert SandboxOrder.objects.get(pk=placed.pk).status == "WAIT_BUYER_ACCEPT_GOODS"


@pytest.mark.django_db(transaction=True)
def test_aliexpress_single_shipment_order_is_sent_as_all(live_server, settings):
    # given the split order, one shipment cancelled is not waited for: a lone shipment completes its order
    placed, (main, west) = split_order_shipped("aliexpress", settings, live_server)
    Shipment.objects.filter(pk=west.pk).update(state="cancelled")

    shipment_tracking_push(main.pk)

    assert [entry["send_type"] for entry in sandbox_shipments(placed)] == ["all"]


@pytest.mark.django_db(transaction=True)
def test_shopee_split_order_is_shipped_once_and_the_second_shipment_records_what_is_not_shown(live_server, settings):
    placed, (main, west) = split_order_shipped("shopee", settings, live_server)

    assert shipment_tracking_push(main.pk) == PushState.PUSHED
    assert shipment_tracking_push(west.pk) == PushState.PUSHED

    # Shopee shipped the order once, with the first shipment's number
    assert [entry["tracking_number"] for entry in sandbox_shipments(placed)] == [main.tracking_number]
    main.refresh_from_db()
    west.refresh_from_db()
    assert (west.push_state, west.push_error) == (PushState.PUSHED, "")
    assert west.push_note == (
        f"Shopee takes one tracking number per order and already shows {main.tracking_number}; "
        f"not shown there: {west.tracking_number}."
    )
    assert [p.pushed_at is not None for p in west.parcels.all()] == [False]
    assert [p.pushed_at is not None for p in main.parcels.all()] == [True]


@pytest.mark.django_db(transaction=True)
def test_shopee_refusing_an_order_shipped_elsewhere_is_recorded_as_done(live_server, settings):
    # given the order was shipped at Shopee by someone else (Seller Centre) with another number
    placed, (main, _west) = split_order_shipped("shopee", settings, live_server)
    order = SandboxOrder.objects.get(pk=placed.pk)
    order.shipments = [{"tracking_number": "SELLERCENTRE1", "at": NOW.isoformat()}]
    order.status = "PROCESSED"
    order.save(update_fields=["shipments", "status"])

    # when the hub pushes: Shopee refuses ("Order has been shipped."), the adapter reads what it shows
    assert shipment_tracking_push(main.pk) == PushState.PUSHED

    main.refresh_from_db()
    assert main.push_note == (
        "Shopee takes one tracking number per order and already shows SELLERCENTRE1; "
        f"not shown there: {main.tracking_number}."
    )
    assert [p.pushed_at for p in main.parcels.all()] == [None]
    assert [entry["tracking_number"] for entry in sandbox_shipments(placed)] == ["SELLERCENTRE1"]


@pytest.mark.django_db(transaction=True)
def test_shipments_of_one_order_are_pushed_one_at_a_time(live_server, settings):
    # given both shipments of a split AliExpress order pushed by two workers at the same moment
    placed, (main, west) = split_order_shipped("aliexpress", settings, live_server)
    barrier, outcomes = threading.Barrier(2), {}

    def push(shipment_id):
        barrier.wait()
        try:
            outcomes[shipment_id] = shipment_tracking_push(shipment_id)
        except Throttled as error:
            outcomes[shipment_id] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(pk,)) for pk in (main.pk, west.pk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the task retries the one that waited its turn
    for shipment_id, outcome in outcomes.items():
        if outcome != PushState.PUSHED:
            assert outcome == "another shipment of this order is being pushed"
            assert shipment_tracking_push(shipment_id) == PushState.PUSHED

    # never two "part" (the order would stay partly sent) nor two "all" (the second is refused)
    assert sorted(entry["send_type"] for entry in sandbox_shipments(placed)) == ["all", "part"]
    assert SandboxOrder.objects.get(pk=placed.pk).status == "WAIT_BUYER_ACCEPT_GOODS"


@pytest.mark.django_db(transaction=True)
def test_a_push_waits_while_another_shipment_of_its_order_is_being_pushed(live_server, settings):
    placed, (main, west) = split_order_shipped("shopee", settings, live_server)

    with _order_push_turn(main.order_id), pytest.raises(Throttled, match="another shipment of this order"):
        shipment_tracking_push(west.pk)

    # nothing was sent or recorded; after the turn it goes through
    west.refresh_from_db()
    assert (west.push_state, west.push_attempts, sandbox_shipments(placed)) == (PushState.QUEUED, 0, [])
    assert shipment_tracking_push(west.pk) == PushState.PUSHED
    assert [entry["tracking_number"] for entry in sandbox_shipments(placed)] == [west.tracking_number]
