from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseKind(models.TextChoices):
    CENTRAL = "central", _("Central warehouse")
    RETURNS = "returns", _("Regional returns centre")
    CLOUD = "cloud", _("Third-party cloud warehouse")


class MovementKind(models.TextChoices):
    """Why a stock row's quantities changed; one ledger movement per change."""

    RECEIPT = "receipt", _("Goods receipt")
    ADJUSTMENT = "adjustment", _("Cycle-count adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    VIRTUAL_LOCK = "virtual_lock", _("Locked as virtual stock")
    VIRTUAL_RELEASE = "virtual_release", _("Virtual stock released to the pool")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Reservation released")
    SHIPMENT = "shipment", _("Shipment")
    RETURN_RESTOCK = "return_restock", _("Return restocked")


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    BACKORDERED = "backordered", _("Backordered")
    PICKED = "picked", _("Picked")
    SHIPPED = "shipped", _("Shipped")
    RELEASED = "released", _("Released")


# old status -> statuses it may move to
RESERVATION_TRANSITIONS = {
    ReservationStatus.RESERVED: {ReservationStatus.PICKED, ReservationStatus.RELEASED, ReservationStatus.SHIPPED},
    ReservationStatus.BACKORDERED: {
        ReservationStatus.RESERVED,
        ReservationStatus.PICKED,
        ReservationStatus.RELEASED,
        ReservationStatus.SHIPPED,
    },
    ReservationStatus.PICKED: {ReservationStatus.SHIPPED, ReservationStatus.RELEASED},
    ReservationStatus.SHIPPED: set(),
    ReservationStatus.RELEASED: set(),
}


class ProductionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PRODUCTION = "in_production", _("In production")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Receiving some lines (or part of a line) makes a document partially received; receiving the
# last outstanding unit completes it. Cancelling one that is partially received keeps what was
# received and stops expecting the rest.
PRODUCTION_TRANSITIONS = {
    ProductionStatus.PLANNED: {ProductionStatus.IN_PRODUCTION, ProductionStatus.CANCELLED},
    ProductionStatus.IN_PRODUCTION: {
        ProductionStatus.PARTIALLY_RECEIVED,
        ProductionStatus.COMPLETED,
        ProductionStatus.CANCELLED,
    },
    ProductionStatus.PARTIALLY_RECEIVED: {
        ProductionStatus.PARTIALLY_RECEIVED,
        ProductionStatus.COMPLETED,
        ProductionStatus.CANCELLED,
    },
    ProductionStatus.COMPLETED: set(),
    ProductionStatus.CANCELLED: set(),
}
# still to come: counted as "in production" for sellers
PRODUCTION_OPEN = (ProductionStatus.PLANNED, ProductionStatus.IN_PRODUCTION, ProductionStatus.PARTIALLY_RECEIVED)


class InboundStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


INBOUND_TRANSITIONS = {
    InboundStatus.IN_TRANSIT: {InboundStatus.PARTIALLY_RECEIVED, InboundStatus.RECEIVED, InboundStatus.CANCELLED},
    InboundStatus.PARTIALLY_RECEIVED: {
        InboundStatus.PARTIALLY_RECEIVED,
        InboundStatus.RECEIVED,
        InboundStatus.CANCELLED,
    },
    InboundStatus.RECEIVED: set(),
    InboundStatus.CANCELLED: set(),
}
# still to come: counted as "in transit" for sellers
INBOUND_OPEN = (InboundStatus.IN_TRANSIT, InboundStatus.PARTIALLY_RECEIVED)
