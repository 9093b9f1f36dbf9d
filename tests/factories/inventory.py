from decimal import Decimal

import factory

from inventory.enums import WarehouseKind
from inventory.models import KitComponent, Product, Sku, Warehouse


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku
        django_get_or_create = ("code",)

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.code}")
    weight_grams = 500
    length_mm = 200
    width_mm = 100
    height_mm = 50
    unit_cost = Decimal("12.50")
    cost_currency = "CNY"
    safety_stock = 0


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    kind = WarehouseKind.CENTRAL
    country = "CN"


def kit_of(code: str, components: dict[Sku, int]) -> Sku:
    """A kit SKU made of ``{component: units per kit}``."""
    kit = SkuFactory(code=code, is_kit=True)
    for component, quantity in components.items():
        KitComponent.objects.create(kit=kit, component=component, quantity=quantity)
    return kit


def stocked(sku: Sku, warehouse: Warehouse, quantity: int, seller=None):
    """Put ``quantity`` units on hand through the service (so the ledger agrees)."""
    from inventory.services import stock_receive

    return stock_receive(sku=sku, warehouse=warehouse, quantity=quantity, seller=seller, reference="test receipt")
