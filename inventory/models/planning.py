"""Incoming stock a seller must see: production orders and inbound shipments, each a document with lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel

from ..enums import InboundStatus, ProductionStatus
from .catalogue import Sku, Warehouse


class IncomingStock(TimeStampedModel):
    """Units expected in a warehouse by ``eta``, for the pool or one seller; the SKUs are on the lines."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="%(class)s_set", verbose_name=_("destination")
    )
    seller = models.ForeignKey(
        "sellers.Seller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("for seller's virtual stock"),
        help_text=_("Empty: the units go to the shared pool."),
    )
    eta = models.DateField(_("ETA"))

    class Meta:
        abstract = True


class IncomingLine(models.Model):
    """``quantity`` units of one SKU expected; ``quantity_received`` of them booked in so far."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="%(class)s_set", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_received = models.PositiveIntegerField(_("received"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.quantity} x {self.sku}"

    @property
    def quantity_outstanding(self) -> int:
        return self.quantity - self.quantity_received


class ProductionOrder(IncomingStock):
    """A batch in (or planned for) the factory; its finished goods are received into ``warehouse``."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=24, choices=ProductionStatus.choices, default=ProductionStatus.PLANNED
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        ordering = ["eta", "number"]

    def __str__(self):
        return self.number


class ProductionOrderLine(IncomingLine):
    order = models.ForeignKey(
        ProductionOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("production order")
    )

    class Meta:
        verbose_name = _("production order line")
        verbose_name_plural = _("production order lines")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="production_line_unique_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="production_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(quantity_received__lte=models.F("quantity")),
                name="production_line_received_within_quantity",
            ),
        ]


class InboundShipment(IncomingStock):
    """Goods on their way to a warehouse (from the factory or between warehouses)."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=InboundStatus.choices, default=InboundStatus.IN_TRANSIT
    )

    class Meta:
        verbose_name = _("inbound shipment")
        verbose_name_plural = _("inbound shipments")
        ordering = ["eta", "reference"]

    def __str__(self):
        return self.reference


class InboundShipmentLine(IncomingLine):
    shipment = models.ForeignKey(
        InboundShipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("inbound shipment")
    )

    class Meta:
        verbose_name = _("inbound shipment line")
        verbose_name_plural = _("inbound shipment lines")
        ordering = ["shipment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "sku"], name="inbound_line_unique_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="inbound_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(quantity_received__lte=models.F("quantity")),
                name="inbound_line_received_within_quantity",
            ),
        ]
