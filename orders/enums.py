from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ALLOCATED = "allocated", _("Allocated")
    BACKORDERED = "backordered", _("Backordered")
    ON_HOLD = "on_hold", _("On hold")
    RELEASED = "released", _("Released to the warehouse")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected (out of stock)")


S = OrderState
# state -> the states it may move to; every change goes through orders.services.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.ALLOCATED, S.BACKORDERED, S.ON_HOLD, S.CANCELLED, S.REJECTED}),
    S.ON_HOLD: frozenset({S.RECEIVED, S.ALLOCATED, S.BACKORDERED, S.CANCELLED, S.REJECTED}),
    S.BACKORDERED: frozenset({S.ALLOCATED, S.ON_HOLD, S.CANCELLED}),
    S.ALLOCATED: frozenset({S.RELEASED, S.ON_HOLD, S.CANCELLED}),
    S.RELEASED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
}
OPEN_STATES = frozenset({S.RECEIVED, S.ON_HOLD, S.BACKORDERED, S.ALLOCATED, S.RELEASED})


class HoldReason(models.TextChoices):
    UNKNOWN_SKU = "unknown_sku", _("A line's SKU is not mapped to a listing")
    CREDIT_LIMIT = "credit_limit", _("The seller is over its credit limit")
    DUPLICATE_SUSPECTED = "duplicate", _("Same buyer and items within minutes")
    UNUSUAL_QUANTITY = "unusual_quantity", _("Unusual quantity")
    INCOMPLETE_ADDRESS = "incomplete_address", _("Incomplete shipping address")
    MANUAL = "manual", _("Held by an operator")
