"""Row locks for logistics, in one order everywhere: order rows, then shipments, then
(inside the inventory service) reservations and stock rows. Each kind in primary-key order."""

from orders.models import Order

from .models import Shipment, Wave


def orders_for_update(order_ids) -> dict[int, Order]:
    rows = Order.objects.select_for_update(of=("self",)).filter(pk__in=sorted(set(order_ids))).order_by("pk")
    return {row.pk: row for row in rows}


def shipments_for_update(shipment_ids) -> list[Shipment]:
    return list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("order", "service__carrier", "warehouse")
        .filter(pk__in=sorted(set(shipment_ids)))
        .order_by("pk")
    )


def wave_for_update(wave_id: int) -> Wave:
    return Wave.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=wave_id)
