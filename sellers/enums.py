from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class ShortagePolicy(models.TextChoices):
    """What happens to an order line when stock is short."""

    REJECT = "reject", _("Reject the order")
    BACKORDER = "backorder", _("Backorder the missing units")
    PARTIAL = "partial", _("Reserve what is available, backorder the rest")


class Platform(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    AMAZON = "amazon", "Amazon"
    EBAY = "ebay", "eBay"
    SHOPEE = "shopee", "Shopee"
    ALIEXPRESS = "aliexpress", "AliExpress"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    AUTH_FAILED = "auth_failed", _("Authorisation failed")
    DISCONNECTED = "disconnected", _("Disconnected")


class ListingSyncState(models.TextChoices):
    PENDING = "pending", _("Waiting to push")
    IN_SYNC = "in_sync", _("In sync")
    ERROR = "error", _("Error")


class SplitPolicy(models.TextChoices):
    """How an order whose units sit in several warehouses is shipped."""

    SPLIT = "split", _("One shipment per warehouse")
    SINGLE = "single", _("Ship only from one warehouse; refuse a split")
