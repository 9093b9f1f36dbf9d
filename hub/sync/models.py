from django.db import models
from django.utils.translation import gettext_lazy as _

from sellers.enums import Platform

from .enums import InboxSource, InboxState


class InboxMessage(models.Model):
    """A raw marketplace payload, stored before anything else happens to it."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    account = models.ForeignKey(
        "sellers.MarketplaceAccount", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("account")
    )
    source = models.CharField(_("source"), max_length=16, choices=InboxSource.choices)
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    external_id = models.CharField(_("marketplace order id"), max_length=128, blank=True, db_index=True)
    headers = models.JSONField(_("headers"), default=dict)
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=16, choices=InboxState.choices, default=InboxState.PENDING)
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "received_at"], name="inbox_state_received")]

    def __str__(self):
        return f"{self.platform} {self.source} {self.external_id or self.pk}"
