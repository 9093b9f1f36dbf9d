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
    # Taken by a run processing a batch of pending messages until then (``hub.sync.inbox``); a claim left by a
    # worker that died lapses, and the sweep queues the message again.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "received_at"], name="inbox_state_received")]

    def __str__(self):
        return f"{self.platform} {self.source} {self.external_id or self.pk}"


class StockChange(models.Model):
    """The transactional outbox: one row per SKU whose stock changed, written in the changing transaction.

    Nothing is lost if Redis or a worker dies: the dispatcher drains what is unprocessed.
    """

    sku = models.ForeignKey("inventory.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    created_at = models.DateTimeField(_("committed at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock change")
        verbose_name_plural = _("stock changes")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True), name="stockchange_pending"),
        ]

    def __str__(self):
        return f"{self.sku_id} @ {self.created_at:%H:%M:%S.%f}"


class PushPriority(models.IntegerChoices):
    URGENT = 0, _("Urgent: a decrease at low stock")
    DECREASE = 1, _("Decrease")
    INCREASE = 2, _("Increase")


class ListingPush(models.Model):
    """What one listing should show, and what the marketplace last acknowledged.

    ``version`` grows each time the target changes; a push acknowledged for an older
    version never marks a newer target as done, so an older quantity cannot win.
    """

    listing = models.OneToOneField(
        "sellers.Listing", on_delete=models.CASCADE, related_name="push", verbose_name=_("listing")
    )
    account = models.ForeignKey(
        "sellers.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    target_quantity = models.PositiveIntegerField(_("target quantity"))
    version = models.PositiveBigIntegerField(_("version"), default=0)
    pushed_version = models.PositiveBigIntegerField(_("pushed version"), default=0)
    pushed_quantity = models.PositiveIntegerField(_("pushed quantity"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PushPriority.choices, default=2)
    changed_at = models.DateTimeField(_("oldest unpushed change"), null=True, blank=True)
    targeted_at = models.DateTimeField(_("target computed"), null=True, blank=True)
    picked_at = models.DateTimeField(_("picked by the dispatcher"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acked_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("listing push")
        verbose_name_plural = _("listing pushes")
        indexes = [models.Index(fields=["account", "priority", "changed_at"], name="listingpush_queue")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pushed_version__lte=models.F("version")), name="push_version_order"
            )
        ]

    def __str__(self):
        return f"{self.listing_id} -> {self.target_quantity} (v{self.version})"

    @property
    def is_pending(self) -> bool:
        return self.pushed_version < self.version


class PushLog(models.Model):
    """One quantity sent for one listing, with its stage timestamps, to explain a slow run."""

    listing = models.ForeignKey(
        "sellers.Listing", on_delete=models.CASCADE, related_name="+", verbose_name=_("listing")
    )
    account = models.ForeignKey(
        "sellers.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    version = models.PositiveBigIntegerField(_("version"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PushPriority.choices, null=True)
    changed_at = models.DateTimeField(_("change committed"), null=True)
    targeted_at = models.DateTimeField(_("target computed"), null=True)
    picked_at = models.DateTimeField(_("picked by the dispatcher"), null=True)
    sent_at = models.DateTimeField(_("sent"))
    acked_at = models.DateTimeField(_("acknowledged"), null=True)
    outcome = models.CharField(_("outcome"), max_length=16)  # ok, throttled, error
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("push log")
        verbose_name_plural = _("push logs")
        indexes = [models.Index(fields=["account", "sent_at"], name="pushlog_account_sent")]

    def __str__(self):
        return f"{self.listing_id}={self.quantity} {self.outcome}"


class SyncEventKind(models.TextChoices):
    PULL_OK = "pull_ok", _("Pull succeeded")
    PUSH_OK = "push_ok", _("Push succeeded")
    THROTTLED = "throttled", _("Throttled")
    ERROR = "error", _("Error")
    DRIFT = "drift", _("Drift corrected")


class AccountSyncState(models.Model):
    """Per account: when it last pulled and pushed, and its recent trouble (the sync health page)."""

    account = models.OneToOneField(
        "sellers.MarketplaceAccount", on_delete=models.CASCADE, related_name="sync_state", verbose_name=_("account")
    )
    last_pull_at = models.DateTimeField(_("last successful pull"), null=True, blank=True)
    last_push_at = models.DateTimeField(_("last successful push"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    drift_found = models.PositiveIntegerField(_("drift corrected (total)"), default=0)
    max_lag_seconds = models.PositiveIntegerField(
        _("alert when lag passes (s)"), default=300, help_text=_("Operators set this per account.")
    )
    alert_open = models.BooleanField(_("alert open"), default=False)

    class Meta:
        verbose_name = _("account sync state")
        verbose_name_plural = _("account sync states")

    def __str__(self):
        return str(self.account)


class SyncEvent(models.Model):
    """Counted events per account (throttles, errors) for "the last hour" figures."""

    account = models.ForeignKey(
        "sellers.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SyncEventKind.choices)
    detail = models.TextField(_("detail"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sync event")
        verbose_name_plural = _("sync events")
        indexes = [models.Index(fields=["account", "kind", "at"], name="syncevent_account_kind_at")]

    def __str__(self):
        return f"{self.account_id} {self.kind}"
