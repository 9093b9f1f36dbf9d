"""Reads the warehouse screens and documents show."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from inventory.models import BinLocation, KitComponent

from .enums import PushState, ShipmentState
from .models import Shipment, ShipmentLine, Wave

NO_BIN = "~"  # sorts after every bin code


def bin_walk_key(code: str) -> tuple:
    """Walk order of bin codes: numbers compare as numbers, so A-2-1 comes before A-10-1."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.upper()) for part in re.split(r"(\d+)", code) if part
    )


@dataclass
class PickRow:
    bin_code: str
    sku_code: str
    sku_name: str
    barcode: str
    quantity: int
    shipments: list[str] = field(default_factory=list)


def pick_list_rows(wave: Wave) -> list[PickRow]:
    """What to take from which bin, in walk order (bin codes sort in walk-path order); kits as components."""
    lines = ShipmentLine.objects.filter(shipment__wave=wave).select_related("order_line__sku", "shipment")
    wanted = defaultdict(lambda: [0, []])
    skus = {}
    kit_ids = [line.order_line.sku_id for line in lines if line.order_line.sku.is_kit]
    recipes = defaultdict(list)
    for component in KitComponent.objects.filter(kit_id__in=kit_ids).select_related("component"):
        recipes[component.kit_id].append((component.component, component.quantity))
    for line in lines:
        sku = line.order_line.sku
        parts = recipes[sku.pk] if sku.is_kit else [(sku, 1)]
        for part, per in parts:
            skus[part.pk] = part
            entry = wanted[part.pk]
            entry[0] += line.quantity * per
            if line.shipment.reference not in entry[1]:
                entry[1].append(line.shipment.reference)
    bins = {}
    locations = BinLocation.objects.filter(warehouse=wave.warehouse, sku_id__in=list(wanted))
    for location in sorted(locations, key=lambda location: bin_walk_key(location.code)):
        bins.setdefault(location.sku_id, location.code)
    rows = [
        PickRow(bins.get(sku_id, NO_BIN), skus[sku_id].code, skus[sku_id].name, skus[sku_id].barcode, qty, sorted(refs))
        for sku_id, (qty, refs) in wanted.items()
    ]
    return sorted(rows, key=lambda row: (bin_walk_key(row.bin_code), row.sku_code))


def shipment_documents_queryset():
    return Shipment.objects.select_related("order__seller", "warehouse", "service__carrier", "wave").prefetch_related(
        "lines__order_line__sku", "parcels"
    )


def shipment_timeline(shipment: Shipment):
    return list(shipment.tracking_events.select_related("parcel__shipment").order_by("occurred_at", "id"))


def parcels_on_screen(shipment: Shipment) -> list[dict]:
    """The packing screen's parcels: number, state, measures and what is in each."""
    return [
        {
            "parcel": parcel,
            "items": [f"{item.quantity} x {item.line.order_line.sku.code}" for item in parcel.items.all()],
        }
        for parcel in shipment.parcels.order_by("number").prefetch_related("items__line__order_line__sku")
    ]


def stale_days() -> int:
    return int(getattr(settings, "LOGISTICS_STALE_SHIPMENT_DAYS", 7))


def failed_push_count() -> int:
    return Shipment.objects.filter(push_state=PushState.FAILED).count()


def stale_shipment_count() -> int:
    """Shipped shipments with a stale-tracking alert: what the admin index shows operators."""
    return Shipment.objects.filter(state=ShipmentState.SHIPPED, stale_alert_at__isnull=False).count()
