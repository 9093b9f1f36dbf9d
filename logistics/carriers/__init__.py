"""Carrier adapters behind one interface: book a parcel (tracking number), read its tracking events.

Adapters never touch the ORM of the hub's shipments and are called outside any transaction
that holds row locks. ``carrier_adapter(carrier)`` returns the adapter for a ``Carrier`` row.
"""

from django.utils.module_loading import import_string

from .base import Booking, CarrierAdapter, ParcelRequest, TrackingUpdate

ADAPTERS = {"sandbox": "logistics.carriers.sandbox.SandboxCarrier"}

__all__ = ["ADAPTERS", "Booking", "CarrierAdapter", "ParcelRequest", "TrackingUpdate", "carrier_adapter"]


def carrier_adapter(carrier) -> CarrierAdapter:
    try:
        dotted = ADAPTERS[carrier.adapter]
    except KeyError:
        raise LookupError(f"no carrier adapter {carrier.adapter!r}; expected one of {sorted(ADAPTERS)}") from None
    return import_string(dotted)(carrier.code)
