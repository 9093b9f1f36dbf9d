"""Every write of the warehouse flow: route, choose a service, wave, pick, pack, label, ship, track.

- ``routing``: which warehouse ships which lines of an order (and why); service choice and override
- ``warehouse``: waves, confirm pick, packing scans into parcels, closing parcels, finishing packing
- ``shipping``: carrier booking (a label per parcel), shipping, tracking push-back and tracking events
- ``cancellation``: an order cancelled after release takes its shipments out of the warehouse flow
"""

from .routing import order_route, shipment_service_override
from .shipping import (
    shipment_label,
    shipment_ship,
    shipment_tracking_push,
    shipment_tracking_refresh,
    shipments_stale_alert,
)
from .warehouse import (
    parcel_close,
    parcel_remove_empty,
    shipment_pack,
    shipment_scan_item,
    wave_pick_confirm,
    waves_build,
)

__all__ = [
    "order_route",
    "parcel_close",
    "parcel_remove_empty",
    "shipment_label",
    "shipment_pack",
    "shipment_scan_item",
    "shipment_service_override",
    "shipment_ship",
    "shipment_tracking_push",
    "shipment_tracking_refresh",
    "shipments_stale_alert",
    "wave_pick_confirm",
    "waves_build",
]
