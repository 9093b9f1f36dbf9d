from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel
from sellers.enums import Platform

from .enums import HoldReason, OrderState


class Order(TimeStampedModel):
    """A buyer's order from one marketplace account; the raw payload is kept as received."""

    account = models.ForeignKey(
        "sellers.MarketplaceAccount", on_delete=models.PROTECT, related_name="orders", verbose_name=_("account")
    )
    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.PROTECT, related_name="orders", verbose_name=_("seller")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    external_id = models.CharField(_("marketplace order id"), max_length=128)
    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices, default=OrderState.RECEIVED)
    marketplace_status = models.CharField(_("marketplace status"), max_length=16)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=3)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    marketplace_updated_at = models.DateTimeField(_("updated at the marketplace"), null=True, blank=True)
    ship_name = models.CharField(_("recipient"), max_length=200)
    ship_address1 = models.CharField(_("address line 1"), max_length=300, blank=True)
    ship_address2 = models.CharField(_("address line 2"), max_length=300, blank=True)
    ship_city = models.CharField(_("city"), max_length=120, blank=True)
    ship_state = models.CharField(_("state / province"), max_length=120, blank=True)
    ship_postal_code = models.CharField(_("postal code"), max_length=32, blank=True)
    ship_country = models.CharField(_("country"), max_length=2, blank=True)
    ship_phone = models.CharField(_("phone"), max_length=64, blank=True)
    buyer_email = models.EmailField(_("buyer email"), blank=True)
    hold_reason = models.CharField(_("hold reason"), max_length=32, choices=HoldReason.choices, blank=True)
    hold_note = models.TextField(_("hold note"), blank=True)
    details_pending = models.BooleanField(
        _("details pending"),
        default=False,
        help_text=_(
            "Received from a marketplace notification that names the items but not the buyer or the address: "
            "the stock is reserved, and the order cannot be released to the warehouse until the full order "
            "arrives from the marketplace."
        ),
    )
    raw_payload = models.JSONField(_("raw payload"), default=dict)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        permissions = [("operate_order", _("Can hold, release and cancel orders"))]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="order_unique_per_account"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_non_negative"),
        ]
        indexes = [models.Index(fields=["seller", "state"], name="order_seller_state")]

    def __str__(self):
        return f"{self.get_platform_display()} {self.external_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    external_line_id = models.CharField(_("marketplace line id"), max_length=128)
    seller_sku = models.CharField(_("seller SKU"), max_length=128)
    listing = models.ForeignKey(
        "sellers.Listing", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("listing")
    )
    sku = models.ForeignKey(
        "inventory.Sku",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("SKU"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=3)
    title = models.CharField(_("title"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_line_id"], name="order_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.seller_sku}"

    @property
    def reservation_key(self) -> str:
        """The stable key the inventory service uses to make reservations idempotent per line."""
        return f"order-line:{self.pk}"


class OrderEvent(models.Model):
    """History of an order: every state change and every update applied from the marketplace."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order}: {self.from_state} -> {self.to_state}"
