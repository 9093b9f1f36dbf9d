"""A small rate card and a shop with bins, shared by the logistics tests."""

from dataclasses import replace
from datetime import time
from decimal import Decimal

from inventory.models import BinLocation, Stock
from logistics.enums import ServiceLeg
from logistics.models import Carrier, CarrierService, RateBreak, Zone
from orders.services import order_ingest
from tests.factories import ListingFactory, SellerFactory, SkuFactory, WarehouseFactory, stocked
from tests.orders.support import ADDRESS, canonical_order

EU, US = ["DE", "FR", "NL"], ["US"]


def service(carrier, code, *, max_weight, cutoff, battery=False, liquid=False, zones=(), leg=ServiceLeg.DOOR_TO_DOOR):
    """``zones``: (code, countries, transit days, [(up to grams, price), ...])."""
    svc = CarrierService.objects.create(
        carrier=carrier,
        code=code,
        name=code.title(),
        leg=leg,
        max_weight_grams=max_weight,
        allows_battery=battery,
        allows_liquid=liquid,
        cutoff_time=cutoff,
        currency="USD",
    )
    for zone_code, countries, days, breaks in zones:
        zone = Zone.objects.create(service=svc, code=zone_code, countries=countries, transit_days=days)
        RateBreak.objects.bulk_create(
            [RateBreak(zone=zone, max_weight_grams=grams, price=Decimal(price)) for grams, price in breaks]
        )
    return svc


def rate_card() -> dict[str, CarrierService]:
    """Economy (cheap, slow, 2 kg, no batteries), standard (7 days EU, batteries), express (3 days, anything)."""
    postx = Carrier.objects.create(code="postx", name="PostX", adapter="sandbox", requires_postal_code=True)
    return {
        "economy": service(
            postx,
            "economy",
            max_weight=2000,
            cutoff=time(15, 0),
            zones=[
                ("eu", EU, 12, [(500, "4.00"), (1000, "6.00"), (2000, "9.00")]),
                ("us", US, 14, [(500, "5.00"), (1000, "7.50"), (2000, "11.00")]),
            ],
        ),
        "standard": service(
            postx,
            "standard",
            max_weight=10000,
            cutoff=time(16, 0),
            battery=True,
            zones=[
                ("eu", EU, 7, [(500, "7.00"), (1000, "9.00"), (5000, "15.00"), (10000, "25.00")]),
                ("us", US, 8, [(500, "8.00"), (1000, "10.00"), (10000, "28.00")]),
            ],
        ),
        "express": service(
            postx,
            "express",
            max_weight=30000,
            cutoff=time(17, 0),
            battery=True,
            liquid=True,
            zones=[
                ("eu", EU, 3, [(1000, "20.00"), (30000, "60.00")]),
                ("us", US, 3, [(1000, "22.00"), (30000, "65.00")]),
            ],
        ),
    }


def warehouse_with_bins(code="wh-main", bins=None):
    """A warehouse; ``bins``: {sku: bin code}."""
    warehouse = WarehouseFactory(code=code, city="Ningbo", country="CN")
    for sku, bin_code in (bins or {}).items():
        BinLocation.objects.create(warehouse=warehouse, code=bin_code, sku=sku)
    return warehouse


def acme_shop(*, promised_days=10, stock=10):
    """Seller Acme (promises 10 days) lists MUG and PEN on one account; both stocked in wh-main with bins."""
    seller = SellerFactory(code="acme", name="Acme Home", promised_delivery_days=promised_days)
    mug = SkuFactory(code="MUG", name="Factory mug model FM-1", barcode="4006381333931", weight_grams=500)
    pen = SkuFactory(
        code="PEN", name="Factory pen", barcode="4006381333948", weight_grams=100, length_mm=150, width_mm=20
    )
    warehouse = warehouse_with_bins(bins={mug: "A-03-2", pen: "A-01-1"})
    if stock:
        stocked(mug, warehouse, stock)
        stocked(pen, warehouse, stock)
    mug_listing = ListingFactory(account__seller=seller, sku=mug, seller_sku="ACME-MUG")
    ListingFactory(account=mug_listing.account, sku=pen, seller_sku="ACME-PEN")
    return seller, mug_listing.account, warehouse, mug, pen


def allocated_order(account, external_id="1001", lines=(("ACME-MUG", 2), ("ACME-PEN", 1)), **address):
    canonical = canonical_order(external_id, lines, ship_to=replace(ADDRESS, **address))
    canonical = replace(canonical, lines=tuple(replace(line, title=f"Lovely {line.sku}") for line in canonical.lines))
    return order_ingest(account=account, canonical=canonical, raw={"id": external_id}).order


def balances(sku) -> list[tuple[int, int]]:
    return list(Stock.objects.filter(sku=sku).order_by("pk").values_list("on_hand", "reserved"))
