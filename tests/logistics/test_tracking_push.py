"""Tracking push-back outcomes, the demo rate card and the tracking command."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from hub.marketplaces.errors import RequestRejected
from hub.marketplaces.sandbox.common import BUYERS
from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import SandboxOrder
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.ingest import account_pull
from logistics import demo
from logistics.carriers.sandbox import sandbox_parcel_advance
from logistics.enums import PushState, TrackingStatus
from logistics.models import Carrier, RateBreak, Shipment, Zone
from logistics.rates import ParcelSpec, service_choose
from logistics.schedules import TRACKING_TASK_NAME
from logistics.services import (
    order_route,
    parcel_close,
    shipment_label,
    shipment_pack,
    shipment_scan_item,
    shipment_ship,
    shipment_tracking_push,
    wave_pick_confirm,
    waves_build,
)
from logistics.tasks import shipment_tracking_push_task
from orders.models import Order
from tests.factories import ListingFactory, SellerFactory, SkuFactory, stocked

from .support import allocated_order, rate_card, warehouse_with_bins

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def shipped_for(account, external_id: str) -> Shipment:
    order = allocated_order(account, external_id, lines=(("ACME-CUP", 1),))
    [shipment] = order_route(order.pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    shipment_scan_item(shipment.pk, "5000000000017")
    shipment_pack(shipment.pk, weight_grams=400, length_mm=100, width_mm=100, height_mm=100)
    shipment_label(shipment.pk)
    return shipment_ship(shipment.pk)


@pytest.mark.django_db(transaction=True)
def test_a_push_the_marketplace_refuses_is_marked_failed_for_an_operator(live_server, settings):
    # given a shipped parcel for an order the sandbox Shopify shop has never seen
    settings.HUB_BASE_URL = live_server.url
    rate_card()
    cup = SkuFactory(code="CUP", barcode="5000000000017", weight_grams=300)
    stocked(cup, warehouse_with_bins(bins={cup: "C-01-1"}), 5)
    account, shop = sandbox_account_connect(SellerFactory(code="acme"), "shopify", "acme-shop")
    sandbox_listing_connect(account, shop, cup, "ACME-CUP", 5)
    shipment = shipped_for(account, "777000111")

    # when the push runs (the task, called in this process; a permanent error is not retried)
    with pytest.raises(RequestRejected):
        shipment_tracking_push(shipment.pk)
    assert shipment_tracking_push_task.apply(args=[shipment.pk]).get() == "failed"

    # then it is marked failed with the marketplace's reason, and nothing was recorded there
    shipment.refresh_from_db()
    assert (shipment.push_state, shipment.push_attempts) == (PushState.FAILED, 2)
    assert shipment.push_error == (
        "shopify: HTTP 404 on GET /admin/api/2026-10/orders/777000111/fulfillment_orders.json: Not Found"
    )
    assert not SandboxOrder.objects.exclude(shipments=[]).exists()


@pytest.mark.django_db
def test_demo_rate_card_is_idempotent_and_quotes():
    assert demo.build() == demo.build()
    assert (Carrier.objects.count(), Zone.objects.count(), RateBreak.objects.count()) == (1, 9, 27)
    choice = service_choose(ParcelSpec(800, 1_000_000, "JP"), promised_days=5)
    assert (choice.quote.service.code, choice.quote.price) == ("standard", Decimal("6.20"))


@pytest.mark.django_db
def test_tracking_command_reads_events_and_reports(capsys):
    rate_card()
    cup = SkuFactory(code="CUP", barcode="5000000000017", weight_grams=300)
    stocked(cup, warehouse_with_bins(bins={cup: "C-01-1"}), 5)
    listing = ListingFactory(account__seller=SellerFactory(code="acme"), sku=cup, seller_sku="ACME-CUP")
    shipment = shipped_for(listing.account, "1001")
    sandbox_parcel_advance(shipment.tracking_number, TrackingStatus.IN_TRANSIT)

    call_command("tracking_refresh")

    assert capsys.readouterr().out == "2 new tracking events; 0 parcels unreadable; 0 new stale alerts\n"
    assert shipment.tracking_events.count() == 2


PLATFORM_REGIONS = {"shopee": "SG", "amazon": "ATVPDKIKX0DER", "aliexpress": ""}


def two_parcel_shipment_at(platform: str, settings, live_server):
    """A sandbox order of 2 CUP on ``platform``, pulled, packed one CUP per parcel, labelled and shipped."""
    settings.HUB_BASE_URL = live_server.url
    standard = rate_card()["standard"]
    singapore = Zone.objects.create(service=standard, code="sg", countries=["SG"], transit_days=5)  # Shopee SG buyers
    RateBreak.objects.create(zone=singapore, max_weight_grams=1000, price=Decimal("5.00"))
    cup = SkuFactory(code="CUP", barcode="5000000000017", weight_grams=300)
    stocked(cup, warehouse_with_bins(bins={cup: "C-01-1"}), 5)
    account, shop = sandbox_account_connect(
        SellerFactory(code="acme"), platform, f"acme-{platform}", region=PLATFORM_REGIONS[platform]
    )
    sandbox_listing_connect(account, shop, cup, "ACME-CUP", 5)
    placed = sandbox_module(platform).place_order(shop, [("ACME-CUP", 2)], buyer=BUYERS[0])
    assert account_pull(account.pk) == 1
    order = Order.objects.get(account=account, external_id=placed.external_id)
    [shipment] = order_route(order.pk)
    assert shipment.service is not None, (order.ship_country, order.ship_postal_code, shipment.service_reason)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    box = {"weight_grams": 400, "length_mm": 100, "width_mm": 100, "height_mm": 100}
    shipment_scan_item(shipment.pk, "5000000000017")
    parcel_close(shipment.pk, **box, open_next=True)
    shipment_scan_item(shipment.pk, "5000000000017")
    shipment_pack(shipment.pk, **box)
    shipment_label(shipment.pk)
    shipment = shipment_ship(shipment.pk)
    numbers = list(shipment.parcels.order_by("number").values_list("tracking_number", flat=True))
    return placed, shipment, numbers


@pytest.mark.django_db(transaction=True)
def test_shopee_shows_one_tracking_number_so_the_master_is_pushed_and_the_rest_recorded(live_server, settings):
    placed, shipment, numbers = two_parcel_shipment_at("shopee", settings, live_server)

    assert shipment_tracking_push(shipment.pk) == PushState.PUSHED

    shipment.refresh_from_db()
    assert [entry["tracking_number"] for entry in SandboxOrder.objects.get(pk=placed.pk).shipments] == [numbers[0]]
    assert shipment.push_note == (
        f"Shopee shows one tracking number per order: {numbers[0]} (parcel 1) was sent; "
        f"not shown there: {numbers[1]} (parcel 2)."
    )
    # only the master is marked as shown there
    assert [p.pushed_at is not None for p in shipment.parcels.order_by("number")] == [True, False]


@pytest.mark.django_db(transaction=True)
def test_amazon_confirms_each_parcel_as_a_package_with_its_items(live_server, settings):
    placed, shipment, numbers = two_parcel_shipment_at("amazon", settings, live_server)

    assert shipment_tracking_push(shipment.pk) == PushState.PUSHED

    packages = SandboxOrder.objects.get(pk=placed.pk).shipments
    assert [(p["trackingNumber"], [i["quantity"] for i in p["orderItems"]]) for p in packages] == [
        (numbers[0], [1]),
        (numbers[1], [1]),
    ]
    assert SandboxOrder.objects.get(pk=placed.pk).status == "Shipped"


@pytest.mark.django_db
def test_the_tracking_beat_entry_exists_after_migrate_and_keeps_operators_edits():
    # the test database was built by migrate: the entry is there without any demo data
    entry = PeriodicTask.objects.get(name=TRACKING_TASK_NAME)
    assert (entry.task, entry.interval.every, entry.interval.period, entry.enabled) == (
        "logistics.tasks.tracking_refresh_task",
        900,
        "seconds",
        True,
    )

    # an operator makes it hourly and disables it; migrate again keeps both and adds no second entry
    entry.interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    entry.enabled = False
    entry.save()
    call_command("migrate", verbosity=0)
    entry = PeriodicTask.objects.get(name=TRACKING_TASK_NAME)
    assert (entry.interval.every, entry.interval.period, entry.enabled) == (1, "hours", False)

    # deleted, it comes back with the next migrate
    entry.delete()
    call_command("migrate", verbosity=0)
    assert PeriodicTask.objects.filter(name=TRACKING_TASK_NAME, enabled=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_aliexpress_gets_each_parcel_as_part_and_the_last_as_all(live_server, settings):
    placed, shipment, numbers = two_parcel_shipment_at("aliexpress", settings, live_server)

    assert shipment_tracking_push(shipment.pk) == PushState.PUSHED

    order = SandboxOrder.objects.get(pk=placed.pk)
    assert [(s["tracking_number"], s["send_type"]) for s in order.shipments] == [
        (numbers[0], "part"),
        (numbers[1], "all"),
    ]
    assert order.status == "WAIT_BUYER_ACCEPT_GOODS"
    assert [p.pushed_at is not None for p in shipment.parcels.order_by("number")] == [True, True]
