"""The warehouse admin: each step as an action or the packing screen; refusals are clear and change nothing."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils.html import escape

from inventory.models import Reservation
from logistics.enums import ShipmentState
from logistics.models import Shipment, ShipmentLine, Wave
from logistics.services import order_route, wave_pick_confirm, waves_build
from orders.enums import OrderState
from orders.models import Order
from orders.services import order_cancel_by_operator

from .barcodes import barcodes_in
from .support import acme_shop, allocated_order, balances, rate_card

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SHIPMENTS, WAVES, ORDERS = "/admin/logistics/shipment/", "/admin/logistics/wave/", "/admin/logistics/warehouseorder/"
PACK = "/admin/logistics/shipment/pack/"


def reported(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def act(client, url, name, rows, **extra):
    return client.post(url, {"action": name, "_selected_action": [row.pk for row in rows], **extra}, follow=True)


@pytest.fixture
def staff(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


@pytest.fixture
def order():
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    return allocated_order(account)


def picked(order):
    [shipment] = order_route(order.pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    return Shipment.objects.get(pk=shipment.pk)


def pack_in_admin(staff, shipment, parcel=("900", "200", "150", "100")):
    """Scan the three items and close the parcel (weight g, length, width, height mm) on the packing screen."""
    for barcode in ("4006381333931", "4006381333948", "4006381333931"):
        staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": barcode}, follow=True)
    fields = dict(zip(("weight_grams", "length_mm", "width_mm", "height_mm"), parcel, strict=True))
    closed = staff.post(f"{PACK}{shipment.pk}/", {"step": "close", **fields}, follow=True)
    assert reported(closed) == [("success", f"{shipment.reference}: packed; print its label next.")]


def test_route_action_releases_the_order(staff, order):
    response = act(staff, ORDERS, "route", [order])
    assert reported(response) == [("success", "Shopify 1001: routed and released to the warehouse.")]
    assert Order.objects.get(pk=order.pk).state == OrderState.RELEASED

    again = act(staff, ORDERS, "route", [order])
    assert reported(again) == [
        ("error", "Shopify 1001: Order 1001 is Released to the warehouse; only allocated orders can be routed.")
    ]
    assert Shipment.objects.count() == 1


def test_waves_pick_list_and_confirm_pick_from_the_admin(staff, order):
    [shipment] = order_route(order.pk)
    built = act(staff, SHIPMENTS, "build_waves", [shipment])
    wave = Wave.objects.get()
    assert reported(built) == [("success", f"Wave {wave.code}: 1 shipments.")]

    pick_list = act(staff, WAVES, "print_pick_list", [wave])
    assert pick_list["Content-Type"] == "application/pdf"
    assert pick_list.content.startswith(b"%PDF-")

    confirmed = act(staff, WAVES, "confirm_pick", [wave])
    assert reported(confirmed) == [("success", f"{wave.code}: picked.")]
    assert Shipment.objects.get(pk=shipment.pk).state == ShipmentState.PICKED


def test_packing_screen_refuses_a_wrong_item_and_packs_the_right_ones(staff, order):
    shipment = picked(order)

    opened = staff.post(PACK, {"step": "open", "code": shipment.reference}, follow=True)
    assert opened.request["PATH_INFO"] == f"{PACK}{shipment.pk}/"

    wrong = staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": "0000000000000"}, follow=True)
    assert reported(wrong) == [("error", f"Item 0000000000000 is not in shipment {shipment.reference}. Put it aside.")]
    assert list(ShipmentLine.objects.filter(shipment=shipment).values_list("packed_quantity", flat=True)) == [0, 0]

    early = staff.post(
        f"{PACK}{shipment.pk}/",
        {"step": "close", "weight_grams": "1600", "length_mm": "300", "width_mm": "200", "height_mm": "100"},
        follow=True,
    )
    assert reported(early) == [
        (
            "error",
            f"Shipment {shipment.reference} is missing 2 x MUG, 1 x PEN; scan every item before closing the parcel.",
        )
    ]
    assert Shipment.objects.get(pk=shipment.pk).state == ShipmentState.PICKED

    pack_in_admin(staff, shipment, ("1600", "300", "200", "100"))
    shipment.refresh_from_db()
    assert (shipment.state, str(shipment.carrier_cost)) == (ShipmentState.PACKED, "15.00")
    assert list(shipment.parcels.values_list("number", "weight_grams", "cost")) == [(1, 1600, Decimal("15.00"))]


def test_packing_screen_refuses_an_unknown_order_barcode(staff, order):
    response = staff.post(PACK, {"step": "open", "code": "ORDER-1"}, follow=True)
    assert reported(response) == [("error", "ORDER-1 is not a shipment barcode (SHP followed by digits).")]


def test_shipping_an_unpicked_shipment_is_refused_in_the_admin(staff, order):
    [shipment] = order_route(order.pk)
    mug_before = balances(shipment.lines.get(order_line__seller_sku="ACME-MUG").order_line.sku)

    response = act(staff, SHIPMENTS, "ship", [shipment])

    assert reported(response) == [
        (
            "error",
            f"{shipment.reference}: Shipment {shipment.reference} is Routed to a warehouse; "
            "only picked, packed and labelled parcels can ship.",
        )
    ]
    assert Shipment.objects.get(pk=shipment.pk).state == ShipmentState.ROUTED
    assert balances(shipment.lines.get(order_line__seller_sku="ACME-MUG").order_line.sku) == mug_before
    assert set(Reservation.objects.values_list("status", flat=True)) == {"reserved"}


def test_labels_for_an_address_without_postal_code_are_refused_in_the_admin(staff, order):
    shipment = picked(order)
    pack_in_admin(staff, shipment)
    Order.objects.filter(pk=order.pk).update(ship_postal_code="")

    response = act(staff, SHIPMENTS, "print_labels", [shipment])

    assert reported(response) == [
        (
            "error",
            f"{shipment.reference}: No label for {shipment.reference}: the postal code is missing and PostX "
            "requires one. Correct the address first.",
        )
    ]
    shipment.refresh_from_db()
    assert (shipment.state, shipment.tracking_number) == (ShipmentState.PACKED, "")


def test_wave_labels_print_as_one_pdf_and_the_wave_ships(staff, order):
    shipment = picked(order)
    pack_in_admin(staff, shipment)

    labels = act(staff, WAVES, "print_labels", [shipment.wave])

    shipment.refresh_from_db()
    assert labels["Content-Type"] == "application/pdf"
    assert barcodes_in(labels.content) == [[shipment.tracking_number]]
    shipped = act(staff, WAVES, "ship", [shipment.wave])
    # the label messages of the PDF response show on the next page
    assert reported(shipped) == [
        ("success", f"{shipment.reference}: label booked."),
        ("success", f"{shipment.reference}: shipped; tracking goes to the marketplace."),
    ]
    assert Order.objects.get(pk=order.pk).state == OrderState.SHIPPED


def test_service_override_needs_a_reason_and_is_recorded(staff, order, warehouse_user):
    [shipment] = order_route(order.pk)
    express = shipment.service.carrier.services.get(code="express")

    asked = act(staff, SHIPMENTS, "override_service", [shipment])
    assert asked.templates[0].name == "admin/logistics/shipment/override_form.html"

    done = act(staff, SHIPMENTS, "override_service", [shipment], apply="1", service=express.pk, note="VIP buyer")
    assert reported(done) == [("success", f"{shipment.reference}: service overridden.")]
    shipment.refresh_from_db()
    assert (shipment.service, shipment.service_overridden_by) == (express, warehouse_user)


def test_warehouse_pages_render_for_warehouse_staff(staff, order):
    shipment = picked(order)
    pages = [
        SHIPMENTS,
        f"{SHIPMENTS}?state__exact=picked&service__carrier__id__exact={shipment.service.carrier_id}",
        f"{SHIPMENTS}?stale=yes",
        f"{SHIPMENTS}{shipment.pk}/change/",
        WAVES,
        ORDERS,
        "/admin/logistics/carrier/",
        f"/admin/logistics/carrierservice/{shipment.service_id}/change/",
        PACK,
        f"{PACK}{shipment.pk}/",
    ]
    assert {page: staff.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)


def test_a_parcel_weight_that_is_not_a_number_is_refused_on_the_form(staff, order):
    shipment = picked(order)
    for barcode in ("4006381333931", "4006381333948", "4006381333931"):
        staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": barcode}, follow=True)

    response = staff.post(
        f"{PACK}{shipment.pk}/",
        {"step": "close", "weight_grams": "1.6kg", "length_mm": "300", "width_mm": "0", "height_mm": "100"},
    )

    assert response.status_code == 200
    assert response.context["pack_form"].errors == {
        "weight_grams": ["Enter a whole number."],
        "width_mm": ["Ensure this value is greater than or equal to 1."],
    }
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.PICKED
    assert list(shipment.parcels.values_list("state", "weight_grams")) == [("open", None)]


def test_accountants_cannot_pack(client, accountant_user, order):
    shipment = picked(order)
    client.force_login(accountant_user)
    response = client.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": "4006381333931"})
    assert response.status_code == 403
    assert set(ShipmentLine.objects.values_list("packed_quantity", flat=True)) == {0}


def test_stale_tracking_and_failed_pushes_show_on_the_admin_index_and_the_shipments_list(staff, order):
    # given a shipped shipment with a stale-tracking alert and a failed push
    shipment = picked(order)
    pack_in_admin(staff, shipment)
    act(staff, SHIPMENTS, "print_labels", [shipment])
    act(staff, SHIPMENTS, "ship", [shipment])
    Shipment.objects.filter(pk=shipment.pk).update(stale_alert_at=NOW, push_state="failed")

    for page in ("/admin/", SHIPMENTS):
        html = staff.get(page).content.decode()
        assert "1 shipped shipment has had no tracking event for 7 days." in html
        assert f'href="{SHIPMENTS}?stale=yes"' in html
        assert "1 shipment's tracking push failed." in html

    Shipment.objects.filter(pk=shipment.pk).update(stale_alert_at=None, push_state="pushed")
    html = staff.get("/admin/").content.decode()
    assert "Every shipped parcel has recent tracking events." in html
    assert "No failed tracking push." in html


def test_packing_screen_closes_a_parcel_and_opens_the_next(staff, order):
    shipment = picked(order)
    staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": "4006381333931"}, follow=True)
    closed = staff.post(
        f"{PACK}{shipment.pk}/",
        {"step": "close_next", "weight_grams": "600", "length_mm": "200", "width_mm": "150", "height_mm": "100"},
        follow=True,
    )
    assert reported(closed) == [
        ("success", f"Parcel {shipment.reference}-01 closed; scan the items of the next parcel.")
    ]
    scanned = staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": "4006381333948"}, follow=True)
    assert reported(scanned) == [("success", "ACME-PEN: 1 of 1 packed, into parcel 2.")]
    pack_in_admin_rest = staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": "4006381333931"}, follow=True)
    assert "pack-parcels" in pack_in_admin_rest.content.decode()
    finished = staff.post(
        f"{PACK}{shipment.pk}/",
        {"step": "close", "weight_grams": "700", "length_mm": "200", "width_mm": "150", "height_mm": "100"},
        follow=True,
    )
    assert reported(finished) == [("success", f"{shipment.reference}: packed; print its label next.")]
    assert list(Shipment.objects.get(pk=shipment.pk).parcels.values_list("number", "weight_grams")) == [
        (1, 600),
        (2, 700),
    ]


def test_the_packing_screen_tells_what_to_undo_for_a_shipment_whose_order_was_cancelled(staff, order, warehouse_user):
    # given the order is cancelled after its pick; the packer scans its slip anyway
    shipment = picked(order)
    order_cancel_by_operator(order.pk, actor=warehouse_user, note="Buyer changed their mind")
    note = Shipment.objects.get(pk=shipment.pk).cancellation_note
    assert note

    opened = staff.get(f"{PACK}{shipment.pk}/")
    scanned = staff.post(f"{PACK}{shipment.pk}/", {"step": "scan", "barcode": "4006381333931"}, follow=True)

    # the screen shows what to undo, and the scan is refused with nothing packed
    assert opened.content.decode().count(str(escape(note)).split("\n")[0]) == 1
    assert reported(scanned)[0][0] == "error"
    assert list(ShipmentLine.objects.filter(shipment=shipment).values_list("packed_quantity", flat=True)) == [0, 0]


def test_labels_for_an_address_without_country_are_refused_in_the_admin(staff, order):
    shipment = picked(order)
    pack_in_admin(staff, shipment)
    Order.objects.filter(pk=order.pk).update(ship_country="")

    response = act(staff, SHIPMENTS, "print_labels", [shipment])

    [(level, text)] = reported(response)
    assert (level, text.split(": ", 1)[0]) == ("error", shipment.reference)
    assert "the country is missing" in text
    assert text.endswith("Correct the address first.")
    shipment.refresh_from_db()
    assert (shipment.state, shipment.tracking_number) == (ShipmentState.PACKED, "")
    assert not shipment.parcels.exclude(tracking_number="").exists()
