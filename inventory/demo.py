"""Demo catalogue: a small-batch manufacturer of houseware and fitness goods."""

from decimal import Decimal
from itertools import product as cartesian

from .enums import WarehouseKind
from .models import BinLocation, Product, Sku, Warehouse

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
    return f"{len(warehouses)} warehouses, {len(PRODUCTS)} products, {count} SKUs"
