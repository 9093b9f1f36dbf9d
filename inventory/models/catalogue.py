from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel

from ..enums import WarehouseKind


class Product(TimeStampedModel):
    """A product family; its SKUs are the sellable variants."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Sku(TimeStampedModel):
    """One sellable variant, with what cross-border fulfilment and planning need."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus", verbose_name=_("product"))
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    barcode = models.CharField(_("barcode / GTIN"), max_length=32, blank=True, db_index=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"))
    length_mm = models.PositiveIntegerField(_("length (mm)"))
    width_mm = models.PositiveIntegerField(_("width (mm)"))
    height_mm = models.PositiveIntegerField(_("height (mm)"))
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    country_of_origin = models.CharField(_("country of origin"), max_length=2, default="CN")
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    cost_currency = models.CharField(_("cost currency"), max_length=3, default="CNY")
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    production_lead_days = models.PositiveSmallIntegerField(_("production lead time (days)"), default=7)
    material_lead_days = models.PositiveSmallIntegerField(_("raw-material lead time (days)"), default=7)
    min_batch = models.PositiveIntegerField(_("minimum production batch"), default=1)
    contains_battery = models.BooleanField(_("contains battery"), default=False)
    contains_liquid = models.BooleanField(_("contains liquid"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_kit = models.BooleanField(
        _("kit / bundle"),
        default=False,
        help_text=_("A kit holds no stock of its own: it is assembled from its components when picked."),
    )

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="sku_unit_cost_non_negative"),
            models.CheckConstraint(condition=models.Q(cost_currency__regex=r"^[A-Z]{3}$"), name="sku_currency_iso"),
            models.CheckConstraint(condition=models.Q(min_batch__gte=1), name="sku_min_batch_positive"),
        ]

    def __str__(self):
        return self.code


class Warehouse(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=WarehouseKind.choices, default=WarehouseKind.CENTRAL)
    country = models.CharField(_("country"), max_length=2)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text=_("Degrees north (negative: south). Empty: the centre of the warehouse's country."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text=_("Degrees east (negative: west). Empty: the centre of the warehouse's country."),
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90) | models.Q(latitude__isnull=True),
                name="warehouse_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180) | models.Q(longitude__isnull=True),
                name="warehouse_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="warehouse_coordinates_both_or_neither",
            ),
        ]

    def __str__(self):
        return self.name


class BinLocation(models.Model):
    """A pick location; codes sort in walk-path order (aisle-rack-shelf)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="bins", verbose_name=_("warehouse"))
    code = models.CharField(_("code"), max_length=32)
    sku = models.ForeignKey(
        Sku, on_delete=models.SET_NULL, null=True, blank=True, related_name="bins", verbose_name=_("SKU")
    )

    class Meta:
        verbose_name = _("bin location")
        verbose_name_plural = _("bin locations")
        ordering = ["warehouse", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="bin_unique_code_per_warehouse")]

    def __str__(self):
        return f"{self.warehouse.code}:{self.code}"


class KitComponent(models.Model):
    """One component of a kit SKU: ``quantity`` units of ``component`` per kit."""

    kit = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="components", verbose_name=_("kit"))
    component = models.ForeignKey(
        Sku, on_delete=models.PROTECT, related_name="used_in_kits", verbose_name=_("component")
    )
    quantity = models.PositiveIntegerField(_("quantity per kit"), default=1)

    class Meta:
        verbose_name = _("kit component")
        verbose_name_plural = _("kit components")
        ordering = ["kit", "component"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "component"], name="kit_component_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="kit_component_quantity_positive"),
            models.CheckConstraint(condition=~models.Q(kit=models.F("component")), name="kit_component_not_itself"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.component} in {self.kit}"
