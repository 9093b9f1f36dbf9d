"""Routing: which warehouse ships each line of an order, and which carrier service carries it.

The reservation already decided where the units are held (the seller's virtual stock first,
then the shared pool warehouse nearest to the destination); routing reads those allocations,
so the warehouse that ships is the one whose stock was reserved, and records why, with the
reason each allocation gave.
"""

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from inventory.models import ReservationAllocation
from orders.enums import OrderState
from orders.services import order_release_to_warehouse

from ..enums import ParcelState, ShipmentState, SplitPolicy
from ..exceptions import NoEligibleService, RoutingError, ShipmentStateError
from ..locks import orders_for_update, shipments_for_update
from ..models import CarrierService, Parcel, Shipment, ShipmentLine
from ..rates import Choice, ParcelSpec, Quote, bookable_services, quote, service_choose

EDITABLE_SERVICE_STATES = (ShipmentState.ROUTED, ShipmentState.WAVED, ShipmentState.PICKED, ShipmentState.PACKED)


def split_policy() -> str:
    return getattr(settings, "LOGISTICS_SPLIT_POLICY", SplitPolicy.SPLIT)


def order_route(order_id: int, *, actor=None, policy: str | None = None) -> list[Shipment]:
    """Route an allocated order and release it to the warehouse.

    1. Lock the order; it must be allocated and not routed yet.
    2. Read each line's reservation allocations: the warehouse holding its units.
       A line held in two warehouses is refused (transfer the stock first).
    3. More than one warehouse: the split policy decides (one shipment each, or refuse):
       the caller's, else the seller's, else the hub's ``LOGISTICS_SPLIT_POLICY``.
    4. Create one shipment per warehouse with the reason, choose its service from the
       estimated parcel, and move the order to released.
    """
    with transaction.atomic():
        order = orders_for_update([order_id])[order_id]
        policy = policy or order.seller.split_policy or split_policy()
        if order.state != OrderState.ALLOCATED:
            raise RoutingError(
                _("Order %(order)s is %(state)s; only allocated orders can be routed.")
                % {"order": order.external_id, "state": order.get_state_display()}
            )
        lines = list(order.lines.select_related("sku").order_by("pk"))
        allocations, why = defaultdict(list), defaultdict(list)
        for allocation in ReservationAllocation.objects.filter(
            reservation__line_key__in=[line.reservation_key for line in lines], quantity__gt=0
        ).select_related("stock__warehouse", "reservation"):
            allocations[allocation.reservation.line_key].append(allocation.stock)
            if allocation.reason and allocation.reason not in why[allocation.stock.warehouse]:
                why[allocation.stock.warehouse].append(allocation.reason)
        by_warehouse, virtual = defaultdict(list), defaultdict(bool)
        for line in lines:
            rows = allocations.get(line.reservation_key, [])
            warehouses = {row.warehouse for row in rows}
            if len(warehouses) != 1:
                raise RoutingError(
                    _("Line %(sku)s of order %(order)s is held in %(count)s warehouses; transfer its stock first.")
                    % {"sku": line.seller_sku, "order": order.external_id, "count": len(warehouses)}
                )
            warehouse = warehouses.pop()
            by_warehouse[warehouse].append(line)
            virtual[warehouse] |= any(row.seller_id is not None for row in rows)
        if len(by_warehouse) > 1 and policy == SplitPolicy.SINGLE:
            raise RoutingError(
                _("Order %(order)s is held in %(count)s warehouses and the split policy ships from one only.")
                % {"order": order.external_id, "count": len(by_warehouse)}
            )
        shipments = []
        for warehouse in sorted(by_warehouse, key=lambda w: w.pk):
            if virtual[warehouse]:
                reason = _("The seller's virtual stock is held at %(warehouse)s.")
            elif warehouse.country == order.ship_country:
                reason = _("The shared pool at %(warehouse)s, in the destination's country, holds the reserved units.")
            else:
                reason = _("The shared pool at %(warehouse)s holds the reserved units.")
            reason %= {"warehouse": warehouse.code}
            if why[warehouse]:
                # the reservation's own account of the choice, e.g. "nearest pool warehouse to DE: sz-central 7290 km"
                reason += " " + _("Reserved as: %(why)s.") % {"why": "; ".join(why[warehouse])}
            if len(by_warehouse) > 1:
                reason += " " + _("Split: the order ships from %(count)s warehouses.") % {"count": len(by_warehouse)}
            shipment = Shipment.objects.create(order=order, warehouse=warehouse, routing_reason=reason)
            ShipmentLine.objects.bulk_create(
                [
                    ShipmentLine(shipment=shipment, order_line=line, quantity=line.quantity)
                    for line in by_warehouse[warehouse]
                ]
            )
            _service_apply(shipment, service_choose(estimate(shipment), order.seller.promised_delivery_days))
            shipments.append(shipment)
        order_release_to_warehouse(
            order, actor=actor, note=" ".join(f"{s.reference}: {s.routing_reason}" for s in shipments)
        )
        return shipments


def _lines_with_skus(shipment: Shipment):
    return shipment.lines.select_related("order_line__sku").order_by("pk")


def estimate(shipment: Shipment) -> list[ParcelSpec]:
    """The parcels as the catalogue predicts them, before packing.

    One parcel, unless that is heavier than any active service carries: then the units are
    filled, in line order, into as few parcels as the heaviest service's maximum allows.
    """
    units = []
    for line in _lines_with_skus(shipment):
        sku = line.order_line.sku
        units += [sku] * line.quantity
    heaviest = bookable_services().aggregate(most=Max("max_weight_grams"))["most"]
    total = sum(sku.weight_grams for sku in units)
    groups = [units]
    if heaviest and total > heaviest:
        groups, weight = [[]], 0
        for sku in units:
            if groups[-1] and weight + sku.weight_grams > heaviest:
                groups, weight = [*groups, []], 0
            groups[-1].append(sku)
            weight += sku.weight_grams
    return [
        ParcelSpec(
            sum(sku.weight_grams for sku in group),
            sum(sku.length_mm * sku.width_mm * sku.height_mm for sku in group),
            shipment.order.ship_country,
            any(sku.contains_battery for sku in group),
            any(sku.contains_liquid for sku in group),
        )
        for group in groups
    ]


def parcel_specs(shipment: Shipment) -> list[ParcelSpec]:
    """The shipment's closed parcels as packed: measured weight and size, batteries and liquids of their items."""
    specs = []
    for parcel in shipment.parcels.exclude(state=ParcelState.OPEN).prefetch_related("items__line__order_line__sku"):
        skus = [item.line.order_line.sku for item in parcel.items.all()]
        specs.append(
            ParcelSpec(
                parcel.weight_grams,
                parcel.length_mm * parcel.width_mm * parcel.height_mm,
                shipment.order.ship_country,
                any(sku.contains_battery for sku in skus),
                any(sku.contains_liquid for sku in skus),
            )
        )
    return specs


def parcels_price(shipment: Shipment, chosen: Quote) -> None:
    """Store each closed parcel's chargeable weight and cost, and their sum on the shipment."""
    parcels = list(shipment.parcels.exclude(state=ParcelState.OPEN).order_by("number"))
    for parcel, priced in zip(parcels, chosen.parcels, strict=True):
        parcel.chargeable_weight_grams, parcel.cost, parcel.cost_currency = (
            priced.chargeable_grams,
            priced.price,
            chosen.currency,
        )
    Parcel.objects.bulk_update(parcels, ["chargeable_weight_grams", "cost", "cost_currency", "updated_at"])
    shipment.carrier_cost, shipment.cost_currency = chosen.price, chosen.currency


def _service_apply(shipment: Shipment, choice: Choice | list[str]) -> None:
    if isinstance(choice, Choice):
        shipment.service = choice.quote.service
        shipment.service_reason = choice.reason
    else:
        shipment.service = None
        shipment.service_reason = _("No service can carry this parcel: %(reasons)s.") % {"reasons": "; ".join(choice)}
    shipment.save(update_fields=["service", "service_reason", "updated_at"])


def shipment_service_override(shipment_id: int, service_id: int, *, actor, note: str) -> Shipment:
    """An operator chooses the service; refused if that service cannot carry the parcel."""
    if not note.strip():
        raise NoEligibleService(_("Say why the service is overridden."))
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        if shipment.state not in EDITABLE_SERVICE_STATES:
            raise ShipmentStateError(
                _("Shipment %(shipment)s is %(state)s; its service can no longer change.")
                % {"shipment": shipment.reference, "state": shipment.get_state_display()}
            )
        service = CarrierService.objects.select_related("carrier").prefetch_related("zones__rates").get(pk=service_id)
        specs = parcel_specs(shipment) if shipment.state == ShipmentState.PACKED else estimate(shipment)
        result = quote(service, specs)
        if isinstance(result, str):
            raise NoEligibleService(
                _("%(service)s cannot carry %(shipment)s: %(reason)s.")
                % {"service": service, "shipment": shipment.reference, "reason": result}
            )
        previous = shipment.service
        shipment.service = service
        shipment.service_overridden_by = actor
        shipment.service_reason = _("Overridden by %(user)s (was %(previous)s): %(note)s") % {
            "user": getattr(actor, "username", actor),
            "previous": previous or "-",
            "note": note.strip(),
        }
        if shipment.state == ShipmentState.PACKED:
            parcels_price(shipment, result)
        shipment.save()
        return shipment
