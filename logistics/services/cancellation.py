"""An order cancelled after it was released: its shipments leave the warehouse flow.

``orders.services.order_cancel`` calls ``order_shipments_cancel`` while it holds the order
lock, before it releases the order's reservations through the inventory service (picked
units included: reserved goes back to available). Shipped shipments are left alone.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import CANCELLABLE_STATES, ParcelState, ShipmentState
from ..locks import shipments_for_update
from ..models import Shipment

PICKED_STATES = (ShipmentState.PICKED, ShipmentState.PACKED, ShipmentState.LABELLED)


def order_shipments_cancel(order, *, actor=None, note: str = "") -> list[Shipment]:
    """Cancel every shipment of ``order`` not shipped yet; each records what the warehouse must undo.

    The caller holds the order row lock. Locks the shipments (pk order); a shipment leaves
    its wave; its parcels are cancelled. Returns the shipments cancelled.
    """
    now = timezone.now()
    cancelled = []
    for shipment in shipments_for_update(order.shipments.values_list("pk", flat=True)):
        if shipment.state not in CANCELLABLE_STATES:
            continue
        record = [
            _("The order was cancelled after its release to the warehouse (%(was)s).")
            % {"was": shipment.get_state_display()}
        ]
        if note.strip():
            record.append(note.strip().rstrip(".") + ".")
        if shipment.wave_id:
            record.append(_("Taken out of wave %(wave)s.") % {"wave": shipment.wave.code})
        if shipment.state in PICKED_STATES:
            units = ", ".join(
                f"{line.quantity} x {line.order_line.sku.code}"
                for line in shipment.lines.select_related("order_line__sku").order_by("pk")
            )
            record.append(
                _("Picked units go back to their bins: %(units)s (their reservations are released).") % {"units": units}
            )
        numbers = [
            number for number in shipment.parcels.order_by("number").values_list("tracking_number", flat=True) if number
        ]
        if numbers:
            record.append(
                _("Labels %(numbers)s are void: do not hand these parcels to the carrier.")
                % {"numbers": ", ".join(numbers)}
            )
        shipment.parcels.update(state=ParcelState.CANCELLED, updated_at=now)
        shipment.state, shipment.wave = ShipmentState.CANCELLED, None
        shipment.cancelled_at, shipment.cancellation_note = now, " ".join(record)
        shipment.save(update_fields=["state", "wave", "cancelled_at", "cancellation_note", "updated_at"])
        cancelled.append(shipment)
    return cancelled
