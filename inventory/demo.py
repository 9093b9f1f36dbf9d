"""Demo catalogue: a small-batch manufacturer of houseware and fitness goods."""

import datetime as dt
from decimal import Decimal
from itertools import product as cartesian

from django.utils import timezone

from . import services
from .enums import ProductionStatus, WarehouseKind
from .models import AllocationRule, BinLocation, InboundShipment, Movement, Product, ProductionOrder, Sku, Warehouse

OPENING_REFERENCE = "demo:opening-stock"
VIRTUAL_REFERENCE = "demo:harbor-prepaid"
LOW_STOCK_CODES = {"LAMP-WOD-UK", "MAT-TEA-10MM", "TOTE-NVY-L"}  # below their safety stock of 10

WAREHOUSES = [
    # code, name, kind, country, city
    ("SZ-CENTRAL", "Shenzhen central warehouse", WarehouseKind.CENTRAL, "CN", "Shenzhen"),
    ("LA-RETURNS", "Los Angeles returns centre", WarehouseKind.RETURNS, "US", "Los Angeles"),
]

# product code, name, HS code, battery, {attribute: options}, base (weight g, l, w, h mm, cost CNY), cost step
PRODUCTS = [
    (
        "BOTTLE",
        "Insulated stainless steel bottle",
        "732393",
        False,
        [("500", "750", "1000"), ("BLK", "WHT", "SGE", "NVY")],
        (320, 75, 75, 210, Decimal("28.50")),
    ),
    (
        "LAMP",
        "Rechargeable LED desk lamp",
        "940521",
        True,
        [("BLK", "WHT", "WOD"), ("US", "EU", "UK")],
        (860, 180, 160, 420, Decimal("64.00")),
    ),
    (
        "MAT",
        "TPE yoga mat",
        "950691",
        False,
        [("PUR", "GRY", "TEA", "BLK"), ("6MM", "10MM")],
        (1100, 610, 120, 120, Decimal("42.00")),
    ),
    (
        "TOTE",
        "Organic cotton tote bag",
        "420222",
        False,
        [("NAT", "BLK", "NVY"), ("S", "M", "L")],
        (180, 380, 320, 20, Decimal("9.80")),
    ),
    (
        "UTENSIL",
        "Silicone kitchen utensil set",
        "392410",
        False,
        [("5PC", "8PC", "12PC"), ("GRY", "RED", "BLK", "GRN")],
        (540, 340, 90, 70, Decimal("22.40")),
    ),
]


def ean13(body12: str) -> str:
    """Append the GS1 check digit to a 12-digit body."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def build():
    warehouses = {}
    for code, name, kind, country, city in WAREHOUSES:
        warehouses[code], _ = Warehouse.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "country": country, "city": city}
        )
    central = warehouses["SZ-CENTRAL"]
    count = 0
    for product_index, (code, name, hs_code, battery, options, base) in enumerate(PRODUCTS):
        weight, length, width, height, cost = base
        product, _ = Product.objects.update_or_create(code=code.lower(), defaults={"name": name})
        for variant_index, variant in enumerate(cartesian(*options)):
            sku_code = "-".join((code, *variant))
            size_factor = 1 + variant_index % 3 * Decimal("0.15")
            sku, _ = Sku.objects.update_or_create(
                code=sku_code,
                defaults={
                    "product": product,
                    "name": f"{name} {' / '.join(variant)}",
                    "barcode": ean13(f"6901234{product_index:02d}{variant_index:03d}"),
                    "weight_grams": int(weight * size_factor),
                    "length_mm": length,
                    "width_mm": width,
                    "height_mm": height,
                    "hs_code": hs_code,
                    "country_of_origin": "CN",
                    "unit_cost": (cost * size_factor).quantize(Decimal("0.01")),
                    "cost_currency": "CNY",
                    "safety_stock": 10,
                    "production_lead_days": 5 + product_index * 2,
                    "material_lead_days": 7,
                    "min_batch": 50,
                    "contains_battery": battery,
                },
            )
            aisle = chr(ord("A") + product_index)
            BinLocation.objects.update_or_create(
                warehouse=central,
                code=f"{aisle}-{variant_index // 6 + 1:02d}-{variant_index % 6 + 1:02d}",
                defaults={"sku": sku},
            )
            count += 1
    stocked = _opening_stock(central)
    locked = _harbor_virtual_stock(central)
    incoming = _incoming(central)
    _allocation_rules()
    return (
        f"{len(warehouses)} warehouses, {len(PRODUCTS)} products, {count} SKUs, "
        f"opening stock for {stocked} SKUs, {locked} virtual stock rows for harbor, {incoming} incoming"
    )


def _opening_stock(central) -> int:
    """Receive an opening quantity per SKU once (a few below safety stock, so alerts show)."""
    if Movement.objects.filter(reference=OPENING_REFERENCE).exists():
        return 0
    skus = list(Sku.objects.filter(is_kit=False).order_by("code"))
    for index, sku in enumerate(skus):
        quantity = 6 if sku.code in LOW_STOCK_CODES else 20 + index * 7 % 90
        services.stock_receive(sku=sku, warehouse=central, quantity=quantity, reference=OPENING_REFERENCE)
    return len(skus)


def _harbor_virtual_stock(central) -> int:
    """Harbor Trading pre-bought bottles: locked for it as virtual stock (once)."""
    from sellers.models import Seller

    harbor = Seller.objects.filter(code="harbor").first()
    if harbor is None:
        from sellers.demo import build as build_sellers  # harbor is defined there; its builder is idempotent

        build_sellers()
        harbor = Seller.objects.get(code="harbor")
    if Movement.objects.filter(reference=VIRTUAL_REFERENCE).exists():
        return 0
    skus = Sku.objects.filter(code__startswith="BOTTLE-750").order_by("code")
    for sku in skus:
        services.virtual_stock_lock(seller=harbor, sku=sku, warehouse=central, quantity=12, reference=VIRTUAL_REFERENCE)
    return len(skus)


def _incoming(central) -> int:
    """Production orders and inbound shipments with several lines; one of each partly received."""
    today = timezone.now().date()
    production = [
        # number, [(sku code, quantity)], days to ETA, status
        ("MO-DEMO-001", [("LAMP-BLK-US", 200), ("MAT-PUR-6MM", 60)], 12, ProductionStatus.IN_PRODUCTION),
        ("MO-DEMO-002", [("MAT-PUR-6MM", 150)], 20, ProductionStatus.PLANNED),
        ("MO-DEMO-003", [("BOTTLE-750-BLK", 300), ("TOTE-NAT-M", 100)], 9, ProductionStatus.IN_PRODUCTION),
    ]
    for number, lines, days, status in production:
        if ProductionOrder.objects.filter(number=number).exists():
            continue
        order = services.production_order_create(
            number=number,
            warehouse=central,
            eta=today + dt.timedelta(days=days),
            lines=[(Sku.objects.get(code=code), quantity) for code, quantity in lines],
        )
        if status != ProductionStatus.PLANNED:
            services.production_order_start(order=order)
    inbound = [
        # reference, [(sku code, quantity)], days to ETA, carrier
        ("IN-DEMO-001", [("TOTE-NAT-M", 120), ("UTENSIL-8PC-GRY", 40)], 4, "SF Express"),
        ("IN-DEMO-002", [("UTENSIL-8PC-GRY", 80)], 6, "COSCO"),
    ]
    for reference, lines, days, carrier in inbound:
        if InboundShipment.objects.filter(reference=reference).exists():
            continue
        shipment = services.inbound_shipment_create(
            reference=reference,
            warehouse=central,
            eta=today + dt.timedelta(days=days),
            carrier=carrier,
            lines=[(Sku.objects.get(code=code), quantity) for code, quantity in lines],
        )
        if reference == "IN-DEMO-001":  # the first cartons arrived: partially received
            services.inbound_shipment_receive(
                shipment=shipment, received={Sku.objects.get(code="TOTE-NAT-M").pk: 50}, actor=None
            )
    return len(production) + len(inbound)


def _allocation_rules() -> None:
    AllocationRule.objects.update_or_create(
        name="Default: 5% buffer, low stock below 15",
        defaults={"buffer_percent": Decimal("5"), "low_stock_threshold": 15},
    )
    AllocationRule.objects.update_or_create(
        name="Amazon: priority channel, 2 units buffer",
        defaults={"platform": "amazon", "is_priority": True, "buffer_units": 2, "low_stock_threshold": 15},
    )
    AllocationRule.objects.update_or_create(
        name="eBay: at most 25 per listing", defaults={"platform": "ebay", "max_per_listing": 25}
    )
