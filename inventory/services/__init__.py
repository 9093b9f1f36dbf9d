"""Every change to stock quantities goes through this package.

- ``stock``: goods receipt, cycle count, transfer, virtual stock lock / top-up / release, return restock
- ``reservations``: reserve the lines of an order, pick, ship, release, fill backorders
- ``planning``: production orders and inbound shipments (received through ``stock_receive``)

All of them book their changes through ``_core.LedgerBatch``, whose ``flush`` calls
``_core._stock_changed`` once per transaction step: the hook for the sync engine's outbox.
"""

from ._core import low_stock_alerts_refresh
from .planning import (
    inbound_shipment_cancel,
    inbound_shipment_create,
    inbound_shipment_receive,
    production_order_cancel,
    production_order_complete,
    production_order_create,
    production_order_receive,
    production_order_start,
)
from .reservations import (
    OrderLine,
    backorders_fill,
    order_lines_reserve,
    reservation_pick,
    reservation_release,
    reservation_ship,
)
from .stock import (
    stock_count,
    stock_receive,
    stock_return_restock,
    stock_transfer,
    virtual_stock_lock,
    virtual_stock_release,
)

__all__ = [
    "OrderLine",
    "backorders_fill",
    "inbound_shipment_cancel",
    "inbound_shipment_create",
    "inbound_shipment_receive",
    "low_stock_alerts_refresh",
    "order_lines_reserve",
    "production_order_cancel",
    "production_order_complete",
    "production_order_create",
    "production_order_receive",
    "production_order_start",
    "reservation_pick",
    "reservation_release",
    "reservation_ship",
    "stock_count",
    "stock_receive",
    "stock_return_restock",
    "stock_transfer",
    "virtual_stock_lock",
    "virtual_stock_release",
]
