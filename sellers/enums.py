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
