from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel

from .enums import MemberRole, ShortagePolicy


class Seller(TimeStampedModel):
    """A cross-border seller who lists the manufacturer's goods on marketplaces."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))
    currency = models.CharField(_("billing currency"), max_length=3, default="USD")
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers keep stock longer when it runs low.")
    )
    shortage_policy = models.CharField(
        _("shortage policy"), max_length=16, choices=ShortagePolicy.choices, default=ShortagePolicy.BACKORDER
    )
    may_draw_on_pool = models.BooleanField(
        _("may draw on the shared pool"),
        default=True,
        help_text=_("When its virtual stock runs out, orders may take units from the shared pool."),
    )
    promised_delivery_days = models.PositiveSmallIntegerField(_("promised delivery days"), default=10)

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="seller_country_iso2"),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="seller_currency_iso"),
        ]

    def __str__(self):
        return self.name


class SellerMember(TimeStampedModel):
    """A user's membership of one seller account; a user belongs to at most one seller."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="members", verbose_name=_("seller"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_membership", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.STAFF)

    class Meta:
        verbose_name = _("seller member")
        verbose_name_plural = _("seller members")
        ordering = ["seller", "user"]

    def __str__(self):
        return f"{self.user} @ {self.seller} ({self.get_role_display()})"
