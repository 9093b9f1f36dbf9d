from django.db import models
from django.utils.translation import gettext_lazy as _

from sellers.enums import SplitPolicy  # noqa: F401 - a seller's setting now; importable from here too


class ServiceLeg(models.TextChoices):
    """Which part of the journey a carrier service covers; parcels are booked on door-to-door services."""

    FIRST_MILE = "first_mile", _("First mile (warehouse to hub)")
    LINE_HAUL = "line_haul", _("Line haul (cross-border)")
    LAST_MILE = "last_mile", _("Last mile (to the buyer)")
    DOOR_TO_DOOR = "door_to_door", _("Door to door")


BOOKABLE_LEGS = (ServiceLeg.LAST_MILE, ServiceLeg.DOOR_TO_DOOR)


class ShipmentState(models.TextChoices):
    ROUTED = "routed", _("Routed to a warehouse")
    WAVED = "waved", _("In a pick wave")
    PICKED = "picked", _("Picked")
    PACKED = "packed", _("Packed")
    LABELLED = "labelled", _("Labelled")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled (order cancelled)")


S = ShipmentState
SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ROUTED: frozenset({S.WAVED, S.CANCELLED}),
    S.WAVED: frozenset({S.PICKED, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.LABELLED, S.CANCELLED}),
    S.LABELLED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}
CANCELLABLE_STATES = frozenset(state for state, targets in SHIPMENT_TRANSITIONS.items() if S.CANCELLED in targets)


class ParcelState(models.TextChoices):
    OPEN = "open", _("Open (being packed)")
    CLOSED = "closed", _("Closed (weighed and measured)")
    LABELLED = "labelled", _("Labelled")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class WaveKind(models.TextChoices):
    SINGLE_ITEM = "single", _("Single-item orders")
    MULTI_ITEM = "multi", _("Multi-item orders")


class WaveState(models.TextChoices):
    OPEN = "open", _("Open (to pick)")
    PICKED = "picked", _("Picked")


class PushState(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    QUEUED = "queued", _("Queued")
    PUSHED = "pushed", _("Shown at the marketplace")
    FAILED = "failed", _("Failed")


class TrackingStatus(models.TextChoices):
    INFO_RECEIVED = "info_received", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
