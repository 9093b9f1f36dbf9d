from django.db import models
from django.utils.translation import gettext_lazy as _


class InboxSource(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    PULL = "pull", _("Scheduled pull")
    NOTIFICATION = "notification", _("Queue notification")


class InboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (not newer than what the hub has)")
    FAILED = "failed", _("Failed")
