"""Production orders and inbound shipments: incoming stock, booked into a warehouse on arrival."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import INBOUND_TRANSITIONS, PRODUCTION_TRANSITIONS, InboundStatus, ProductionStatus
from ..exceptions import InvalidTransition
from ..models import InboundShipment, ProductionOrder
from ._core import positive_quantity, stocked_sku
from .stock import stock_receive


def _transition(model, pk, target, transitions):
    """Lock the record, check the transition against the table, set the new status."""
    record = model.objects.select_for_update(of=("self",)).get(pk=pk)
    if target not in transitions[record.status]:
        raise InvalidTransition(
            _("%(record)s is %(status)s and cannot become %(target)s.")
            % {"record": record, "status": record.get_status_display(), "target": type(target)(target).label}
        )
    record.status = target
    record.save(update_fields=["status", "updated_at"])
    return record


def production_order_create(*, number: str, sku, warehouse, quantity, eta, seller=None, note="") -> ProductionOrder:
    quantity = positive_quantity(quantity)
    sku = stocked_sku(sku)
    return ProductionOrder.objects.create(
        number=number, sku=sku, warehouse=warehouse, seller=seller, quantity=quantity, eta=eta, note=note
    )


def production_order_start(*, order) -> ProductionOrder:
    with transaction.atomic():
        return _transition(ProductionOrder, order.pk, ProductionStatus.IN_PRODUCTION, PRODUCTION_TRANSITIONS)


def production_order_cancel(*, order) -> ProductionOrder:
    with transaction.atomic():
        return _transition(ProductionOrder, order.pk, ProductionStatus.CANCELLED, PRODUCTION_TRANSITIONS)


def production_order_complete(*, order, actor=None) -> ProductionOrder:
    """Finished goods arrive: the order is completed and its units received, in one transaction."""
    with transaction.atomic():
        order = _transition(ProductionOrder, order.pk, ProductionStatus.COMPLETED, PRODUCTION_TRANSITIONS)
        stock_receive(
            sku=order.sku_id,
            warehouse=order.warehouse_id,
            seller=order.seller_id,
            quantity=order.quantity,
            actor=actor,
            reference=f"production:{order.number}",
        )
        return order


def inbound_shipment_create(*, reference: str, sku, warehouse, quantity, eta, seller=None, carrier=""):
    quantity = positive_quantity(quantity)
    sku = stocked_sku(sku)
    return InboundShipment.objects.create(
        reference=reference, sku=sku, warehouse=warehouse, seller=seller, quantity=quantity, eta=eta, carrier=carrier
    )


def inbound_shipment_receive(*, shipment, actor=None) -> InboundShipment:
    """The shipment arrives: marked received and its units booked in, in one transaction."""
    with transaction.atomic():
        shipment = _transition(InboundShipment, shipment.pk, InboundStatus.RECEIVED, INBOUND_TRANSITIONS)
        stock_receive(
            sku=shipment.sku_id,
            warehouse=shipment.warehouse_id,
            seller=shipment.seller_id,
            quantity=shipment.quantity,
            actor=actor,
            reference=f"inbound:{shipment.reference}",
        )
        return shipment


def inbound_shipment_cancel(*, shipment) -> InboundShipment:
    with transaction.atomic():
        return _transition(InboundShipment, shipment.pk, InboundStatus.CANCELLED, INBOUND_TRANSITIONS)
