"""Allocation rules: how much of the stock each listing may advertise (see docs/allocation.md)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel
from sellers.enums import Platform


class AllocationRule(TimeStampedModel):
    """Buffers, caps and low-stock behaviour for the listings it matches.

    A listing takes the most specific active rule that matches it: account (4) +
    seller (2) + platform (1) points, ties to the lower id. No rule: no buffer, no cap.
    """

    name = models.CharField(_("name"), max_length=100)
    seller = models.ForeignKey(
        "sellers.Seller",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allocation_rules",
        verbose_name=_("seller"),
        help_text=_("Empty: every seller."),
    )
    platform = models.CharField(
        _("platform"), max_length=16, choices=Platform.choices, blank=True, help_text=_("Empty: every platform.")
    )
    account = models.ForeignKey(
        "sellers.MarketplaceAccount",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allocation_rules",
        verbose_name=_("marketplace account"),
        help_text=_("Empty: every account."),
    )
    is_priority = models.BooleanField(
        _("priority channel"),
        default=False,
        help_text=_("Keeps showing pool stock below the low-stock threshold."),
    )
    buffer_units = models.PositiveIntegerField(_("buffer (units)"), default=0)
    buffer_percent = models.DecimalField(
        _("buffer (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_per_listing = models.PositiveIntegerField(
        _("cap per listing"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    low_stock_threshold = models.PositiveIntegerField(
        _("low-stock threshold"),
        default=0,
        help_text=_(
            "When the pool has fewer available units than this, only priority channels and the "
            "highest-priority sellers advertise pool stock."
        ),
    )
    buffer_mode = models.CharField(
        _("buffer mode"),
        max_length=16,
        choices=[("static", _("Static: the units and percentage above")), ("adaptive", _("Adaptive"))],
        default="static",
        help_text=_(
            "Adaptive: at least the units likely to sell elsewhere before this channel hears of it, "
            "from the SKU's recent order velocity and the channel's measured detection and push latency."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(buffer_percent__gte=0) & models.Q(buffer_percent__lte=100),
                name="rule_buffer_percent_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def specificity(self) -> int:
        return (4 if self.account_id else 0) + (2 if self.seller_id else 0) + (1 if self.platform else 0)


class AdaptiveBuffer(models.Model):
    """The adaptive buffer of a SKU on one platform, recomputed on a schedule (see docs/allocation.md).

    units = ceil(units sold per second, all platforms * (detection p95 + push p95 to this platform))
    """

    sku = models.ForeignKey("inventory.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    units = models.PositiveIntegerField(_("buffer (units)"))
    units_sold = models.PositiveIntegerField(_("units sold in the window"))
    window_hours = models.PositiveSmallIntegerField(_("window (hours)"))
    detection_seconds = models.FloatField(_("detection latency p95 (s)"))
    push_seconds = models.FloatField(_("push latency p95 (s)"))
    reasoning = models.TextField(_("reasoning"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("adaptive buffer")
        verbose_name_plural = _("adaptive buffers")
        ordering = ["sku", "platform"]
        constraints = [models.UniqueConstraint(fields=["sku", "platform"], name="adaptive_buffer_unique")]

    def __str__(self):
        return f"{self.sku_id}@{self.platform}: {self.units}"
