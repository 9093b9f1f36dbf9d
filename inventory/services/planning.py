"""Production orders and inbound shipments: documents with lines of incoming stock, received line by line.

Each line says how many units of one SKU are expected and how many were received so far.
A receipt books the units through the ledger (one goods-receipt movement per line) and
moves the document on: partially received while units are outstanding, then completed /
received. Cancelling stops expecting what is outstanding; what was received stays.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import (
    INBOUND_TRANSITIONS,
    PRODUCTION_TRANSITIONS,
    InboundStatus,
    MovementKind,
    ProductionStatus,
)
from ..exceptions import InvalidQuantity, InvalidTransition
from ..models import InboundShipment, InboundShipmentLine, ProductionOrder, ProductionOrderLine
from ._core import positive_quantity, stocked_sku
from .stock import _book, _id, _warehouse


def _check_transition(record, target, transitions) -> None:
    if target not in transitions[record.status]:
        raise InvalidTransition(
            _("%(record)s is %(status)s and cannot become %(target)s.")
            % {"record": record, "status": record.get_status_display(), "target": type(target)(target).label}
        )


def _transition(model, pk, target, transitions):
    """Lock the record, check the transition against the table, set the new status."""
    record = model.objects.select_for_update(of=("self",)).get(pk=pk)
    _check_transition(record, target, transitions)
    record.status = target
    record.save(update_fields=["status", "updated_at"])
    return record


def _validated_lines(lines) -> list[tuple[int, int]]:
    """[(sku id, quantity)] from [(SKU or id, quantity)]: at least one, each SKU once, stockable, positive."""
    lines = list(lines)
    if not lines:
        raise InvalidQuantity(_("A document needs at least one line."))
    validated, seen = [], set()
    for sku, quantity in lines:
        quantity = positive_quantity(quantity)
        sku = stocked_sku(sku)
        if sku.pk in seen:
            raise InvalidQuantity(_("%(code)s appears on two lines; put its units on one.") % {"code": sku.code})
        seen.add(sku.pk)
        validated.append((sku.pk, quantity))
    return validated


def production_order_create(*, number: str, warehouse, eta, lines, seller=None, note="") -> ProductionOrder:
    """A planned production order; ``lines``: [(SKU or id, quantity)]."""
    return _document_create(
        ProductionOrder,
        ProductionOrderLine,
        "order",
        lines,
        number=number,
        warehouse=warehouse,
        eta=eta,
        seller=seller,
        note=note,
    )


def inbound_shipment_create(*, reference: str, warehouse, eta, lines, seller=None, carrier="") -> InboundShipment:
    """A shipment in transit; ``lines``: [(SKU or id, quantity)]."""
    return _document_create(
        InboundShipment,
        InboundShipmentLine,
        "shipment",
        lines,
        reference=reference,
        warehouse=warehouse,
        eta=eta,
        seller=seller,
        carrier=carrier,
    )


def _document_create(model, line_model, parent_field: str, lines, *, warehouse, seller, **fields):
    """The document and its validated lines, in one transaction."""
    lines = _validated_lines(lines)
    warehouse = _warehouse(warehouse)
    with transaction.atomic():
        document = model.objects.create(warehouse=warehouse, seller_id=_id(seller), **fields)
        line_model.objects.bulk_create(
            [line_model(**{parent_field: document}, sku_id=sku_id, quantity=quantity) for sku_id, quantity in lines]
        )
        return document


def production_order_start(*, order) -> ProductionOrder:
    with transaction.atomic():
        return _transition(ProductionOrder, order.pk, ProductionStatus.IN_PRODUCTION, PRODUCTION_TRANSITIONS)


def production_order_cancel(*, order) -> ProductionOrder:
    with transaction.atomic():
        return _transition(ProductionOrder, order.pk, ProductionStatus.CANCELLED, PRODUCTION_TRANSITIONS)


def inbound_shipment_cancel(*, shipment) -> InboundShipment:
    with transaction.atomic():
        return _transition(InboundShipment, shipment.pk, InboundStatus.CANCELLED, INBOUND_TRANSITIONS)


def production_order_receive(*, order, received=None, actor=None) -> ProductionOrder:
    """Finished goods arrive: ``received`` {SKU or id: units} (None: everything outstanding) are booked in.

    The order must be in production (or partially received already); it becomes
    partially received, or completed when nothing is outstanding.
    """
    return _receive(
        ProductionOrder,
        order.pk,
        received,
        actor=actor,
        partial=ProductionStatus.PARTIALLY_RECEIVED,
        done=ProductionStatus.COMPLETED,
        transitions=PRODUCTION_TRANSITIONS,
        reference_prefix="production",
    )


def production_order_complete(*, order, actor=None) -> ProductionOrder:
    """Receive everything outstanding: the order is completed."""
    return production_order_receive(order=order, actor=actor)


def inbound_shipment_receive(*, shipment, received=None, actor=None) -> InboundShipment:
    """The shipment (or part of it) arrives: ``received`` {SKU or id: units}, None for everything outstanding."""
    return _receive(
        InboundShipment,
        shipment.pk,
        received,
        actor=actor,
        partial=InboundStatus.PARTIALLY_RECEIVED,
        done=InboundStatus.RECEIVED,
        transitions=INBOUND_TRANSITIONS,
        reference_prefix="inbound",
    )


def _receive(model, pk, received, *, actor, partial, done, transitions, reference_prefix):
    """Lock the document, then its lines (pk order); validate; book the receipts; update lines and status."""
    with transaction.atomic():
        record = model.objects.select_for_update(of=("self",)).get(pk=pk)
        _check_transition(record, done, transitions)  # receivable at all (a last receipt would complete it)
        lines = {line.sku_id: line for line in record.lines.select_for_update().select_related("sku").order_by("pk")}
        if received is None:
            wanted = {sku_id: line.quantity_outstanding for sku_id, line in lines.items() if line.quantity_outstanding}
        else:
            wanted = {}
            for sku, quantity in received.items():
                line = lines.get(_id(sku))
                if line is None:
                    raise InvalidQuantity(
                        _("%(record)s has no line for SKU %(sku)s.") % {"record": record, "sku": _id(sku)}
                    )
                if quantity == 0:
                    continue
                if positive_quantity(quantity) > line.quantity_outstanding:
                    raise InvalidQuantity(
                        _("%(record)s expects %(outstanding)s more of %(code)s, not %(quantity)s.")
                        % {
                            "record": record,
                            "outstanding": line.quantity_outstanding,
                            "code": line.sku.code,
                            "quantity": quantity,
                        }
                    )
                wanted[line.sku_id] = quantity
        if not wanted:
            raise InvalidQuantity(_("Nothing to receive for %(record)s.") % {"record": record})
        for sku_id, quantity in wanted.items():
            lines[sku_id].quantity_received += quantity
        target = done if all(not line.quantity_outstanding for line in lines.values()) else partial
        _check_transition(record, target, transitions)
        _book(
            [
                (sku_id, record.warehouse_id, record.seller_id, MovementKind.RECEIPT, quantity, 0)
                for sku_id, quantity in sorted(wanted.items())
            ],
            actor=actor,
            reference=f"{reference_prefix}:{record}",
        )
        type(next(iter(lines.values()))).objects.bulk_update(
            [lines[sku_id] for sku_id in wanted], ["quantity_received"]
        )
        record.status = target
        record.save(update_fields=["status", "updated_at"])
        return record
