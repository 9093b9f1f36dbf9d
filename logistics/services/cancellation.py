"""An order cancelled after it was released: its shipments leave the warehouse flow.

``orders.services.order_cancel`` calls ``order_shipments_cancel`` while it holds the order
lock, before it releases the order's reservations through the inventory service (picked
units included: reserved goes back to available). Shipped shipments are left alone.
"""

import functools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..carriers import carrier_adapter
from ..enums import CANCELLABLE_STATES, ParcelState, ShipmentState
from ..locks import shipments_for_update
from ..models import Parcel, Shipment

PICKED_STATES = (ShipmentState.PICKED, ShipmentState.PACKED, ShipmentState.LABELLED)


def order_shipments_cancel(order, *, actor=None, note: str = "") -> list[Shipment]:
    """Cancel every shipment of ``order`` not shipped yet; each records what the warehouse must undo.

    The caller holds the order row lock. Locks the shipments (pk order); a shipment leaves
    its wave; its parcels are cancelled. A shipment with labels has them voided at the carrier
    by a task after commit. Returns the shipments cancelled.
    """
    from ..tasks import shipment_labels_void_task

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
            transaction.on_commit(functools.partial(shipment_labels_void_task.delay, shipment.pk))
        shipment.parcels.update(state=ParcelState.CANCELLED, updated_at=now)
        shipment.state, shipment.wave = ShipmentState.CANCELLED, None
        shipment.cancelled_at, shipment.cancellation_note = now, " ".join(record)
        shipment.save(update_fields=["state", "wave", "cancelled_at", "cancellation_note", "updated_at"])
        cancelled.append(shipment)
    return cancelled


def shipment_labels_void(shipment_id: int) -> int:
    """Tell the carrier that the labels of a cancelled shipment are void; returns how many were voided now.

    Called by a task after the cancellation commits, outside any lock; a parcel already voided
    is skipped, so a retry voids only the rest. A carrier error propagates for the task.
    """
    shipment = Shipment.objects.select_related("service__carrier").get(pk=shipment_id)
    if shipment.state != ShipmentState.CANCELLED or shipment.service is None:
        return 0
    pending = shipment.parcels.filter(label_voided_at__isnull=True).exclude(tracking_number="").order_by("number")
    adapter = carrier_adapter(shipment.service.carrier)
    voided = 0
    for parcel in pending:
        adapter.cancel(parcel.tracking_number)
        voided += Parcel.objects.filter(pk=parcel.pk, label_voided_at__isnull=True).update(
            label_voided_at=timezone.now()
        )
    return voided
