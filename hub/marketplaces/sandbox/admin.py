from django.conf import settings
from django.contrib import admin

from .models import (
    SandboxCall,
    SandboxDestination,
    SandboxFault,
    SandboxListing,
    SandboxOrder,
    SandboxQueueMessage,
    SandboxShop,
    SandboxSubscription,
    SandboxWebhook,
)


def _register(model):
    """Register only where the sandboxes are served (demo and tests)."""
    if settings.SANDBOX_ENABLED:
        return admin.register(model)
    return lambda model_admin: model_admin


@_register(SandboxShop)
class SandboxShopAdmin(admin.ModelAdmin):
    list_display = ["platform", "shop_id", "name", "region", "webhook_url"]
    list_filter = ["platform"]
    search_fields = ["shop_id", "name"]
    exclude = ["secrets"]


@_register(SandboxListing)
class SandboxListingAdmin(admin.ModelAdmin):
    list_display = ["seller_sku", "shop", "quantity", "listing_id", "variant_id", "updated_at"]
    list_filter = ["shop__platform", "shop"]
    search_fields = ["seller_sku", "listing_id", "variant_id"]


@_register(SandboxOrder)
class SandboxOrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "shop", "status", "created_at", "updated_at"]
    list_filter = ["shop__platform", "status"]
    search_fields = ["external_id"]


@_register(SandboxCall)
class SandboxCallAdmin(admin.ModelAdmin):
    list_display = ["at", "platform", "shop_id", "operation", "method", "path", "status_code", "items"]
    list_filter = ["platform", "operation", "status_code"]
    search_fields = ["path", "shop_id"]


@_register(SandboxFault)
class SandboxFaultAdmin(admin.ModelAdmin):
    list_display = ["platform", "shop_id", "operation", "kind", "remaining", "delay_seconds", "created_at"]
    list_filter = ["platform", "kind"]


@_register(SandboxWebhook)
class SandboxWebhookAdmin(admin.ModelAdmin):
    list_display = ["topic", "shop", "url", "attempts", "last_status", "delivered_at", "created_at"]
    list_filter = ["shop__platform", "topic", "last_status"]
    exclude = ["body"]


@_register(SandboxDestination)
class SandboxDestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "destination_id", "arn", "application", "created_at"]


@_register(SandboxSubscription)
class SandboxSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["shop", "notification_type", "subscription_id", "destination", "created_at"]
    list_filter = ["notification_type"]


@_register(SandboxQueueMessage)
class SandboxQueueMessageAdmin(admin.ModelAdmin):
    """Messages waiting in the sandbox's SQS queues (received ones reappear after their visibility timeout)."""

    list_display = ["message_id", "queue", "visible_at", "receive_count", "sent_at"]
    list_filter = ["queue"]
