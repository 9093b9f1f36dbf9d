from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.fields import EncryptedJSONField
from hub.core.models import TimeStampedModel

from .enums import AccountStatus, ListingSyncState, MemberRole, Platform, ShortagePolicy, SplitPolicy


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
    split_policy = models.CharField(
        _("split policy"),
        max_length=16,
        choices=SplitPolicy.choices,
        blank=True,
        help_text=_("When an order's units sit in several warehouses. Empty: the hub's default."),
    )

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


class MarketplaceAccount(TimeStampedModel):
    """A seller's shop on one marketplace, with encrypted credentials and sync cursors.

    ``base_url`` empty means the platform's real API; the demo and tests point it at
    the sandbox. ``settings`` holds non-secret platform options (API version, site id).
    """

    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="marketplace_accounts", verbose_name=_("seller")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=200)
    shop_id = models.CharField(_("shop / seller id"), max_length=128)
    region = models.CharField(_("region / marketplace id"), max_length=64, blank=True)
    base_url = models.URLField(_("API base URL"), blank=True, help_text=_("Empty: the platform's real API."))
    credentials = EncryptedJSONField(_("credentials"), blank=True, default=dict, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    cursors = models.JSONField(_("sync cursors"), default=dict, blank=True)
    webhook_secret = EncryptedJSONField(_("webhook secret"), blank=True, default=dict, editable=False)

    class Meta:
        verbose_name = _("marketplace account")
        verbose_name_plural = _("marketplace accounts")
        ordering = ["seller", "platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "shop_id", "region"], name="account_unique_shop"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} · {self.name}"


class Listing(TimeStampedModel):
    """One SKU listed on one marketplace account, with what the hub last pushed to it."""

    account = models.ForeignKey(
        MarketplaceAccount, on_delete=models.CASCADE, related_name="listings", verbose_name=_("account")
    )
    sku = models.ForeignKey("inventory.Sku", on_delete=models.PROTECT, related_name="listings", verbose_name=_("SKU"))
    seller_sku = models.CharField(_("seller SKU on the platform"), max_length=128)
    external_listing_id = models.CharField(_("listing / item id"), max_length=128, blank=True)
    external_variant_id = models.CharField(_("variant / model id"), max_length=128, blank=True)
    external_inventory_id = models.CharField(_("inventory item id"), max_length=128, blank=True)
    extra = models.JSONField(_("platform data"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_pushed_quantity = models.IntegerField(_("last pushed quantity"), null=True, blank=True)
    last_pushed_at = models.DateTimeField(_("last pushed at"), null=True, blank=True)
    sync_state = models.CharField(
        _("sync state"), max_length=16, choices=ListingSyncState.choices, default=ListingSyncState.PENDING
    )
    sync_error = models.TextField(_("last sync error"), blank=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["account", "seller_sku"]
        constraints = [
            models.UniqueConstraint(fields=["account", "seller_sku"], name="listing_unique_seller_sku"),
            models.CheckConstraint(
                condition=models.Q(last_pushed_quantity__isnull=True) | models.Q(last_pushed_quantity__gte=0),
                name="listing_pushed_quantity_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["sku", "account"], name="listing_sku_account")]

    def __str__(self):
        return f"{self.seller_sku} @ {self.account}"
