"""Incoming stock a seller must see: production orders and inbound shipments."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel

from ..enums import InboundStatus, ProductionStatus
from .catalogue import Sku, Warehouse


class IncomingStock(TimeStampedModel):
    """Units of one SKU expected in a warehouse by ``eta``, for the pool or one seller."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="%(class)s_set", verbose_name=_("SKU"))
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
    quantity = models.PositiveIntegerField(_("quantity"))
    eta = models.DateField(_("ETA"))

    class Meta:
        abstract = True


class ProductionOrder(IncomingStock):
    """A batch in (or planned for) the factory; received into ``warehouse`` on completion."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProductionStatus.choices, default=ProductionStatus.PLANNED
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        ordering = ["eta", "number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="production_quantity_positive"),
        ]

    def __str__(self):
        return self.number


class InboundShipment(IncomingStock):
    """Goods on their way to a warehouse (from the factory or between warehouses)."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=InboundStatus.choices, default=InboundStatus.IN_TRANSIT
    )

    class Meta:
        verbose_name = _("inbound shipment")
        verbose_name_plural = _("inbound shipments")
        ordering = ["eta", "reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="inbound_quantity_positive"),
        ]

    def __str__(self):
        return self.reference
