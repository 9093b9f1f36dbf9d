"""State of the fake marketplaces: shops, their listings and orders, calls received, faults to inject.

One set of tables serves every platform; ``data`` fields hold what only one platform has.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sellers.enums import Platform


class SandboxShop(models.Model):
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    shop_id = models.CharField(_("shop id"), max_length=128)
    region = models.CharField(_("region"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # App credentials and currently valid tokens, as the platform would know them.
    secrets = models.JSONField(_("secrets"), default=dict, blank=True)
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    data = models.JSONField(_("platform data"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox shop")
        verbose_name_plural = _("sandbox shops")
        constraints = [models.UniqueConstraint(fields=["platform", "shop_id"], name="sandbox_shop_unique")]

    def __str__(self):
        return f"{self.platform}:{self.shop_id}"


class SandboxListing(models.Model):
    shop = models.ForeignKey(SandboxShop, on_delete=models.CASCADE, related_name="listings")
    seller_sku = models.CharField(max_length=128)
    listing_id = models.CharField(max_length=128, blank=True)
    variant_id = models.CharField(max_length=128, blank=True)
    inventory_id = models.CharField(max_length=128, blank=True)
    title = models.CharField(max_length=300, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    quantity = models.IntegerField(default=0)
    revisions = models.JSONField(default=dict, blank=True)  # {"YYYY-MM-DD": count} for daily revision caps
    updated_at = models.DateTimeField(auto_now=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sandbox listing")
        verbose_name_plural = _("sandbox listings")
        constraints = [
            models.UniqueConstraint(fields=["shop", "seller_sku"], name="sandbox_listing_unique_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="sandbox_listing_quantity_non_negative"),
        ]

    def __str__(self):
        return f"{self.shop}:{self.seller_sku}={self.quantity}"


class SandboxOrder(models.Model):
    shop = models.ForeignKey(SandboxShop, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(max_length=128)
    status = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(db_index=True)
    payload = models.JSONField()  # the order exactly as the platform's API returns it
    shipments = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("sandbox order")
        verbose_name_plural = _("sandbox orders")
        constraints = [models.UniqueConstraint(fields=["shop", "external_id"], name="sandbox_order_unique")]
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.shop}:{self.external_id}"


class SandboxCall(models.Model):
    """Every API call a sandbox received, for counting what a sync costs."""

    platform = models.CharField(max_length=16, db_index=True)
    shop_id = models.CharField(max_length=128, blank=True)
    operation = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    items = models.PositiveIntegerField(default=0)  # listings touched, for batch calls
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sandbox call")
        verbose_name_plural = _("sandbox calls")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.platform} {self.method} {self.path} -> {self.status_code}"


class FaultKind(models.TextChoices):
    SERVER_ERROR = "server_error", _("Server error (HTTP 500)")
    UNAVAILABLE = "unavailable", _("Service unavailable (HTTP 503)")
    SLOW = "slow", _("Slow response")
    THROTTLE = "throttle", _("Throttle (the platform's rate-limit answer)")
    MALFORMED = "malformed", _("Malformed response body")
    DUPLICATE_WEBHOOK = "duplicate_webhook", _("Deliver each webhook twice")
    REORDER_WEBHOOK = "reorder_webhook", _("Deliver webhooks out of order")
    MALFORMED_WEBHOOK = "malformed_webhook", _("Deliver a malformed webhook")
    DUPLICATE_NOTIFICATION = "duplicate_notification", _("Enqueue each queue notification twice")
    REORDER_NOTIFICATION = "reorder_notification", _("Make queue notifications visible late (out of order)")


class SandboxFault(models.Model):
    """A fault the sandbox injects into its next ``remaining`` matching calls."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    shop_id = models.CharField(max_length=128, blank=True, help_text=_("Empty: every shop of the platform."))
    operation = models.CharField(max_length=64, blank=True, help_text=_("Empty: every operation."))
    kind = models.CharField(max_length=32, choices=FaultKind.choices)
    remaining = models.PositiveIntegerField(default=1)
    delay_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox fault")
        verbose_name_plural = _("sandbox faults")

    def __str__(self):
        return f"{self.platform}:{self.kind} x{self.remaining}"


class SandboxWebhook(models.Model):
    """A push the sandbox delivers (or delivered) to the hub, signed as the platform signs it."""

    shop = models.ForeignKey(SandboxShop, on_delete=models.CASCADE, related_name="webhooks")
    topic = models.CharField(max_length=64)
    url = models.URLField()
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox webhook")
        verbose_name_plural = _("sandbox webhooks")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.topic} -> {self.url}"


class SandboxDestination(models.Model):
    """A notification destination an application registered (SP-API createDestination: an SQS queue ARN)."""

    application = models.CharField(max_length=128, help_text=_("The application's LWA client id."))
    destination_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=256)
    arn = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox notification destination")
        verbose_name_plural = _("sandbox notification destinations")
        constraints = [models.UniqueConstraint(fields=["application", "arn"], name="sandbox_destination_unique_arn")]

    def __str__(self):
        return f"{self.name} -> {self.arn}"


class SandboxSubscription(models.Model):
    """A seller's subscription to one notification type, delivered to one destination."""

    shop = models.ForeignKey(SandboxShop, on_delete=models.CASCADE, related_name="subscriptions")
    notification_type = models.CharField(max_length=64)
    subscription_id = models.CharField(max_length=64, unique=True)
    payload_version = models.CharField(max_length=16)
    destination = models.ForeignKey(SandboxDestination, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox notification subscription")
        verbose_name_plural = _("sandbox notification subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["shop", "notification_type"], name="sandbox_subscription_unique_type")
        ]

    def __str__(self):
        return f"{self.shop}:{self.notification_type}"


class SandboxQueueMessage(models.Model):
    """One message in a sandbox SQS queue (``queue`` is "<account id>:<queue name>").

    A receive hides it until ``visible_at`` (the visibility timeout) under a new receipt handle;
    only a delete with the current handle removes it, so an unacknowledged message comes back.
    """

    queue = models.CharField(max_length=200)
    message_id = models.UUIDField(unique=True)
    body = models.TextField()
    visible_at = models.DateTimeField()
    receipt_handle = models.CharField(max_length=128, blank=True, db_index=True)
    receive_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox queue message")
        verbose_name_plural = _("sandbox queue messages")
        indexes = [models.Index(fields=["queue", "visible_at"], name="sandbox_queue_visible")]

    def __str__(self):
        return f"{self.queue}:{self.message_id}"
