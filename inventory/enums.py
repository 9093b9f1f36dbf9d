from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseKind(models.TextChoices):
    CENTRAL = "central", _("Central warehouse")
    RETURNS = "returns", _("Regional returns centre")
    CLOUD = "cloud", _("Third-party cloud warehouse")
