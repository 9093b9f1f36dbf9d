import datetime as dt

import pytest

from inventory import services
from inventory.enums import MovementKind, ProductionStatus
from inventory.models import InboundShipment, LowStockAlert, Movement, ProductionOrder, Stock
from inventory.services import OrderLine, order_lines_reserve
from tests.factories import SkuFactory, stocked


@pytest.fixture
def staff(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


def pool_row(sku):
    return Stock.objects.get(sku=sku, seller=None)


def test_warehouse_staff_books_a_goods_receipt_through_the_form(staff, warehouse_user, sku, central):
    assert "Goods receipt" in staff.get("/admin/inventory/stock/").text

    response = staff.post(
        "/admin/inventory/stock/receive/",
        {"sku": sku.pk, "warehouse": central.pk, "quantity": "24", "reference": "DN-881"},
        follow=True,
    )

    assert "Received 24 units; on hand is now 24." in response.text
    movement = Movement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.actor, movement.reference) == (
        MovementKind.RECEIPT,
        24,
        warehouse_user,
        "DN-881",
    )


def test_receipt_form_refuses_zero_and_changes_nothing(staff, sku, central):
    response = staff.post("/admin/inventory/stock/receive/", {"sku": sku.pk, "warehouse": central.pk, "quantity": "0"})

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.text
    assert not Stock.objects.exists()


def test_cycle_count_needs_a_reason_and_refuses_counts_below_reserved(staff, sku, central, seller):
    stock = stocked(sku, central, 10)
    order_lines_reserve(seller=seller, lines=[OrderLine("l", sku.pk, 6)])

    no_reason = staff.post(f"/admin/inventory/stock/{stock.pk}/count/", {"counted": "9", "reason": ""})
    too_few = staff.post(f"/admin/inventory/stock/{stock.pk}/count/", {"counted": "5", "reason": "lost"}, follow=True)
    ok = staff.post(f"/admin/inventory/stock/{stock.pk}/count/", {"counted": "9", "reason": "1 damaged"}, follow=True)

    assert "This field is required." in no_reason.text
    assert "Counted 5 but 6 units are reserved" in too_few.text
    assert "Adjusted: on hand is now 9." in ok.text
    assert (pool_row(sku).on_hand, pool_row(sku).reserved) == (9, 6)


def test_transfer_refusal_is_shown_and_nothing_moves(staff, sku, central, regional):
    stock = stocked(sku, central, 3)

    response = staff.post(
        f"/admin/inventory/stock/{stock.pk}/transfer/", {"to_warehouse": regional.pk, "quantity": "5"}, follow=True
    )

    assert "only 3 available units" in response.text
    assert list(Stock.objects.filter(sku=sku).values_list("warehouse__code", "on_hand")) == [("central", 3)]


def test_lock_and_release_virtual_stock_from_the_admin(staff, sku, central, seller):
    stock = stocked(sku, central, 10)

    staff.post(f"/admin/inventory/stock/{stock.pk}/lock/", {"seller": seller.pk, "quantity": "4"})
    virtual = Stock.objects.get(sku=sku, seller=seller)
    staff.post(f"/admin/inventory/stock/{virtual.pk}/release/", {"quantity": "1"})

    virtual.refresh_from_db()
    assert (pool_row(sku).on_hand, virtual.on_hand) == (7, 3)


def test_quantities_cannot_be_edited_on_the_stock_page(staff, sku, central):
    stock = stocked(sku, central, 10)

    page = staff.get(f"/admin/inventory/stock/{stock.pk}/change/").text
    staff.post(f"/admin/inventory/stock/{stock.pk}/change/", {"on_hand": "999", "reserved": "0"})

    assert 'name="on_hand"' not in page
    assert pool_row(sku).on_hand == 10
    assert staff.get("/admin/inventory/movement/add/").status_code == 403


def test_accountant_may_look_but_not_book(client, accountant_user, sku, central):
    stock = stocked(sku, central, 10)
    client.force_login(accountant_user)

    assert client.get("/admin/inventory/stock/").status_code == 200
    assert "Goods receipt" not in client.get("/admin/inventory/stock/").text
    assert client.get("/admin/inventory/stock/receive/").status_code == 403
    assert client.post(f"/admin/inventory/stock/{stock.pk}/count/", {"counted": "1", "reason": "x"}).status_code == 403
    assert pool_row(sku).on_hand == 10


def test_production_order_created_started_and_completed_from_the_admin(staff, sku, central):
    other = SkuFactory(code="LID")
    staff.post(
        "/admin/inventory/productionorder/add/",
        {
            "number": "MO-77",
            "warehouse": central.pk,
            "eta": "2026-12-20",
            **lines_formset("lines", [(sku.pk, 120), (other.pk, 30)]),
        },
    )
    order = ProductionOrder.objects.get(number="MO-77")
    assert sorted(order.lines.values_list("sku__code", "quantity", "quantity_received")) == [
        ("LID", 30, 0),
        ("MUG-BLK", 120, 0),
    ]

    complete_too_early = staff.post(
        "/admin/inventory/productionorder/",
        {"action": "complete", "_selected_action": [order.pk]},
        follow=True,
    )
    staff.post("/admin/inventory/productionorder/", {"action": "start", "_selected_action": [order.pk]})
    staff.post("/admin/inventory/productionorder/", {"action": "complete", "_selected_action": [order.pk]})

    assert "cannot become Completed" in complete_too_early.text
    order.refresh_from_db()
    assert order.status == ProductionStatus.COMPLETED
    assert pool_row(sku).on_hand == 120
    assert pool_row(other).on_hand == 30


def lines_formset(prefix: str, lines) -> dict:
    """The POST data of a lines inline: management form plus one form per (sku id, quantity)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, (sku_id, quantity) in enumerate(lines):
        data[f"{prefix}-{index}-sku"] = str(sku_id)
        data[f"{prefix}-{index}-quantity"] = str(quantity)
    return data


def test_an_inbound_shipment_needs_lines_and_each_sku_once(staff, sku, central):
    empty = staff.post(
        "/admin/inventory/inboundshipment/add/",
        {"reference": "IN-0", "warehouse": central.pk, "eta": "2026-12-01", **lines_formset("lines", [])},
    )
    twice = staff.post(
        "/admin/inventory/inboundshipment/add/",
        {
            "reference": "IN-0",
            "warehouse": central.pk,
            "eta": "2026-12-01",
            **lines_formset("lines", [(sku.pk, 2), (sku.pk, 3)]),
        },
    )

    assert "A document needs at least one line." in empty.text
    assert "Please correct the duplicate data for sku." in twice.text  # the unique (shipment, sku) constraint
    assert not InboundShipment.objects.exists()


def test_inbound_shipment_received_line_by_line_from_the_admin(staff, sku, central, seller):
    other = SkuFactory(code="LID")
    shipment = services.inbound_shipment_create(
        reference="IN-9", lines=[(sku, 8), (other, 5)], warehouse=central, seller=seller, eta=dt.date(2026, 12, 1)
    )
    url = f"/admin/inventory/inboundshipment/{shipment.pk}/receive/"
    assert 'value="8"' in staff.get(url).text  # everything outstanding, by default

    partly = staff.post(url, {f"sku_{sku.pk}": "3", f"sku_{other.pk}": "0"}, follow=True)
    too_much = staff.post(url, {f"sku_{sku.pk}": "6", f"sku_{other.pk}": "0"})

    assert "IN-9: received; it is now Partially received." in partly.text
    assert too_much.status_code == 200  # the form refuses more than is outstanding (5 of the mug)
    assert Stock.objects.get(sku=sku, seller=seller).on_hand == 3
    assert not Stock.objects.filter(sku=other).exists()
    shipment.refresh_from_db()
    assert shipment.status == "partially_received"
    assert sorted(shipment.lines.values_list("sku__code", "quantity_received")) == [("LID", 0), ("MUG-BLK", 3)]

    response = staff.post(
        "/admin/inventory/inboundshipment/", {"action": "receive", "_selected_action": [shipment.pk]}, follow=True
    )

    assert "1 inbound shipments received." in response.text
    assert Stock.objects.get(sku=sku, seller=seller).on_hand == 8
    assert Stock.objects.get(sku=other, seller=seller).on_hand == 5
    shipment.refresh_from_db()
    assert shipment.status == "received"


def test_low_stock_alerts_are_listed_open_or_resolved(staff, central, seller):
    low, recovered = SkuFactory(code="LOW-1", safety_stock=5), SkuFactory(code="BACK-2", safety_stock=5)
    stocked(low, central, 5)
    stocked(recovered, central, 5)
    order_lines_reserve(seller=seller, lines=[OrderLine("l", low.pk, 2), OrderLine("r", recovered.pk, 2)])
    stocked(recovered, central, 3)

    open_page = staff.get("/admin/inventory/lowstockalert/?state=empty").text
    resolved_page = staff.get("/admin/inventory/lowstockalert/?state=set").text

    assert LowStockAlert.objects.filter(resolved_at=None).get().sku == low
    assert ("LOW-1" in open_page, "BACK-2" in open_page) == (True, False)
    assert ("LOW-1" in resolved_page, "BACK-2" in resolved_page) == (False, True)


def test_document_pages_show_lines_and_the_receive_link(staff, sku, central):
    order = services.production_order_create(
        number="MO-5", lines=[(sku, 9)], warehouse=central, eta=dt.date(2026, 12, 1)
    )
    services.production_order_start(order=order)

    listing = staff.get("/admin/inventory/productionorder/").text
    page = staff.get(f"/admin/inventory/productionorder/{order.pk}/change/").text
    add = staff.get("/admin/inventory/productionorder/add/")

    assert "MUG-BLK 0/9" in listing
    assert f"/admin/inventory/productionorder/{order.pk}/receive/" in page
    assert add.status_code == 200
    assert "lines-TOTAL_FORMS" in add.text
