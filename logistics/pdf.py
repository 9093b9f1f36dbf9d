"""PDF documents of the warehouse: pick list, shipping labels, packing slips (reportlab).

Packing slips and labels are blind: they carry the seller's name only, never the
factory's name, SKU costs or prices. Barcodes are Code 128.
"""

import functools
import io
from datetime import UTC
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .models import Shipment, Wave
from .selectors import NO_BIN, pick_list_rows

LABEL_SIZE = (100 * mm, 150 * mm)
BAR_WIDTH = 0.33 * mm
# Buyers write addresses in their own script: DejaVu Sans (Latin, Vietnamese, Cyrillic, Greek) when the
# system has it, Helvetica otherwise; lines with CJK characters use reportlab's built-in CID font.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CJK_FONT = "STSong-Light"


@functools.cache
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered once."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdfmetrics.registerFont(TTFont("HubSans", str(regular)))
        pdfmetrics.registerFont(TTFont("HubSans-Bold", str(bold)))
        return "HubSans", "HubSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def font_for(text: str, *, bold: bool = False) -> str:
    if any(ord(char) >= 0x2E80 for char in text):
        return CJK_FONT
    regular, heavy = _fonts()
    return heavy if bold else regular


def code128(value: str, *, bar_height=18 * mm) -> Code128:
    """The barcode as it will be drawn; ``.value`` is exactly what a scanner reads."""
    if not value or not value.isascii() or not value.isprintable():
        raise ValueError(f"cannot encode {value!r} as Code 128")
    return Code128(value, barHeight=bar_height, barWidth=BAR_WIDTH, humanReadable=False, quiet=True)


def _canvas(buffer, pagesize, title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=pagesize, invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor("")
    canvas.setCreator("")
    return canvas


class _Writer:
    """Lines of text down a page, with a new page when the bottom is reached."""

    def __init__(self, canvas: Canvas, top: float, left: float = 15 * mm, bottom: float = 15 * mm):
        self.canvas, self.top, self.left, self.bottom = canvas, top, left, bottom
        self.y = top

    def line(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0, gap: float = 1.4):
        if self.y < self.bottom + size:
            self.canvas.showPage()
            self.y = self.top
        self.canvas.setFont(font_for(text, bold=bold), size)
        self.canvas.drawString(self.left + indent, self.y, text)
        self.y -= size * gap

    def barcode(self, value: str, *, height=14 * mm):
        symbol = code128(value, bar_height=height)
        self.y -= height
        symbol.drawOn(self.canvas, self.left, self.y)
        self.y -= 4 * mm
        self.line(value, size=9)


PICK_LIST_SHIPMENTS_PER_LINE = 3


def pick_list_pdf(wave: Wave) -> bytes:
    buffer = io.BytesIO()
    _width, height = A4
    canvas = _canvas(buffer, A4, _("Pick list %(wave)s") % {"wave": wave.code})
    writer = _Writer(canvas, height - 20 * mm)
    writer.line(_("Pick list %(wave)s") % {"wave": wave.code}, size=16, bold=True, gap=1.6)
    writer.line(
        _("Warehouse %(warehouse)s · %(kind)s · carrier cut-off %(cutoff)s UTC")
        % {
            "warehouse": wave.warehouse.code,
            "kind": wave.get_kind_display(),
            "cutoff": wave.cutoff_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        }
    )
    writer.y -= 4 * mm
    columns = (0, 30 * mm, 65 * mm, 135 * mm, 150 * mm)
    headers = (_("Bin"), _("SKU"), _("Item"), _("Qty"), _("Shipments"))
    for x, header in zip(columns, headers, strict=True):
        canvas.setFont(font_for(header, bold=True), 9)
        canvas.drawString(writer.left + x, writer.y, header)
    writer.y -= 14
    for row in pick_list_rows(wave):
        # every shipment is named, three to a line, so none is cut off
        shipment_lines = [
            ", ".join(row.shipments[start : start + PICK_LIST_SHIPMENTS_PER_LINE])
            for start in range(0, len(row.shipments), PICK_LIST_SHIPMENTS_PER_LINE)
        ] or [""]
        cells = (
            row.bin_code if row.bin_code != NO_BIN else _("no bin"),
            row.sku_code,
            row.sku_name[:40],
            str(row.quantity),
            shipment_lines[0],
        )
        for index, text in enumerate([cells, *[("", "", "", "", more) for more in shipment_lines[1:]]]):
            if writer.y < writer.bottom + 10:
                canvas.showPage()
                writer.y = writer.top
            for x, cell in zip(columns, text, strict=True):
                canvas.setFont(font_for(cell), 9)
                canvas.drawString(writer.left + x, writer.y, cell)
            writer.y -= 13 if index == len(shipment_lines) - 1 else 11
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _address_lines(order) -> list[str]:
    city = " ".join(part for part in (order.ship_postal_code, order.ship_city) if part)
    lines = [order.ship_name, order.ship_address1, order.ship_address2, city, order.ship_state, order.ship_country]
    return [line for line in lines if line]


def _draw_label(canvas: Canvas, shipment: Shipment, parcel, count: int) -> None:
    order, service = shipment.order, shipment.service
    writer = _Writer(canvas, LABEL_SIZE[1] - 10 * mm, left=6 * mm, bottom=6 * mm)
    writer.line(f"{service.carrier.name} · {service.name}", size=12, bold=True)
    writer.line(_("From: %(seller)s") % {"seller": order.seller.name}, size=9)
    warehouse = shipment.warehouse  # the return address, under the seller's name (never the warehouse's own name)
    for text in [
        *warehouse.address.splitlines()[:2],
        ", ".join(part for part in (warehouse.city, warehouse.country) if part),
    ]:
        if text.strip():
            writer.line(text.strip(), size=9, indent=10 * mm)
    writer.y -= 2 * mm
    writer.line(_("To:"), size=10, bold=True)
    for text in _address_lines(order):
        writer.line(text, size=11, indent=4 * mm)
    writer.y -= 2 * mm
    writer.line(
        _("Parcel %(number)s of %(count)s · %(weight)s g · %(ref)s · order %(order)s")
        % {
            "number": parcel.number,
            "count": count,
            "weight": parcel.weight_grams,
            "ref": shipment.reference,
            "order": order.external_id,
        },
        size=8,
    )
    writer.y -= 2 * mm
    writer.barcode(parcel.tracking_number, height=22 * mm)
    canvas.showPage()


def labels_pdf(shipments) -> bytes:
    """One 100 x 150 mm label per parcel, shipments in the order given; each parcel needs a tracking number."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, LABEL_SIZE, _("Shipping labels"))
    for shipment in shipments:
        parcels = sorted(shipment.parcels.all(), key=lambda parcel: parcel.number)
        if not parcels or not all(parcel.tracking_number for parcel in parcels):
            raise ValueError(f"{shipment.reference} has a parcel without a tracking number yet")
        for parcel in parcels:
            _draw_label(canvas, shipment, parcel, len(parcels))
    canvas.save()
    return buffer.getvalue()


def packing_slip_pdf(shipments) -> bytes:
    """A packing slip per shipment, under the seller's brand; no prices, costs or factory names."""
    buffer = io.BytesIO()
    _width, height = A4
    canvas = _canvas(buffer, A4, _("Packing slips"))
    for shipment in shipments:
        order = shipment.order
        writer = _Writer(canvas, height - 20 * mm)
        writer.line(order.seller.name, size=20, bold=True, gap=1.5)
        writer.line(_("Packing slip"), size=13, bold=True)
        writer.line(
            _("Order %(order)s · placed %(date)s")
            % {"order": order.external_id, "date": order.placed_at.strftime("%Y-%m-%d")}
        )
        writer.y -= 2 * mm
        writer.line(_("Ship to"), bold=True)
        for text in _address_lines(order):
            writer.line(text, indent=4 * mm)
        writer.y -= 4 * mm
        writer.line(_("Qty   Item"), bold=True)
        for line in shipment.lines.select_related("order_line").order_by("pk"):
            title = line.order_line.title or line.order_line.seller_sku
            writer.line(f"{line.quantity:>3}   {line.order_line.seller_sku}  {title[:70]}")
        writer.y -= 4 * mm
        writer.line(_("Thank you for your order."), size=10)
        writer.y -= 4 * mm
        writer.barcode(shipment.reference, height=12 * mm)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
