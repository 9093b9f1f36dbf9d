"""Pick list, labels and packing slips: valid PDFs whose text and barcodes say what they must."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from logistics import pdf
from logistics.models import Shipment
from logistics.services import (
    order_route,
    shipment_label,
    shipment_pack,
    shipment_scan_item,
    wave_pick_confirm,
    waves_build,
)
from orders.models import Order
from tests.factories import ListingFactory, kit_of

from .barcodes import barcodes_in
from .support import acme_shop, allocated_order, rate_card

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def pages_text(content: bytes) -> list[str]:
    """Each page's text, laid out as printed, runs of spaces made one."""
    assert content.startswith(b"%PDF-")
    pages = [page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(content)).pages]
    return ["\n".join(" ".join(line.split()) for line in page.splitlines() if line.strip()) for page in pages]


@pytest.fixture
def labelled():
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    shipments = []
    for external_id, buyer in (("1001", "Jürgen Müller"), ("1002", "Anna Schmidt")):
        [shipment] = order_route(allocated_order(account, external_id, name=buyer).pk)
        shipments.append(shipment)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    for shipment in shipments:
        for barcode in ("4006381333931", "4006381333931", "4006381333948"):
            shipment_scan_item(shipment.pk, barcode)
        shipment_pack(shipment.pk, weight_grams=1600, length_mm=300, width_mm=200, height_mm=100)
    return wave, [shipment_label(shipment.pk) for shipment in shipments]


def test_pick_list_lists_skus_in_bin_order_with_their_shipments(labelled):
    wave, shipments = labelled
    [page] = pages_text(pdf.pick_list_pdf(wave))
    lines = page.splitlines()
    refs = f"{shipments[0].reference}, {shipments[1].reference}"
    assert lines[0] == f"Pick list {wave.code}"
    assert lines[1] == "Warehouse wh-main · Multi-item orders · carrier cut-off 2026-11-25 16:00 UTC"
    # PEN lives in A-01-1, MUG in A-03-2: the walk visits A-01 first
    assert lines[3:] == [
        f"A-01-1 PEN Factory pen 2 {refs}",
        f"A-03-2 MUG Factory mug model FM-1 4 {refs}",
    ]


def test_a_kit_is_picked_as_its_components():
    rate_card()
    _seller, account, _warehouse, mug, pen = acme_shop()
    gift = kit_of("GIFT", {mug: 1, pen: 2})
    ListingFactory(account=account, sku=gift, seller_sku="ACME-GIFT")
    order_route(allocated_order(account, "2001", lines=(("ACME-GIFT", 1),)).pk)
    [wave] = waves_build(now=NOW)
    [page] = pages_text(pdf.pick_list_pdf(wave))
    assert [line.split(" SHP")[0] for line in page.splitlines()[3:]] == [
        "A-01-1 PEN Factory pen 2",
        "A-03-2 MUG Factory mug model FM-1 1",
    ]


def test_wave_labels_are_one_pdf_with_a_page_and_a_decodable_barcode_per_parcel(labelled):
    _wave, shipments = labelled
    content = pdf.labels_pdf(shipments)
    texts = pages_text(content)

    assert len(texts) == 2
    for text, shipment in zip(texts, shipments, strict=True):
        assert text.splitlines() == [
            "PostX · Standard",
            "From: Acme Home",
            "Ningbo, CN",
            "To:",
            shipment.order.ship_name,
            "Marienplatz 8",
            "80331 München",
            "DE",
            f"Parcel 1 of 1 · 1600 g · {shipment.reference} · order {shipment.order.external_id}",
            shipment.tracking_number,
        ]
    assert barcodes_in(content) == [[shipments[0].tracking_number], [shipments[1].tracking_number]]


def test_barcode_data_is_checked_before_rendering():
    assert pdf.code128("POS0000000017SB").value == "POS0000000017SB"
    with pytest.raises(ValueError, match="cannot encode"):
        pdf.code128("")
    with pytest.raises(ValueError, match="cannot encode"):
        pdf.code128("MÜNCHEN")


def test_packing_slip_is_branded_for_the_seller_and_blind(labelled):
    _wave, shipments = labelled
    shipment = shipments[0]
    content = pdf.packing_slip_pdf([shipment])
    [text] = pages_text(content)

    assert text.splitlines() == [
        "Acme Home",
        "Packing slip",
        "Order 1001 · placed 2026-11-20",
        "Ship to",
        "Jürgen Müller",
        "Marienplatz 8",
        "80331 München",
        "DE",
        "Qty Item",
        "2 ACME-MUG Lovely ACME-MUG",
        "1 ACME-PEN Lovely ACME-PEN",
        "Thank you for your order.",
        shipment.reference,
    ]
    # blind dropship: no factory names, prices or costs
    for secret in ("Factory", "12.50", "19.90", "CNY", "EUR", "wh-main", "Ningbo"):
        assert secret not in text
    assert barcodes_in(content) == [[shipment.reference]]


def test_labels_print_addresses_in_the_buyers_script(labelled):
    # given the buyer of 1001 writes in Japanese, the one of 1002 in Vietnamese
    _wave, shipments = labelled
    Order.objects.filter(pk=shipments[0].order_id).update(
        ship_name="佐藤 花子", ship_city="東京都", ship_address1="千代田区丸の内1-1", ship_country="JP"
    )
    Order.objects.filter(pk=shipments[1].order_id).update(ship_name="Nguyễn Văn An", ship_city="Hồ Chí Minh")
    shipments = list(
        Shipment.objects.select_related("order__seller").filter(pk__in=[s.pk for s in shipments]).order_by("pk")
    )

    japanese, vietnamese = pages_text(pdf.labels_pdf(shipments))

    assert "佐藤 花子" in japanese.splitlines()
    assert "千代田区丸の内1-1" in japanese.splitlines()
    assert "Nguyễn Văn An" in vietnamese.splitlines()
    assert "80331 Hồ Chí Minh" in vietnamese.splitlines()


def test_pick_list_walks_bins_with_numbers_in_numeric_order():
    # given the PEN in aisle A rack 10, the MUG in aisle A rack 2 (codes not zero-padded)
    rate_card()
    _seller, account, warehouse, mug, pen = acme_shop()
    warehouse.bins.filter(sku=pen).update(code="A-10-1")
    warehouse.bins.filter(sku=mug).update(code="A-2-1")
    order_route(allocated_order(account).pk)
    [wave] = waves_build(now=NOW)

    [page] = pages_text(pdf.pick_list_pdf(wave))

    # rack 2 comes before rack 10 on the walk
    assert [line.split(" ")[0] for line in page.splitlines()[3:]] == ["A-2-1", "A-10-1"]


def test_pick_list_names_every_shipment_of_a_bin_however_many():
    # given five orders of a MUG and a PEN in one wave
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    orders = [allocated_order(account, f"100{n}", name=f"Buyer {n}", address1=f"{n} Main St") for n in range(5)]
    shipments = [order_route(order.pk)[0] for order in orders]
    [wave] = waves_build(now=NOW)

    [page] = pages_text(pdf.pick_list_pdf(wave))

    refs = [s.reference for s in shipments]
    assert page.splitlines()[3:] == [
        f"A-01-1 PEN Factory pen 5 {refs[0]}, {refs[1]}, {refs[2]}",
        f"{refs[3]}, {refs[4]}",
        f"A-03-2 MUG Factory mug model FM-1 10 {refs[0]}, {refs[1]}, {refs[2]}",
        f"{refs[3]}, {refs[4]}",
    ]


def test_the_label_carries_the_warehouse_return_address_under_the_sellers_name(labelled):
    _wave, shipments = labelled
    warehouse = shipments[0].warehouse
    warehouse.name, warehouse.address = "Ningbo Factory Outlet", "Bay 4, 88 Harbour Road\nBeilun District"
    warehouse.save()
    shipment = Shipment.objects.select_related("order__seller", "warehouse").get(pk=shipments[0].pk)

    [text] = pages_text(pdf.labels_pdf([shipment]))

    assert text.splitlines()[1:5] == ["From: Acme Home", "Bay 4, 88 Harbour Road", "Beilun District", "Ningbo, CN"]
    assert "Factory" not in text
