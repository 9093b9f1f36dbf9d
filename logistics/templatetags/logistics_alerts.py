"""The warehouse's alerts for operators' pages (the admin index, the shipments list)."""

from django import template
from django.urls import reverse

from .. import selectors

register = template.Library()


@register.inclusion_tag("admin/logistics/alerts.html")
def logistics_alerts():
    shipments = reverse("admin:logistics_shipment_changelist")
    return {
        "stale_count": selectors.stale_shipment_count(),
        "stale_url": f"{shipments}?stale=yes",
        "failed_push_count": selectors.failed_push_count(),
        "failed_push_url": f"{shipments}?push_state__exact=failed",
        "stale_days": selectors.stale_days(),
    }
